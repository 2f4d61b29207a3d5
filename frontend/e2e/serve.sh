#!/bin/sh
# Starts Skillgate for the end-to-end tests on 127.0.0.1:$1 over a fresh
# database (skillgate_e2e) with the demo library and demo accounts.
set -eu
port=${1:-18090}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
base=$(server/scripts/database-url.sh postgres)
url=$(printf '%s' "$base" | sed -E 's#^(postgres(ql)?://[^/]*)/[^?]*#\1/skillgate_e2e#')
psql "$base" -qc 'DROP DATABASE IF EXISTS skillgate_e2e WITH (FORCE)' >/dev/null
psql "$base" -qc 'CREATE DATABASE skillgate_e2e' >/dev/null
export DATABASE_URL="$url" HTTP_ADDR="127.0.0.1:$port" SKILLGATE_ENV=development LOG_LEVEL=warn
export JWT_SECRET="e2e-secret-e2e-secret-e2e-secret-e2e"
bin/skillgate migrate up >/dev/null
exec bin/skillgate serve --no-migrate

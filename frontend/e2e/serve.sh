#!/bin/sh
# Starts Skillgate for the end-to-end tests on 127.0.0.1:$1 over a fresh
# database (skillgate_e2e_<port>, so worktrees on other ports do not collide) with the demo library and demo accounts. The demo
# logins `skillgate user seed-demo` prints are written to
# e2e/.demo-accounts.json for the tests (see e2e/fixtures.ts). Access tokens
# live 20 seconds (ACCESS_TOKEN_TTL) so the tests can watch them expire, and
# the reminder job runs every 2 seconds (REMINDER_INTERVAL) rather than every 5
# minutes, so a reminder the tests cause reaches the inbox at once.
# With a second argument, the port of the test OpenID provider (e2e/testidp.sh),
# Skillgate trusts that provider ("Sign in with Skillgate Test ID"), accounts
# are not created at sign-in, and password sign-in stays on for the other specs.
set -eu
port=${1:-18090}
idp=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
base=$(server/scripts/database-url.sh postgres)
db=skillgate_e2e_$port
url=$(printf '%s' "$base" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\\1/$db#")
psql "$base" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
psql "$base" -qc "CREATE DATABASE $db" >/dev/null
# The tests read a few ids the API does not list yet (see e2e/training.ts).
printf '%s\n' "$url" > frontend/e2e/.database-url
export DATABASE_URL="$url" HTTP_ADDR="127.0.0.1:$port" SKILLGATE_ENV=development LOG_LEVEL=warn
export JWT_SECRET="e2e-secret-e2e-secret-e2e-secret-e2e" ACCESS_TOKEN_TTL=${ACCESS_TOKEN_TTL:-20s} REMINDER_INTERVAL=${REMINDER_INTERVAL:-2s}
if [ -n "$idp" ]; then
  . frontend/e2e/testidp.env
  export PUBLIC_URL="http://127.0.0.1:$port" OIDC_ISSUER="http://127.0.0.1:$idp/oidc" OIDC_NAME="Skillgate Test ID" \
    OIDC_CLIENT_ID="$TESTIDP_CLIENT_ID" OIDC_CLIENT_SECRET="$TESTIDP_CLIENT_SECRET" OIDC_CREATE_USERS=false
fi
bin/skillgate migrate up >/dev/null
bin/skillgate import content quizzes >/dev/null
# "  agent       agent@demo.skillgate.test        password: agent-demo-skillgate"
bin/skillgate user seed-demo | awk '
  BEGIN { printf "{"; n = 0 }
  $3 == "password:" { printf "%s\n  \"%s\": {\"email\": \"%s\", \"password\": \"%s\"}", (n++ ? "," : ""), $1, $2, $4 }
  END { print "\n}" }' > frontend/e2e/.demo-accounts.json
exec bin/skillgate serve --no-migrate

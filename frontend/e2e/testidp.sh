#!/bin/sh
# Starts the test OpenID provider (server/cmd/testidp: a login page in front
# of mockoidc) on 127.0.0.1:$1 for the Skillgate e2e server on port $2, with
# the users of e2e/testidp-users.json. e2e/serve.sh configures Skillgate to
# trust it with the same client id and secret (e2e/testidp.env).
set -eu
idp=$1
port=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. frontend/e2e/testidp.env
go build -o bin/testidp ./server/cmd/testidp
exec bin/testidp -addr "127.0.0.1:$idp" -client-id "$TESTIDP_CLIENT_ID" -client-secret "$TESTIDP_CLIENT_SECRET" \
  -redirect-uri "http://127.0.0.1:$port/api/v1/auth/oidc/callback" -users frontend/e2e/testidp-users.json

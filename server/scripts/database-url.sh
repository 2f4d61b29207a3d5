#!/bin/sh
# Prints a DATABASE_URL for development and tests, making sure the server
# behind it runs. In order:
#   1. $DATABASE_URL, when set, as it is (creating the database it names
#      when the server is reachable and the database missing);
#   2. PostgreSQL on 127.0.0.1:5432 (user postgres), creating the database;
#   3. a private cluster under .data/postgres started from the installed
#      PostgreSQL binaries (as the postgres account when run as root);
#   4. otherwise it says what to install and fails.
# Usage: database-url.sh [dbname]   (default: skillgate)
set -eu
dbname=${1:-skillgate}
root=$(cd "$(dirname "$0")/../.." && pwd)

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
	if [ -x "$d/initdb" ]; then bindir=$d; break; fi
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
	bindir=$(dirname "$(command -v initdb)")
fi
psql_bin=$(command -v psql 2>/dev/null || true)
[ -z "$psql_bin" ] && [ -n "$bindir" ] && psql_bin="$bindir/psql"

# ensure_url_db creates the database $DATABASE_URL names when its server
# answers and the database is missing, so `make run` does not build for a
# minute and then fail on it. It asks through the server's postgres
# database, without the URL's query parameters (libpq refuses some the
# server's driver takes). When it cannot tell (no psql, the server does not
# answer, the URL is not postgres://host/db), it leaves the URL to the
# server to judge.
ensure_url_db() {
	if [ -z "$psql_bin" ]; then return 0; fi
	base=${DATABASE_URL%%\?*}
	case "$base" in
	postgres://*/* | postgresql://*/*) ;;
	*) return 0 ;;
	esac
	db=${base##*/}
	server=${base%/*}
	case "$db" in
	"" | *%* | *"'"* | *'"'*) return 0 ;; # none, or encoded: leave it to the server
	esac
	if "$psql_bin" "$base" -Atqc 'SELECT 1' >/dev/null 2>&1; then return 0; fi
	exists=$("$psql_bin" "$server/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null) || return 0
	if [ "$exists" = "1" ]; then return 0; fi
	if err=$("$psql_bin" "$server/postgres" -qc "CREATE DATABASE \"$db\"" 2>&1 >/dev/null); then
		echo "created the database \"$db\" that DATABASE_URL names" >&2
	else
		echo "the database \"$db\" that DATABASE_URL names does not exist, and creating it failed: $err" >&2
		exit 1
	fi
}

if [ -n "${DATABASE_URL:-}" ]; then
	ensure_url_db
	printf '%s\n' "$DATABASE_URL"
	exit 0
fi

ensure_db() { # host port
	if [ -z "$psql_bin" ]; then return 0; fi
	exists=$("$psql_bin" -h "$1" -p "$2" -U postgres -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" 2>/dev/null || true)
	if [ "$exists" != "1" ]; then
		"$psql_bin" -h "$1" -p "$2" -U postgres -d postgres -qc "CREATE DATABASE \"$dbname\"" >/dev/null 2>&1 || true
	fi
}

reachable() { # host port
	if [ -n "$psql_bin" ]; then
		"$psql_bin" -h "$1" -p "$2" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1
	else
		(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
	fi
}

if reachable 127.0.0.1 5432; then
	ensure_db 127.0.0.1 5432
	printf 'postgres://postgres@127.0.0.1:5432/%s?sslmode=disable\n' "$dbname"
	exit 0
fi

if [ -z "$bindir" ]; then
	cat >&2 <<MSG
No PostgreSQL server is reachable on 127.0.0.1:5432 and no PostgreSQL binaries are installed.
Either set DATABASE_URL to a PostgreSQL 13+ server, or install PostgreSQL:
  Debian/Ubuntu:  apt-get install postgresql
  macOS:          brew install postgresql@16
MSG
	exit 1
fi

data="$root/.data/postgres"
port=${SKILLGATE_PG_PORT:-54329}
as_pg=""
if [ "$(id -u)" = "0" ]; then
	# initdb and postgres refuse to run as root.
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
	as_pg="runuser -u postgres --"
fi
mkdir -p "$root/.data"
if [ ! -f "$data/PG_VERSION" ]; then
	mkdir -p "$data"
	[ -n "$as_pg" ] && chown postgres "$data" "$root/.data"
	$as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$root/.data/initdb.log" 2>&1 ||
		{ echo "initdb failed, see .data/initdb.log" >&2; exit 1; }
fi
if ! reachable 127.0.0.1 "$port"; then
	$as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
		-o "-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=200" start >/dev/null ||
		{ echo "could not start the private PostgreSQL cluster, see .data/postgres/server.log" >&2; exit 1; }
	echo "started a private PostgreSQL cluster in .data/postgres on 127.0.0.1:$port (stop it with: make db-stop)" >&2
fi
ensure_db 127.0.0.1 "$port"
printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n' "$port" "$dbname"

#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL on loopback:
#   scripts/with-postgres.sh make test-fast
# The tests see it through BOARD_TEST_DATABASE_URL.
set -euo pipefail
"$(dirname "$0")/system-deps.sh" postgresql
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=${PGPORT_TEST:-54329}
DIR=$(mktemp -d /tmp/board-pg.XXXXXX)
chown postgres "$DIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# A throw-away server: durability off (nothing here outlives the run), room for two test
# workers' 50-thread concurrency tests at once.
SPEED="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
as_pg "$BIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 $SPEED" -l "$DIR/log" -w start >/dev/null
trap 'as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null; rm -rf "$DIR"' EXIT
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres board_test
export BOARD_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/board_test"
echo "PostgreSQL on 127.0.0.1:$PORT for: $*"
"$@"

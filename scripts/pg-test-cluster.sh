#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite (CI and developers).
#
#   scripts/pg-test-cluster.sh start   # initdb + start on 127.0.0.1:$PG_TEST_PORT, prints the URL
#   scripts/pg-test-cluster.sh url     # prints the URL (TEST_DATABASE_URL)
#   scripts/pg-test-cluster.sh stop    # stops the server and deletes its data
#
#   TEST_DATABASE_URL=$(scripts/pg-test-cluster.sh url) cargo test --workspace
#
# Durability is off (fsync, full_page_writes, synchronous_commit): the data is thrown away anyway.
# Authentication is `trust` on 127.0.0.1 only. Run as root, the server runs as the `postgres`
# user (initdb refuses root); run as another user, it runs as that user.
# Settings: PG_TEST_PORT (54329), PG_TEST_STATE (the file that remembers the data directory),
# PG_BIN (the directory of initdb/pg_ctl; found under /usr/lib/postgresql/*/bin otherwise).
set -euo pipefail

PORT="${PG_TEST_PORT:-54329}"
STATE="${PG_TEST_STATE:-${TMPDIR:-/tmp}/relais-pg-test-${PORT}.dir}"

find_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
    local d
    for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" ]] && { echo "$d"; return; }
    done
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    echo "pg-test-cluster: initdb not found (install postgresql, or set PG_BIN)" >&2
    exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        # runuser keeps no root privileges and needs no password; su is the fallback.
        # From /, which the owner can read whatever the caller's working directory is.
        if command -v runuser >/dev/null 2>&1; then
            (cd / && runuser -u postgres -- "$@")
        else
            (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
        fi
    else
        "$@"
    fi
}

url() {
    local user=postgres
    [[ $(id -u) -ne 0 ]] && user="$(id -un)"
    echo "postgres://${user}@127.0.0.1:${PORT}/postgres"
}

start() {
    if [[ -f "$STATE" ]] && [[ -d "$(cat "$STATE")/data" ]]; then
        echo "pg-test-cluster: already started ($(cat "$STATE")); stop it first" >&2
        exit 1
    fi
    local bin dir
    bin="$(find_bin)"
    dir="$(mktemp -d "${TMPDIR:-/tmp}/relais-pg-test.XXXXXX")"
    chmod 755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "pg-test-cluster: no postgres user" >&2; exit 1; }
        chown postgres: "$dir"
    fi
    echo "$dir" >"$STATE"
    local user=postgres
    [[ $(id -u) -ne 0 ]] && user="$(id -un)"
    as_owner "$bin/initdb" --pgdata="$dir/data" --username="$user" --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -c port=${PORT} -c unix_socket_directories=$dir \
            -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
            -c max_connections=200" start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    url
}

stop() {
    [[ -f "$STATE" ]] || return 0
    local bin dir
    bin="$(find_bin)"
    dir="$(cat "$STATE")"
    if [[ -d "$dir/data" ]]; then
        as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$dir"
    rm -f -- "$STATE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *)
        echo "usage: $0 start|stop|url" >&2
        exit 2
        ;;
esac

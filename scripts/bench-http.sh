#!/usr/bin/env bash
# End-to-end figures of `relais serve` on 50,000 demo services, on loopback:
# import time, time from start to /readyz 200, server RSS, and wrk latency/throughput of
# /healthz next to searches (JSON API and the HTML results page), all in the same run.
#
#   scripts/bench-http.sh
#
# Settings: SERVICES (50000), SEED (42), DURATION (seconds per wrk run, 15), THREADS (2),
# CONNECTIONS (16), CARGO_TARGET_DIR (target/). Installs wrk with apt-get if missing (as root).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SERVICES="${SERVICES:-50000}"
SEED="${SEED:-42}"
DURATION="${DURATION:-15}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "== installing wrk"
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    fi
    command -v wrk >/dev/null 2>&1 || { echo "bench-http: wrk not found (apt-get install wrk)" >&2; exit 1; }
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/relais-bench-http.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT INT TERM

echo "== build (release)"
(cd "$ROOT" && cargo build --release -p relais --quiet)
RELAIS="$TARGET/release/relais"
echo "machine: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"

echo "== demo set: $SERVICES services, seed $SEED"
"$RELAIS" demo --services "$SERVICES" --seed "$SEED" --out "$WORK/demo" >/dev/null
ls -l "$WORK/demo" | tail -n +2 | awk '{print "  " $NF ": " $5 " bytes"}'

DB="sqlite:$WORK/relais.db"
echo "== import into a fresh SQLite database"
/usr/bin/time -v "$RELAIS" import "$WORK/demo/structures.json" "$WORK/demo/services.json" \
    --database-url "$DB" >"$WORK/import.out" 2>"$WORK/import.time"
sed 's/^/  /' "$WORK/import.out" | tail -5
grep -E 'Elapsed \(wall|Maximum resident' "$WORK/import.time" | sed 's/^\s*/  /'

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
echo "== serve on $BASE"
start=$(date +%s.%N)
RUST_LOG="${RUST_LOG:-info}" "$RELAIS" serve --addr "127.0.0.1:$PORT" --database-url "$DB" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
ready=""
for _ in $(seq 3000); do   # 30 s at most
    if curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; then ready=$(date +%s.%N); break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
    sleep 0.01
done
[[ -n "$ready" ]] || { echo "bench-http: not ready after 30 s" >&2; cat "$WORK/serve.err" >&2; exit 1; }
printf '  start to /readyz 200: %.3fs\n' "$(echo "$ready - $start" | bc -l)"
# The log may be coloured: strip escape sequences before looking for the field.
sed 's/\x1b\[[0-9;]*m//g' "$WORK/serve.err" | grep -o 'ready_ms=[0-9]*' | sed 's/^/  server log: /' || true
echo "  RSS when ready: $(( $(ps -o rss= -p "$SERVER_PID") / 1024 )) MiB"
# jemalloc returns freed pages to the OS after about 10 s: sample again 15 s after ready, idle.
sleep 15
echo "  RSS 15 s after ready (idle): $(( $(ps -o rss= -p "$SERVER_PID") / 1024 )) MiB"

SEARCH="/api/v1/services?q=juridique&near=48.892,2.348&radius_km=2&open_now=true"
GEO_THEME="/api/v1/services?near=48.892,2.348&radius_km=2&theme=difficultes-administratives-ou-juridiques"
TEXT="/api/v1/services?q=aide%20juridique"
HTML_SEARCH="/services?q=juridique&near=48.892,2.348&radius_km=2&when=now"
printf '  %s (HTML) -> %s, %s bytes, %s bytes gzip\n' "$HTML_SEARCH" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$HTML_SEARCH")" \
    "$(curl -s "$BASE$HTML_SEARCH" | wc -c)" \
    "$(curl -s -H 'Accept-Encoding: gzip' "$BASE$HTML_SEARCH" | wc -c)"
for path in "$SEARCH" "$GEO_THEME" "$TEXT"; do
    printf '  %s -> %s, %s bytes\n' "$path" \
        "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE$path")" "$(wc -c <"$WORK/body")"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("    total=%s hits=%s" % (d["meta"]["total"], len(d["services"])))' "$WORK/body" 2>/dev/null || true
done

# Warm-up, then RSS after it.
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$BASE$SEARCH" >/dev/null
echo "  RSS after warm-up: $(( $(ps -o rss= -p "$SERVER_PID") / 1024 )) MiB"

# Under load (THREADS x CONNECTIONS) latency is mostly queueing behind the 2 cores; one
# connection at a time (-t1 -c1, SOLO_DURATION s) shows the latency of a request alone.
SOLO_DURATION="${SOLO_DURATION:-5}"
run() {
    local name="$1" path="$2"
    shift 2
    echo "== wrk $name: $path $*"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$BASE$path" >"$WORK/wrk.out"
    grep -E '^\s+(50|90|99)%|Requests/sec|requests in|Non-2xx|Socket errors' "$WORK/wrk.out" | sed 's/^\s*/  /'
    echo "  -- one connection (-t1 -c1 -d${SOLO_DURATION}s)"
    wrk -t1 -c1 -d"${SOLO_DURATION}s" --latency "$@" "$BASE$path" >"$WORK/wrk.out"
    grep -E '^\s+(50|90|99)%|Requests/sec|Non-2xx|Socket errors' "$WORK/wrk.out" | sed 's/^\s*/  /'
}
run healthz /healthz
run text_geo_open_now "$SEARCH"
# The same search as a results page (HTML, 20 results), plain and as a browser asks for it.
run html_text_geo_open_now "$HTML_SEARCH"
run html_text_geo_open_now_gzip "$HTML_SEARCH" -H "Accept-Encoding: gzip"
run html_home / -H "Accept-Encoding: gzip"
run geo_theme "$GEO_THEME"
run text_only "$TEXT"
echo "  RSS after the runs: $(( $(ps -o rss= -p "$SERVER_PID") / 1024 )) MiB"

#!/usr/bin/env bash
# The probe of issue 9 against a running `relais serve --demo`, on loopback: each worst-case
# opening-hours expression through /api/v1/opening-hours/evaluate next to /healthz (same run),
# then /healthz while 4 of the costliest expressions are evaluated at once, without pause.
#
#   scripts/bench-hours-probe.sh            # builds and runs this checkout's release binary
#   RELAIS=/path/to/relais scripts/bench-hours-probe.sh   # another build (e.g. an older commit)
#
# Settings: REPEAT (requests per expression, 20), DURATION (seconds of the wrk runs, 10),
# CARGO_TARGET_DIR (target/). Installs wrk with apt-get if missing (as root).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REPEAT="${REPEAT:-20}"
DURATION="${DURATION:-10}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

if ! command -v wrk >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    fi
    command -v wrk >/dev/null 2>&1 || { echo "bench-hours-probe: wrk not found" >&2; exit 1; }
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/relais-probe.XXXXXX")"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT INT TERM

if [[ -z "${RELAIS:-}" ]]; then
    (cd "$ROOT" && cargo build --release -p relais --quiet)
    RELAIS="$TARGET/release/relais"
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$RELAIS" serve --demo --addr "127.0.0.1:$PORT" --database-url "sqlite:$WORK/relais.db" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
PIDS+=($!)
for _ in $(seq 3000); do
    curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break
    sleep 0.01
done
curl -fsS -o /dev/null "$BASE/readyz"

# Expressions, URL-encoded by curl.
RULE="Mo-Su 10:00-11:00 off"
join() { local sep="$1" item="$2" n="$3" out="$2"; for _ in $(seq 2 "$n"); do out="$out$sep$item"; done; printf '%s' "$out"; }
declare -A EXPR=(
    ["1 rule (15 chars)"]="10:00-11:00 off"
    ["16 rules"]="$(join '; ' '10:00-11:00 off' 16)"
    ["42 rules ; (964 chars)"]="$(join '; ' "$RULE" 42)"
    ["42 rules ,"]="$(join ', ' "$RULE" 42)"
    ["42 rules 10:00-34:00"]="$(join '; ' 'Mo-Su 10:00-34:00 off' 42)"
)

# Seconds of each of $REPEAT requests -> "min median max" in ms.
stats() { sort -n | awk '{a[NR]=$1} END {printf "min %.2f ms, median %.2f ms, max %.2f ms (n=%d)", a[1]*1000, a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'; }
time_one() {
    for _ in $(seq "$REPEAT"); do
        curl -s -o "$WORK/body" -w '%{time_total}\n' -m 120 "$@"
    done | stats
}
echo "== each request alone, $REPEAT times"
echo "  /healthz: $(time_one "$BASE/healthz")"
for name in "1 rule (15 chars)" "16 rules" "42 rules ; (964 chars)" "42 rules ," "42 rules 10:00-34:00"; do
    line="$(time_one -G "$BASE/api/v1/opening-hours/evaluate" --data-urlencode "expr=${EXPR[$name]}")"
    echo "  evaluate $name: $line"
    echo "    answer: $(head -c 300 "$WORK/body")"
done
echo "  /healthz: $(time_one "$BASE/healthz")"

echo "== wrk /healthz alone (-t1 -c1 -d${DURATION}s)"
wrk -t1 -c1 -d"${DURATION}s" --latency "$BASE/healthz" | grep -E '^\s+(50|90|99)%|Requests/sec' | sed 's/^\s*/  /'
echo "== wrk /healthz while 4 clients evaluate the 964-character expression without pause"
for _ in 1 2 3 4; do
    ( while :; do curl -s -o /dev/null -m 120 -G "$BASE/api/v1/opening-hours/evaluate" \
        --data-urlencode "expr=${EXPR["42 rules ; (964 chars)"]}" -w '%{time_total}\n' >>"$WORK/probes"; done ) &
    PIDS+=($!)
done
sleep 1
wrk -t1 -c1 -d"${DURATION}s" --latency "$BASE/healthz" | grep -E '^\s+(50|90|99)%|Requests/sec' | sed 's/^\s*/  /'
echo "  the 4 clients' evaluations meanwhile: $(stats <"$WORK/probes")"

#!/usr/bin/env bash
# End-to-end browser tests of the Relais public pages: starts a release `relais serve --demo` on
# 127.0.0.1 with a throwaway SQLite database, runs `node --test` on e2e/tests/ (playwright-core
# driving Debian's chromium, axe-core for WCAG 2.1 A/AA), always stops the server.
#
#   bash e2e/run.sh                       # builds target/release/relais first
#   RELAIS_BIN=path/to/relais bash e2e/run.sh
#
# Environment:
#   RELAIS_BIN         use this binary instead of `cargo build --release -p relais`
#   E2E_PORT           port to listen on (default: a free one)
#   E2E_DATABASE_URL   database to serve (default: sqlite: in a temporary directory); --demo
#                      fills it only when it is empty
#   CHROMIUM_PATH      browser (default /usr/bin/chromium: `apt-get install chromium`)
#   E2E_ARTIFACTS      where screenshots, PDFs and axe reports go (default e2e/artifacts)
#   E2E_READY_TIMEOUT  seconds to wait for /readyz (default 60)
# The tests get E2E_BASE_URL, RELAIS_BIN (absolute), E2E_DATABASE_URL and E2E_OUTBOX (the folder
# where the server writes its emails as .eml files), so that the professional-space story can
# run `relais admin create` as an operator would and read the invitation mails.
# Extra arguments go to `node --test` (e.g. --test-name-pattern='keyboard').
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$E2E_DIR")"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export E2E_ARTIFACTS="${E2E_ARTIFACTS:-$E2E_DIR/artifacts}"
READY_TIMEOUT="${E2E_READY_TIMEOUT:-60}"

say() { printf 'e2e: %s\n' "$*"; }
die() { printf 'e2e: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "node is missing (Node 20 or later is needed)"
[[ -x "$CHROMIUM_PATH" ]] || die "no browser at $CHROMIUM_PATH: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH"
if [[ ! -d "$E2E_DIR/node_modules/playwright-core" || ! -d "$E2E_DIR/node_modules/axe-core" ]]; then
    say "installing the test dependencies (npm ci)"
    (cd "$E2E_DIR" && npm ci --no-audit --no-fund)
fi

if [[ -n "${RELAIS_BIN:-}" ]]; then
    BIN="$RELAIS_BIN"
else
    say "building the release server: cargo build --release -p relais"
    (cd "$ROOT" && cargo build --release -p relais)
    TARGET_DIR="${CARGO_TARGET_DIR:-target}"
    [[ "$TARGET_DIR" = /* ]] || TARGET_DIR="$ROOT/$TARGET_DIR"
    BIN="$TARGET_DIR/release/relais"
fi
[[ -x "$BIN" ]] || die "no server binary at $BIN"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

if [[ -n "${E2E_PORT:-}" ]]; then
    PORT="$E2E_PORT"
else
    PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/relais-e2e.XXXXXX")"
DATABASE_URL_E2E="${E2E_DATABASE_URL:-sqlite:$WORK/relais.db}"
SERVER_LOG="$WORK/server.log"
OUTBOX="$WORK/outbox"
SERVER_PID=""

stop_server() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -f "$SERVER_LOG" ]]; then
        mkdir -p "$E2E_ARTIFACTS"
        cp "$SERVER_LOG" "$E2E_ARTIFACTS/server.log" || true
    fi
    if [[ -d "$OUTBOX" ]]; then
        mkdir -p "$E2E_ARTIFACTS/outbox"
        cp "$OUTBOX"/* "$E2E_ARTIFACTS/outbox/" 2>/dev/null || true
    fi
    rm -rf -- "$WORK"
    if [[ -d "$E2E_ARTIFACTS/screenshots" ]]; then
        say "screenshots: $E2E_ARTIFACTS/screenshots/ ($(find "$E2E_ARTIFACTS/screenshots" -name '*.png' | wc -l) files); PDFs: $E2E_ARTIFACTS/pdf/; axe reports: $E2E_ARTIFACTS/axe/; server log: $E2E_ARTIFACTS/server.log"
    fi
    exit $status
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Fresh artefacts for this run.
rm -rf -- "$E2E_ARTIFACTS/screenshots" "$E2E_ARTIFACTS/pdf" "$E2E_ARTIFACTS/axe" "$E2E_ARTIFACTS/outbox" "$E2E_ARTIFACTS/server.log"
mkdir -p "$E2E_ARTIFACTS/screenshots"

BASE_URL="http://127.0.0.1:$PORT"
say "starting $BIN serve --addr 127.0.0.1:$PORT --database-url ${DATABASE_URL_E2E%%\?*} --demo --outbox $OUTBOX"
"$BIN" serve --addr "127.0.0.1:$PORT" --database-url "$DATABASE_URL_E2E" --demo \
    --public-url "$BASE_URL" --outbox "$OUTBOX" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

ready() {
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$BASE_URL/readyz"
}
deadline=$((SECONDS + READY_TIMEOUT))
until ready; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 40 "$SERVER_LOG" >&2 || true
        die "the server stopped before it was ready (log above)"
    fi
    if ((SECONDS >= deadline)); then
        tail -n 40 "$SERVER_LOG" >&2 || true
        die "the server was not ready on $BASE_URL/readyz after ${READY_TIMEOUT}s (log above)"
    fi
    sleep 0.5
done
say "server ready on $BASE_URL"

export E2E_BASE_URL="$BASE_URL"
export RELAIS_BIN="$BIN"
export E2E_DATABASE_URL="$DATABASE_URL_E2E"
export E2E_OUTBOX="$OUTBOX"
cd "$E2E_DIR"
set +e
node --test --test-reporter=spec "$@" tests/*.test.mjs
status=$?
set -e
exit $status

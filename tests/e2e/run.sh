#!/usr/bin/env bash
# run.sh APP_BINARY [PYTEST_ARGS...]   (e.g. -k test_verify)
#
# End-to-end test of the REAL desktop app over WebDriver: a fresh SoftHSM2 test token
# (tests/harness/mktoken.sh), a temporary data directory, tauri-driver in front of
# WebKitWebDriver, and tests/e2e/test_seal.py (pytest + selenium) driving the window.
# Needs a display: run it as `xvfb-run -a tests/e2e/run.sh target/debug/sealdesk`.
# The binary must embed ui/dist: build it with `--features tauri/custom-protocol`.
# Needs: tauri-driver (`cargo install tauri-driver --locked`), /usr/bin/WebKitWebDriver
# (apt webkit2gtk-driver), python packages from tests/e2e/requirements.txt.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 APP_BINARY [PYTEST_ARGS...]" >&2
    exit 2
fi
APP=$(realpath "$1")
shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# Free loopback ports unless told otherwise: a driver left by another run must not answer ours.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${SEALDESK_E2E_DRIVER_PORT:-$(free_port)}
NATIVE_PORT=${SEALDESK_E2E_NATIVE_PORT:-$(free_port)}
NATIVE_DRIVER=${SEALDESK_E2E_NATIVE_DRIVER:-/usr/bin/WebKitWebDriver}

if [[ ! -x "$APP" ]]; then
    echo "run.sh: $APP is not an executable; build it with: cargo build -p sealdesk --features tauri/custom-protocol" >&2
    exit 2
fi
if [[ -z "${DISPLAY:-}" ]]; then
    echo "run.sh: no DISPLAY; run it under xvfb-run -a" >&2
    exit 2
fi
command -v tauri-driver >/dev/null || { echo "run.sh: tauri-driver missing: cargo install tauri-driver --locked" >&2; exit 2; }

tmp=$(mktemp -d)
driver_pid=""
cleanup() {
    local rc=$?
    if [[ -n "$driver_pid" ]]; then kill "$driver_pid" 2>/dev/null || true; wait "$driver_pid" 2>/dev/null || true; fi
    if [[ $rc -ne 0 ]]; then
        echo "--- tauri-driver log ---" >&2; tail -n 40 "$tmp/driver.log" 2>/dev/null >&2 || true
        echo "--- app log ---" >&2; tail -n 40 "$tmp/data/logs/sealdesk.log" 2>/dev/null >&2 || true
    fi
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT

"$ROOT/tests/harness/mktoken.sh" "$tmp/token" TEST
# SOFTHSM2_CONF, SEALDESK_PKCS11_MODULE, SEALDESK_TOKEN_LABEL, SEALDESK_PIN: the app launched
# by WebKitWebDriver inherits them and so finds the test token.
set -a
# shellcheck disable=SC1091
source "$tmp/token/token.env"
set +a
mkdir -p "$tmp/data"

tauri-driver --port "$PORT" --native-port "$NATIVE_PORT" --native-driver "$NATIVE_DRIVER" >"$tmp/driver.log" 2>&1 &
driver_pid=$!
for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    if ! kill -0 "$driver_pid" 2>/dev/null; then echo "run.sh: tauri-driver exited" >&2; exit 1; fi
    sleep 0.1
done

SEALDESK_E2E_APP="$APP" \
SEALDESK_E2E_DATA_DIR="$tmp/data" \
SEALDESK_E2E_TOKEN_JSON="$tmp/token/token.json" \
SEALDESK_E2E_DRIVER_URL="http://127.0.0.1:$PORT" \
SEALDESK_E2E_SHOTS="${SEALDESK_E2E_SHOTS:-}" \
    python3 -m pytest -p no:cacheprovider -q "$HERE" "$@"

#!/usr/bin/env bash
# measure.sh APP_BINARY
#
# Startup and idle memory of the REAL app, printed as one JSON line on stdout:
# - cold start to usable window: from spawning the process to the "ui ready" line in its log
#   (the window calls `ui_ready` once its first screen is painted), 5 runs, each with a fresh
#   data directory; the median, plus the app's own elapsed_ms from that log line;
# - idle memory ~10 s after "ui ready": VmRSS of the app process and of each of its WebKit
#   child processes (WebKitWebProcess, WebKitNetworkProcess), and their sum.
# The app runs against a SoftHSM2 test token from tests/harness/mktoken.sh, as a person would.
# Runs itself under xvfb-run when there is no DISPLAY. Build the binary with
# `--features tauri/custom-protocol` so it embeds ui/dist.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 APP_BINARY" >&2
    exit 2
fi
if [[ -z "${DISPLAY:-}" ]]; then
    exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi
APP=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${SEALDESK_MEASURE_RUNS:-5}
IDLE_S=${SEALDESK_MEASURE_IDLE_S:-10}
READY_LIMIT_S=60

tmp=$(mktemp -d)
app_pid=""
cleanup() {
    if [[ -n "$app_pid" ]]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

"$ROOT/tests/harness/mktoken.sh" "$tmp/token" TEST >&2
set -a
# shellcheck disable=SC1091
source "$tmp/token/token.env"
set +a
unset SEALDESK_PIN

# All descendants of a pid, one per line.
descendants() {
    local kids
    kids=$(ps -o pid= --ppid "$1" 2>/dev/null || true)
    for k in $kids; do
        echo "$k"
        descendants "$k"
    done
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

startups=()
logged=()
memory_json="null"
for run in $(seq 1 "$RUNS"); do
    data="$tmp/data-$run"
    log="$data/logs/sealdesk.log"
    start_ns=$(date +%s%N)
    "$APP" --data-dir "$data" >"$tmp/app-$run.out" 2>&1 &
    app_pid=$!
    ready=""
    deadline=$((start_ns + READY_LIMIT_S * 1000000000))
    while [[ $(date +%s%N) -lt $deadline ]]; do
        if [[ -f "$log" ]] && grep -q "ui ready" "$log"; then
            ready=$(date +%s%N)
            break
        fi
        if ! kill -0 "$app_pid" 2>/dev/null; then
            echo "measure.sh: the app exited during run $run:" >&2
            tail -n 20 "$tmp/app-$run.out" >&2
            exit 1
        fi
        sleep 0.01
    done
    if [[ -z "$ready" ]]; then
        echo "measure.sh: no \"ui ready\" line within ${READY_LIMIT_S}s in run $run" >&2
        tail -n 20 "$log" "$tmp/app-$run.out" >&2 || true
        exit 1
    fi
    startups+=($(((ready - start_ns) / 1000000)))
    logged+=("$(grep -m1 "ui ready" "$log" | sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p')")

    if [[ $run -eq $RUNS ]]; then
        sleep "$IDLE_S"
        procs=()
        for pid in "$app_pid" $(descendants "$app_pid"); do
            name=$(cat "/proc/$pid/comm" 2>/dev/null || echo gone)
            procs+=("{\"pid\":$pid,\"name\":\"$name\",\"rss_kib\":$(rss_kib "$pid")}")
        done
        memory_json="[$(IFS=,; echo "${procs[*]}")]"
    fi
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
done

python3 - "$IDLE_S" "$memory_json" "${startups[*]}" "${logged[*]}" <<'PY'
import json, statistics, sys
idle_s, memory, startups, logged = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
startups = [int(x) for x in startups]
logged = [int(x) for x in logged if x]
print(json.dumps({
    "runs": len(startups),
    "startup_ms": startups,
    "startup_median_ms": statistics.median(startups),
    "app_logged_elapsed_median_ms": statistics.median(logged) if logged else None,
    "idle_after_s": int(idle_s),
    "idle_rss_kib_total": sum(p["rss_kib"] for p in memory),
    "idle_rss_processes": memory,
}))
PY

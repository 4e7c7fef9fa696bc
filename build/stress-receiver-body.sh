#!/usr/bin/env bash
# The app's memory against a Sentry receiver that answers every envelope with 200 and a huge body (100 MB by
# default): the exporter reads only the status and Sentry's headers, so the app's peak RSS must stay where it is
# against a receiver answering with no body. A release build of tests/LoadApp ("ours": every request sampled,
# 8 envelopes in flight) gets requests from curl for a while against each receiver in turn; the peak RSS is VmHWM
# from /proc/PID/status. Called by build/stress.sh; runs on its own too.
#
# Settings (environment): STRESS_BODY_MB (100), STRESS_BODY_SECONDS of load per receiver (20), STRESS_BODY_PARALLEL
# requests in flight (16).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

body_mb="${STRESS_BODY_MB:-100}"
seconds="${STRESS_BODY_SECONDS:-20}"
parallel="${STRESS_BODY_PARALLEL:-16}"
app_port=5311
sink_port=5312
sentry_trace="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"

command -v curl >/dev/null 2>&1 || { echo "build/stress-receiver-body.sh needs curl." >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
source "$root/build/load-app.sh"
build_load_app
out="$(mktemp -d "${TMPDIR:-/tmp}/tracemiddleware-body.XXXXXX")"

run() { # body-bytes label
  LOADAPP_SINK_BODY_BYTES="$1" "$app" sink --urls "http://127.0.0.1:$sink_port" >"$out/sink-$2.log" 2>&1 &
  local sink_pid=$!
  pids+=("$sink_pid")
  wait_ready "$sink_port" /count

  LOADAPP_SINK="127.0.0.1:$sink_port" "$app" ours --urls "http://127.0.0.1:$app_port" >"$out/app-$2.log" 2>&1 &
  local app_pid=$!
  pids+=("$app_pid")
  wait_ready "$app_port" /orders/1
  local rss_start
  rss_start="$(status_kb "$app_pid" VmRSS)"

  # URL globbing: one curl process keeps $parallel requests in flight until the time is up.
  timeout "$seconds" curl -s --parallel --parallel-max "$parallel" -H "sentry-trace: $sentry_trace" \
    "http://127.0.0.1:$app_port/orders/[1-100000000]" >/dev/null 2>&1 || true
  sleep 1
  local hwm envelopes
  hwm="$(status_kb "$app_pid" VmHWM)"
  envelopes="$(curl -s "http://127.0.0.1:$sink_port/count" || echo 0)"
  kill -TERM "$app_pid"; wait "$app_pid" || true
  kill -TERM "$sink_pid"; wait "$sink_pid" || true
  printf '  %-22s app peak RSS %5d MB (%d MB at start); %s envelopes received\n' "$2" "$((hwm / 1024))" "$((rss_start / 1024))" "$envelopes"
  grep -h "answer bodies" "$out/sink-$2.log" | sed 's/^/    /' || true
}

echo "Receiver answer bodies: ${seconds}s of load ($parallel requests in flight, every request sampled) per receiver; logs in $out"
run 0 "200, no body"
run "$((body_mb * 1024 * 1024))" "200, ${body_mb} MB body"

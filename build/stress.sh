#!/usr/bin/env bash
# The large counts of the reliability tests: a million hostile inputs per parser, a hundred thousand through
# the real pipeline. build/test.sh runs the same tests with smaller counts. Then the slow-client scenario
# against the browser tunnel, on a release build of tests/LoadApp in a process of its own so that its peak
# RSS (VmHWM) is the tunnel's alone.
# STRESS_PARTS picks what runs: any of "tests", "tunnel" and "receiver-body" (all three, the default).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/build/prerequisites.sh"
ensure_prerequisites

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export HOSTILE_PARSER_INPUTS="${HOSTILE_PARSER_INPUTS:-1000000}"
export HOSTILE_PIPELINE_INPUTS="${HOSTILE_PIPELINE_INPUTS:-100000}"
export HOSTILE_OUTGOING_INPUTS="${HOSTILE_OUTGOING_INPUTS:-5000}"
export CONCURRENT_REQUESTS="${CONCURRENT_REQUESTS:-10000}"
export FAULT_REQUESTS="${FAULT_REQUESTS:-20000}"
parts="${STRESS_PARTS:-tests tunnel receiver-body}"

if [[ " $parts " == *" tests "* ]]; then
  dotnet build TraceMiddleware.sln -c Release -warnaserror
  dotnet test TraceMiddleware.sln -c Release --no-build --filter "FullyQualifiedName~Reliability" --logger "console;verbosity=normal" "$@"
fi

if [[ " $parts " == *" tunnel "* ]]; then
  # SLOW_TUNNEL_CONNECTIONS sockets each declare a 1 MiB envelope (the default Tracing:Tunnel:MaxBodySize),
  # send all of it but the last byte, then stay silent; the scenario waits SLOW_TUNNEL_WAIT seconds for answers.
  connections="${SLOW_TUNNEL_CONNECTIONS:-400}"
  wait_seconds="${SLOW_TUNNEL_WAIT:-60}"
  declared=$((1024 * 1024))
  app_port=5311
  sink_port=5312
  source "$root/build/load-app.sh"
  build_load_app
  out="$(mktemp -d "${TMPDIR:-/tmp}/tracemiddleware-stress.XXXXXX")"
  status_mb() { awk -v kb="$(status_kb "$1" "$2")" 'BEGIN { printf "%.0f", kb / 1024 }'; } # pid field

  "$app" sink --urls "http://127.0.0.1:$sink_port" >"$out/sink.log" 2>&1 &
  pids+=("$!")
  wait_ready "$sink_port" /count || { echo "Logs: $out" >&2; exit 1; }
  LOADAPP_SINK="127.0.0.1:$sink_port" "$app" tunnel --urls "http://127.0.0.1:$app_port" >"$out/tunnel.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  wait_ready "$app_port" /orders/1 || { echo "Logs: $out" >&2; exit 1; }
  # Warm the tunnel's path up with a few ordinary envelopes before the baseline is read.
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -X POST --data-binary "{\"dsn\":\"http://loadkey@127.0.0.1:$sink_port/1\"}"$'\n{}' "http://127.0.0.1:$app_port/monitoring"
  done
  before="$(status_mb "$app_pid" VmRSS)"
  echo "Slow clients against the tunnel: $connections connections, $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
  node "$root/build/slow-tunnel-clients.mjs" "http://127.0.0.1:$app_port/monitoring" "http://loadkey@127.0.0.1:$sink_port/1" \
    "$connections" "$declared" $((declared - 1)) "$wait_seconds"
  echo "tunnel process RSS: $before MB before, peak $(status_mb "$app_pid" VmHWM) MB, $(status_mb "$app_pid" VmRSS) MB after"
  # Free the ports before the next part starts its own app and sink there.
  stop_processes
fi

if [[ " $parts " == *" receiver-body "* ]]; then
  # The app's peak RSS against a receiver answering every envelope with a 100 MB body.
  "$root/build/stress-receiver-body.sh"
fi

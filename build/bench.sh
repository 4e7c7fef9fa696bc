#!/usr/bin/env bash
# The load comparison of issue 6: wrk on loopback against a release build of tests/LoadApp, in seven
# configurations alternated within each round:
#   bare       the app with nothing
#   ours       AddTracing, every request sampled (it carries sentry-trace ...-1), exported to a local
#              Sentry-like sink that accepts envelopes and discards them
#   ours-down  the same with nothing listening at the DSN (the receiver is down)
#   ours-429   the same with the sink answering 429 (Retry-After: 1)
#   ours-10pct the same as ours with TracesSampleRate 0.1 and callers that leave the decision to it
#              (sentry-trace without a flag, baggage without sentry-sampled and sentry-sample_rand): a
#              production-like rate, about one request in ten exported
#   ours-discard  AddTracing, every request sampled, handed to an exporter that discards in process: the
#              request path and span collection without sending, which is what the otel line pays for
#   otel       OpenTelemetry SDK 1.20.1 recording ASP.NET Core's own activity, AlwaysOn, discarding exporter
# Every request carries sentry-trace and a 10-member baggage. Prints the medians over the rounds and,
# last, the ratios to bare. Peak RSS is VmHWM from /proc/PID/status at the end of the measured run.
#
# Settings (environment): BENCH_ROUNDS (5), BENCH_DURATION seconds measured (10), BENCH_WARMUP seconds (5),
# BENCH_CONNECTIONS (32), BENCH_APP_CPU (0) and BENCH_LOAD_CPU (1): with two or more cores the app is pinned
# to one core and wrk and the sink to another (taskset), so that they do not take turns on the app's core.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

rounds="${BENCH_ROUNDS:-5}"
duration="${BENCH_DURATION:-10}"
warmup="${BENCH_WARMUP:-5}"
connections="${BENCH_CONNECTIONS:-32}"
app_cpu="${BENCH_APP_CPU:-0}"
load_cpu="${BENCH_LOAD_CPU:-1}"
app_port=5301
sink_port=5302
sink429_port=5303
down_port=5304   # nothing listens here
configs=(bare ours ours-down ours-429 ours-10pct ours-discard otel)

sentry_trace="771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1"
baggage="sentry-environment=production,sentry-release=shop%401.4.0,sentry-public_key=abc123,sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-transaction=GET%20%2Fcheckout,sentry-sampled=true,sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1,userId=alice,serverNode=DF%2028"
# ours-10pct: no decision from the caller, so this service samples with its own rate and a sample_rand of its own.
undecided_trace="771a43a4192642f0b136d5159a501700-b7ad6b7169203331"
undecided_baggage="sentry-environment=production,sentry-release=shop%401.4.0,sentry-public_key=abc123,sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-transaction=GET%20%2Fcheckout,sentry-sample_rate=1,userId=alice,serverNode=DF%2028"

missing=()
for tool in wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (apt-get) ..."
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "build/bench.sh needs ${missing[*]}: install (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again." >&2
    exit 1
  fi
fi

app_pin=()
load_pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  app_pin=(taskset -c "$app_cpu")
  load_pin=(taskset -c "$load_cpu")
  pinning="app on CPU $app_cpu, wrk and the sink on CPU $load_cpu (taskset)"
else
  pinning="no pinning (taskset missing or a single core)"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# .NET starts counting calls for tier-1 compilation only after 100 ms without new tier-0 compilation; on one
# saturated core that quiet moment is rare, and measured here every build ran tier-0 code (libraries that are not
# ReadyToRun, such as this package, most of all) for some 20 s. Counting at once lets every build reach its steady
# state, tier-1 code, within the warm-up; steady state is what a long-running server runs.
export DOTNET_TC_CallCountingDelayMs="${DOTNET_TC_CallCountingDelayMs:-0}"
source "$root/build/load-app.sh"
build_load_app

out="$(mktemp -d "${TMPDIR:-/tmp}/tracemiddleware-bench.XXXXXX")"
results="$out/results.tsv"
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
mb() { awk -v v="$1" 'BEGIN { printf "%.0f", v / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

start_sink() { # status port
  LOADAPP_SINK_STATUS="$1" "${load_pin[@]}" "$app" sink --urls "http://127.0.0.1:$2" >"$out/sink-$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_ready "$2" /count
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "The sink on port $2 did not start (is something else listening there?): $out/sink-$1.log" >&2
    exit 1
  fi
}

received() { curl -s "http://127.0.0.1:$1/count" 2>/dev/null || echo 0; } # port

start_sink 200 "$sink_port"
start_sink 429 "$sink429_port"

echo "Load on this machine before: $(uptime)"
echo "wrk: 1 thread, $connections connections, ${warmup}s warm-up + ${duration}s measured per run; $rounds rounds of ${configs[*]}; $pinning; DOTNET_TC_CallCountingDelayMs=$DOTNET_TC_CallCountingDelayMs"
echo "Logs: $out"
printf 'round\tconfig\trps\tp50_ms\tp99_ms\tpeak_rss_mb\trss_mid_mb\trss_end_mb\tenvelopes_per_s\n' >"$results"

for round in $(seq 1 "$rounds"); do
  # Start each round at another configuration, so that a drift in the machine's load hits all alike.
  for i in "${!configs[@]}"; do
    config="${configs[$(((i + round - 1) % ${#configs[@]}))]}"
    mode="$config"
    sink="127.0.0.1:$sink_port"
    rate=1
    trace_header="$sentry_trace"
    baggage_header="$baggage"
    case "$config" in
      ours-down) mode=ours; sink="127.0.0.1:$down_port" ;;
      ours-429) mode=ours; sink="127.0.0.1:$sink429_port" ;;
      ours-10pct) mode=ours; rate=0.1; trace_header="$undecided_trace"; baggage_header="$undecided_baggage" ;;
    esac

    LOADAPP_SAMPLE_RATE="$rate" LOADAPP_SINK="$sink" "${app_pin[@]}" "$app" "$mode" --urls "http://127.0.0.1:$app_port" >"$out/app-$round-$config.log" 2>&1 &
    app_pid=$!
    pids+=("$app_pid")
    wait_ready "$app_port" /orders/1

    "${load_pin[@]}" wrk -t1 -c"$connections" -d"${warmup}s" -H "sentry-trace: $trace_header" -H "baggage: $baggage_header" \
      "http://127.0.0.1:$app_port/orders/42" >/dev/null
    sink_port_used="${sink##*:}"
    before="$(received "$sink_port_used")"
    "${load_pin[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency -H "sentry-trace: $trace_header" -H "baggage: $baggage_header" \
      "http://127.0.0.1:$app_port/orders/42" >"$out/wrk-$round-$config.txt" &
    wrk_pid=$!
    sleep "$((duration / 2))"
    rss_mid="$(status_kb "$app_pid" VmRSS)"
    wait "$wrk_pid"
    after="$(received "$sink_port_used")"
    envelopes="$(awk -v a="${after:-0}" -v b="${before:-0}" -v d="$duration" 'BEGIN { printf "%.0f", (a - b) / d }')"
    rss_end="$(status_kb "$app_pid" VmRSS)"
    hwm="$(status_kb "$app_pid" VmHWM)"
    kill -TERM "$app_pid"
    wait "$app_pid" || true

    w="$out/wrk-$round-$config.txt"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$w")"
    p50="$(awk '$1 == "50%" { print $2 }' "$w")"
    p99="$(awk '$1 == "99%" { print $2 }' "$w")"
    errors="$(awk '/Non-2xx|Socket errors/ { print }' "$w")"
    if [ -n "$errors" ]; then echo "  $config: $errors" >&2; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$config" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" \
      "$(mb "$hwm")" "$(mb "$rss_mid")" "$(mb "$rss_end")" "$envelopes" >>"$results"
    printf '  round %s  %-12s %10s req/s  p50 %8s  p99 %8s  peak RSS %5s MB  envelopes received %6s/s\n' "$round" "$config" "$rps" "$p50" "$p99" "$(mb "$hwm")" "$envelopes"
  done
done

stop_processes
echo "Load on this machine after: $(uptime)"
for status in 200 429; do
  grep -h "envelopes received" "$out/sink-$status.log" | sed "s/^/  sink answering $status: /" || true
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v c="$1" -v k="$2" 'NR > 1 && $2 == c { print $k }' "$results" | median; }

echo
echo "Medians over $rounds rounds:"
printf '  %-12s %12s %9s %9s %14s %12s %12s %12s\n' config "req/s" "p50 ms" "p99 ms" "peak RSS MB" "RSS mid MB" "RSS end MB" "envelopes/s"
for config in "${configs[@]}"; do
  printf '  %-12s %12.0f %9.2f %9.2f %14.0f %12.0f %12.0f %12.0f\n' "$config" "$(col "$config" 3)" "$(col "$config" 4)" "$(col "$config" 5)" \
    "$(col "$config" 6)" "$(col "$config" 7)" "$(col "$config" 8)" "$(col "$config" 9)"
done
echo "  (envelopes/s: what the sink received per second of the measured runs; for bare, ours-down, ours-discard and otel nothing is sent to it)"

bare="$(col bare 3)"
echo
echo "Ratios (requests per second, medians):"
for config in ours ours-down ours-429 ours-10pct ours-discard otel; do
  printf '  %-12s / bare = %s\n' "$config" "$(ratio "$(col "$config" 3)" "$bare")"
done
for config in ours ours-discard; do
  printf '  %-12s / otel = %s\n' "$config" "$(ratio "$(col "$config" 3)" "$(col otel 3)")"
done
echo "  goals: ours / bare >= 0.97; ours / otel >= 1; ours-down and ours-429 like ours within noise, RSS flat"

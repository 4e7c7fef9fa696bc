#!/usr/bin/env bash
# Running tests/LoadApp from a script: build it, start processes that are stopped when the script ends, wait until
# one answers, read its memory. Sourced by build/bench.sh, build/stress.sh and build/stress-receiver-body.sh, which
# set $root first.

# Builds tests/LoadApp in Release and sets $app to its executable.
build_load_app() {
  dotnet build "$root/tests/LoadApp/LoadApp.csproj" -c Release -warnaserror -nologo -v q
  app="$root/tests/LoadApp/bin/Release/net10.0/LoadApp"
}

# The processes started in the background so far; stop_processes ends them (and runs when the script exits).
pids=()
stop_processes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
trap stop_processes EXIT

wait_ready() { # port path
  for _ in $(seq 1 200); do
    if curl -s -o /dev/null "http://127.0.0.1:$1$2" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "Nothing answers on port $1." >&2
  return 1
}

status_kb() { # pid field: a field of /proc/PID/status in kB (VmRSS, VmHWM), 0 when the process is gone
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

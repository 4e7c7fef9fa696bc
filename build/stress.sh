#!/usr/bin/env bash
# The large counts of the reliability tests (issue 7): a million hostile inputs per parser, a hundred
# thousand through the real pipeline. build/test.sh runs the same tests with smaller counts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/build/prerequisites.sh"
ensure_prerequisites

export HOSTILE_PARSER_INPUTS="${HOSTILE_PARSER_INPUTS:-1000000}"
export HOSTILE_PIPELINE_INPUTS="${HOSTILE_PIPELINE_INPUTS:-100000}"
export HOSTILE_OUTGOING_INPUTS="${HOSTILE_OUTGOING_INPUTS:-5000}"
export CONCURRENT_REQUESTS="${CONCURRENT_REQUESTS:-10000}"
export FAULT_REQUESTS="${FAULT_REQUESTS:-20000}"

dotnet build TraceMiddleware.sln -c Release -warnaserror
dotnet test TraceMiddleware.sln -c Release --no-build --filter "FullyQualifiedName~Reliability" --logger "console;verbosity=normal" "$@"

# The app's peak RSS against a receiver answering every envelope with a 100 MB body.
"$root/build/stress-receiver-body.sh"

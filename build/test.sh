#!/usr/bin/env bash
# The project's one test command: installs what the tests need when it is missing, then runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=build/prerequisites.sh
source "$root/build/prerequisites.sh"
ensure_prerequisites

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build TraceMiddleware.sln -c Release -warnaserror
# The packages as a user gets them: tests/TraceMiddleware.PackageTests inspects them and builds fresh apps against them.
build/pack.sh "$root/artifacts/packages"
export TRACEMIDDLEWARE_PACKAGES="$root/artifacts/packages"
dotnet test TraceMiddleware.sln -c Release --no-build --logger "console;verbosity=normal" "$@"

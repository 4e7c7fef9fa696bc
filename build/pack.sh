#!/usr/bin/env bash
# Packs TraceMiddleware and its companions (TraceMiddleware.OpenTelemetry, TraceMiddleware.Sentry) as a release does, into the folder given (default
# artifacts/packages): .nupkg and .snupkg, built with ContinuousIntegrationBuild (source paths /_/, SourceLink to
# the commit). They build in artifacts/pack, apart from the solution's bin/ and obj/, so packing never mixes
# with a developer build whose PDBs hold this machine's paths. build/test.sh calls it before the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts/packages}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
mkdir -p "$out"
rm -f "$out"/*.nupkg "$out"/*.snupkg
for project in TraceMiddleware TraceMiddleware.OpenTelemetry TraceMiddleware.Sentry; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release -warnaserror \
    -p:ContinuousIntegrationBuild=true -p:UseArtifactsOutput=true -p:ArtifactsPath="$root/artifacts/pack" \
    -o "$out"
done

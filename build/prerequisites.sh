#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed when missing. Sourced by build/test.sh.

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK 10.0.4xx is required (https://dotnet.microsoft.com/download)" >&2
    exit 1
  fi
}

ensure_prerequisites() {
  require_dotnet
}

#!/usr/bin/env bash
# What the tests need beyond the .NET SDK, installed when missing. Sourced by build/test.sh.

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK 10.0.4xx is required (https://dotnet.microsoft.com/download)" >&2
    exit 1
  fi
}

# Sentry's JavaScript SDKs, Spotlight, esbuild and playwright-core, pinned by tests/js/package-lock.json.
ensure_js_peers() {
  local dir="$root/tests/js"
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: Node.js 20+ with npm is required for the interop tests (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "Installing the JavaScript peers (npm ci in tests/js)..."
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Debian's Chromium, driven headless by playwright-core for the browser interop test. Playwright's own
# browser download is not used: the system package is the one every machine can install.
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: /usr/bin/chromium is required for the browser interop test; install it as root (Debian: apt-get update && apt-get install -y chromium)" >&2
    exit 1
  fi
  echo "Installing Chromium (apt-get install chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  if [ ! -x /usr/bin/chromium ]; then
    echo "error: apt-get installed no /usr/bin/chromium; install it by hand (Debian: apt-get install -y chromium)" >&2
    exit 1
  fi
}

ensure_prerequisites() {
  require_dotnet
  ensure_js_peers
  ensure_chromium
}

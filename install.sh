#!/usr/bin/env bash
# Installs everything engagement-tracker needs on a fresh Debian/Ubuntu machine:
# system packages (redis-server, chromium for the browser tests, prometheus for the observability tests) and the npm workspaces,
# including Node.js 24 from the npm registry (node_modules/.bin/node, used by every npm script).
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Prometheus and promtool: the alert rules' tests and the observability suite run the real thing.
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  echo "install: apt-get install ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "install: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "install: done (node $(node_modules/.bin/node --version), $(redis-server --version | cut -d' ' -f3))"

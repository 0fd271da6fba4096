#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (no browser download).
# Install it when missing: directly as root, through sudo otherwise.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]]; then
    exit 0
fi
echo "installing Debian's chromium for the browser tests"
if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "error: the browser tests need Chromium; install it (apt install chromium) and rerun" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1 || { echo "error: chromium did not install" >&2; exit 1; }

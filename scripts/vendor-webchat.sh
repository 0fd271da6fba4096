#!/usr/bin/env bash
# Reinstall the socket.io client pinned in webchat/package-lock.json and copy its
# browser build into webchat/static/vendor/. The vendored files are committed, so
# only whoever changes the pin runs this (it needs Node.js and npm; nothing else does).
# Usage: scripts/vendor-webchat.sh            # reinstall the pinned version
#        scripts/vendor-webchat.sh --update   # re-resolve package.json, rewrite the lock
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp webchat/package.json "$work/"
if [[ "${1:-}" != "--update" && -f webchat/package-lock.json ]]; then
    cp webchat/package-lock.json "$work/"
    (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
else
    (cd "$work" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$work/package-lock.json" webchat/package-lock.json
fi
pkg="$work/node_modules/socket.io-client"
mkdir -p webchat/static/vendor
cp "$pkg/dist/socket.io.min.js" webchat/static/vendor/socket.io.min.js
cp "$pkg/LICENSE" webchat/static/vendor/socket.io-client.LICENSE
version=$(node -p "require('$pkg/package.json').version")
echo "vendored socket.io-client $version into webchat/static/vendor/"

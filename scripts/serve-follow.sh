#!/usr/bin/env bash
# The dossier follow job (catalogue environment): every DOSSIER_FOLLOW_INTERVAL seconds,
# message the Telegram and Zalo chats whose followed dossier changed state.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/catalog dossier-follow

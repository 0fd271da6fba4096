#!/usr/bin/env bash
# The rasa-sdk action server (catalogue environment, SQLAlchemy 2).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/python -m rasa_sdk --actions actions \
    --port "${ACTIONS_PORT:-5055}" ${ACTIONS_AUTO_RELOAD:+--auto-reload}

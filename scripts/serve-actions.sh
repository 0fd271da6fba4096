#!/usr/bin/env bash
# The action server (catalogue environment, SQLAlchemy 2): rasa-sdk's app served by
# actions/server.py on ${ACTIONS_HOST:-127.0.0.1}:${ACTIONS_PORT:-5055}; Rasa must send
# ACTIONS_TOKEN (generated and kept in var/secrets/ when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
. scripts/secrets.sh
ensure_secret ACTIONS_TOKEN
exec .venv/bin/python -m actions.server

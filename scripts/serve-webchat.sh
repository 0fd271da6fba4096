#!/usr/bin/env bash
# The web chat widget and its demo page (catalogue environment, Starlette + uvicorn).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/python -m webchat.serve "$@"

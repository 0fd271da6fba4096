#!/usr/bin/env bash
# The staff workspace (catalogue environment): sqladmin on Starlette, served by uvicorn
# on ${STAFF_HOST:-127.0.0.1}:${STAFF_PORT:-8000}. Accounts: `catalog user add NAME --role editor`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
exec .venv/bin/python -m staff

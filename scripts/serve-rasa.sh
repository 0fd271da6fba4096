#!/usr/bin/env bash
# The Rasa server (Rasa environment) with REST, socket.io and the HTTP API.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
model=${RASA_MODEL:-models/tthc-config.tar.gz}
args=(run --enable-api --model "$model" --credentials "${RASA_CREDENTIALS:-bot/credentials.yml}"
      --endpoints "${RASA_ENDPOINTS:-bot/endpoints.yml}" --interface "${RASA_HOST:-127.0.0.1}"
      --port "${RASA_PORT:-5005}" --cors "${RASA_CORS:-*}")
if [[ -n "${RASA_AUTH_TOKEN:-}" ]]; then
    args+=(--auth-token "$RASA_AUTH_TOKEN")
fi
exec .venv-rasa/bin/rasa "${args[@]}"

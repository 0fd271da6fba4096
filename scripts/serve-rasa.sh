#!/usr/bin/env bash
# The Rasa server (Rasa environment) with REST, socket.io and the HTTP API; with
# ZALO_APP_ID, ZALO_OA_SECRET_KEY and ZALO_ACCESS_TOKEN set, the Zalo channel too.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_TELEMETRY_ENABLED=false
model=${RASA_MODEL:-models/tthc-config.tar.gz}
credentials=${RASA_CREDENTIALS:-bot/credentials.yml}

# Zalo: its settings (secrets included) stay in the environment; the credentials file
# only names the channel, so a copy with that section added holds no secret.
if [[ -n "${ZALO_APP_ID:-}" && -n "${ZALO_OA_SECRET_KEY:-}" && -n "${ZALO_ACCESS_TOKEN:-}" ]]; then
    if ! grep -q '^bot\.channels\.zalo\.ZaloInput:' "$credentials"; then
        tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/rasa-credentials.XXXXXX")
        { cat "$credentials"; printf '\n# Added by scripts/serve-rasa.sh (ZALO_* set)\nbot.channels.zalo.ZaloInput:\n'; } \
            > "$tmpdir/credentials.yml"
        credentials=$tmpdir/credentials.yml
    fi
    echo "note: Zalo channel enabled: POST /webhooks/zalo/webhook" >&2
elif [[ -n "${ZALO_APP_ID:-}${ZALO_OA_SECRET_KEY:-}${ZALO_ACCESS_TOKEN:-}" ]]; then
    echo "note: Zalo channel disabled: set all of ZALO_APP_ID, ZALO_OA_SECRET_KEY, ZALO_ACCESS_TOKEN" >&2
fi

args=(run --enable-api --model "$model" --credentials "$credentials"
      --endpoints "${RASA_ENDPOINTS:-bot/endpoints.yml}" --interface "${RASA_HOST:-127.0.0.1}"
      --port "${RASA_PORT:-5005}" --cors "${RASA_CORS:-*}")
if [[ -n "${RASA_AUTH_TOKEN:-}" ]]; then
    args+=(--auth-token "$RASA_AUTH_TOKEN")
fi
exec .venv-rasa/bin/rasa "${args[@]}"

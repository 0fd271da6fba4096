#!/usr/bin/env bash
# The Rasa server (Rasa environment) with REST and socket.io (the HTTP API only with
# RASA_ENABLE_API=1; see docs/security.md); with
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

# Secrets shared with the action server, the Telegram bridge and the web chat's ids.
. scripts/secrets.sh
ensure_secret ACTIONS_TOKEN
ensure_secret BRIDGE_TOKEN
ensure_secret WEBCHAT_SESSION_SECRET
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT:-5055}/webhook}"

host=${RASA_HOST:-127.0.0.1}
case "$host" in
    127.*|localhost|::1) loopback=1 ;;
    *) loopback=0 ;;
esac
if [[ $loopback == 0 && -z "${RASA_AUTH_TOKEN:-}" ]]; then
    echo "error: RASA_HOST=$host is reachable beyond this machine: set RASA_AUTH_TOKEN" \
         "(it protects Rasa's HTTP API) and put HTTPS in front (docs/security.md)" >&2
    exit 2
fi

# Browsers may call Rasa only from the web chat's own pages (RASA_CORS: origins
# separated by spaces; "*" allows any page, which is unsafe with the HTTP API on).
webchat_port=${WEBCHAT_PORT:-8080}
read -ra cors <<< "${RASA_CORS:-http://localhost:$webchat_port http://127.0.0.1:$webchat_port}"

args=(run --model "$model" --credentials "$credentials"
      --endpoints "${RASA_ENDPOINTS:-bot/endpoints.yml}" --interface "$host"
      --port "${RASA_PORT:-5005}" --cors "${cors[@]}")
# The HTTP API (/conversations, /model...) is off unless asked for.
if [[ "${RASA_ENABLE_API:-0}" == 1 ]]; then
    args+=(--enable-api)
    if [[ -n "${RASA_AUTH_TOKEN:-}" ]]; then
        args+=(--auth-token "$RASA_AUTH_TOKEN")
    else
        echo "note: Rasa's HTTP API is on without RASA_AUTH_TOKEN (loopback only)" >&2
    fi
elif [[ -n "${RASA_AUTH_TOKEN:-}" ]]; then
    args+=(--auth-token "$RASA_AUTH_TOKEN")
fi
exec .venv-rasa/bin/rasa "${args[@]}"

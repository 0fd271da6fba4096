#!/usr/bin/env bash
# Start the assistant's processes with honcho (see Procfile); Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
export RASA_MODEL="${MODEL:-${RASA_MODEL:-models/tthc-config.tar.gz}}"
[[ -f .env ]] && set -a && . ./.env && set +a

processes=(actions rasa)
grep -q '^web:' Procfile && processes+=(web)
grep -q '^staff:' Procfile && processes+=(staff)
if grep -q '^telegram:' Procfile; then
    if [[ -n "${TELEGRAM_BOT_TOKEN:-}" ]]; then
        processes+=(telegram)
    else
        echo "note: Telegram bridge skipped (set TELEGRAM_BOT_TOKEN in .env to start it)"
    fi
fi
# Following dossiers needs a channel that can message first (Telegram or Zalo).
if grep -q '^follow:' Procfile && [[ -n "${TELEGRAM_BOT_TOKEN:-}${ZALO_ACCESS_TOKEN:-}" ]]; then
    processes+=(follow)
fi
if [[ -z "${ZALO_APP_ID:-}" || -z "${ZALO_OA_SECRET_KEY:-}" || -z "${ZALO_ACCESS_TOKEN:-}" ]]; then
    echo "note: Zalo channel disabled (set ZALO_APP_ID, ZALO_OA_SECRET_KEY and ZALO_ACCESS_TOKEN in .env)"
fi

cat <<MSG

  Tiền Giang procedures assistant
  --------------------------------
  Rasa REST webhook : http://localhost:${RASA_PORT:-5005}/webhooks/rest/webhook
  Rasa socket.io    : http://localhost:${RASA_PORT:-5005}/  (the web widget; HTTP API only with RASA_ENABLE_API=1)
  Action server     : http://localhost:${ACTIONS_PORT:-5055}/health  (Rasa only: token in var/secrets/)
MSG
[[ " ${processes[*]} " == *" web "* ]] && echo "  Web chat demo     : http://localhost:${WEBCHAT_PORT:-8080}/"
[[ " ${processes[*]} " == *" staff "* ]] && echo "  Staff workspace   : http://localhost:${STAFF_PORT:-8000}/  (first account: .venv/bin/catalog user add NAME --role editor)"
cat <<MSG
  Try:  curl -s localhost:${RASA_PORT:-5005}/webhooks/rest/webhook -d '{"sender":"me","message":"con mới sinh làm giấy gì"}'
  Ctrl-C stops everything.

MSG
exec .venv/bin/honcho start -f Procfile "${processes[@]}"

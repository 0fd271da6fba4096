#!/usr/bin/env bash
# The Telegram bridge (catalogue environment): Telegram <-> Rasa's REST channel.
# `make run` starts it only when TELEGRAM_BOT_TOKEN is set; see docs/telegram.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT:-5005}}"
# The REST channel lets only the bridge (this token) write into tg-... conversations.
. scripts/secrets.sh
ensure_secret BRIDGE_TOKEN
exec .venv/bin/python -m bot.channels.telegram_bridge

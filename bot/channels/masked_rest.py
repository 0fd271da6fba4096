"""Rasa's REST channel, checked and masked before Rasa sees the message.

``POST /webhooks/rest/webhook`` with ``{"sender": "...", "message": "..."}``, answered
by the list of the bot's messages, as with Rasa's own ``rest`` channel (the name
stays ``rest``). What this channel adds:

* a body that is not a JSON object, a missing or malformed ``sender`` or a
  ``message`` that is not a string gets ``400 {"error": ...}`` (not a 500, and never
  a shared ``default`` conversation);
* personal data (phones, ID numbers, e-mails, dossier codes) is masked at the door,
  payloads ("/intent{...}") included;
* a message over ``MESSAGE_MAX_CHARS`` or over ``CHANNEL_RATE_LIMIT`` messages a
  minute in one conversation is answered with a kind reply and not processed;
* the channel recorded for the turn is ``rest``: a body's ``input_channel`` and
  ``metadata`` are ignored. Only a bridge that sends the shared ``BRIDGE_TOKEN`` in
  ``X-Bridge-Token`` (the Telegram bridge) names its channel and may use the
  conversation ids of its channel (``tg-...``); no other caller can write into a
  Telegram, Zalo or web chat conversation.

Used in bot/credentials.yml instead of ``rest:``.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_guards, rasa_speedups
from bot.channels.limits import BRIDGE_HEADER, EMPTY, SLOW_DOWN, get_limits
from procedures_catalog.dossier.pending import remember_codes
from procedures_catalog.masking import mask

SENDER = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
# Conversation ids of the other channels: only their own channel may name them.
RESERVED_PREFIXES = {"tg-": "telegram", "zalo-": "zalo", "wc-": "socketio"}
BRIDGE_CHANNELS = frozenset({"telegram"})


def mask_message(text: str | None, sender_id: str | None = None) -> str | None:
    """Mask personal data in a citizen's message, button payloads included.

    With ``sender_id``, a dossier code in the message is first kept in the short-lived
    per-conversation store, where the dossier action finds it (the tracker never does).
    """
    if text is None:
        return None
    if sender_id:
        remember_codes(sender_id, text)
    return mask(text)


def reserved_channel(sender: str) -> str | None:
    """The channel that owns conversation ids like ``sender`` (None: anyone's)."""
    return next((c for p, c in RESERVED_PREFIXES.items() if sender.startswith(p)), None)


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class MaskedRestInput(RestInput):
    """``POST /webhooks/rest/webhook``, checked, limited and masked."""

    def __init__(self, bridge_token: str | None = None) -> None:
        self.limits = get_limits()
        self.limiter = self.limits.limiter()
        self.bridge_token = bridge_token or None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel (Rasa calls this once at start-up)."""
        # Start-up is also where the measured speed-up of Rasa's action-response
        # check and the guards of every message are installed.
        rasa_speedups.install()
        rasa_guards.install()
        return cls(bridge_token=(os.environ.get("BRIDGE_TOKEN") or "").strip())

    def _bridge_channel(self, request: Request, body: dict[str, Any]) -> str | None:
        """The channel a trusted bridge names, or None for any other caller."""
        sent = request.headers.get(BRIDGE_HEADER) or ""
        if not self.bridge_token or not hmac.compare_digest(sent.encode(), self.bridge_token.encode()):
            return None
        metadata = body.get("metadata")
        channel = metadata.get("channel") if isinstance(metadata, dict) else None
        return channel if channel in BRIDGE_CHANNELS else None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The health route and the checked webhook route."""
        rest = Blueprint("custom_webhook_MaskedRestInput", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own error on bad JSON
                body = None
            if not isinstance(body, dict):
                return _error('the body must be a JSON object {"sender": ..., "message": ...}')
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER.match(sender):
                return _error("sender must be 1-64 letters, digits or _.:@-")
            channel = self._bridge_channel(request, body)
            owner = reserved_channel(sender)
            if owner is not None and owner != channel:
                return _error(f"sender ids starting with {sender.split('-')[0]}- belong to "
                              "another channel", status=403)
            if not isinstance(text, str):
                return _error("message must be a string")
            reply = None
            if channel is None and self.limiter.check(sender) != self.limiter.ALLOW:
                reply = SLOW_DOWN  # bridges limit their own chats
            elif self.limits.too_long(text):
                reply = self.limits.too_long_reply()
            elif not text.strip():
                reply = EMPTY
            if reply is not None:
                return response.json([{"recipient_id": sender, "text": reply}])
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(
                mask_message(text, sender), collector, sender, input_channel=self.name(),
                metadata={"channel": channel or self.name()},
            ))
            return response.json(collector.messages)

        return rest

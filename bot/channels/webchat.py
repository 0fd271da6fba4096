"""Rasa's socket.io channel, fixed for the web chat widget.

Two bugs of Rasa 3.6.21's ``socketio`` channel with our locked dependencies:

* ``SocketIOOutput.send_custom_json`` calls ``sio.emit(event, **payload)``: it expects
  payloads shaped ``{"data": ...}`` and raises ``TypeError`` on ours
  (``{"procedure": ..., "aspect": ...}``), which also drops every message after it in
  the turn. Here each bot message is parsed into the channels' reply model
  (:mod:`bot.channels.replies`) and ``webchat_render`` makes the widget's events: a custom
  payload is the event's data, unchanged, so the widget receives exactly the contract
  of ``procedures_catalog.answers``; texts, quick replies and images keep Rasa's
  socket.io shapes, which ``webchat/static/tthc-chat.js`` shows.
* With ``session_persistence`` the ``session_request`` handler calls
  ``sio.enter_room()`` without awaiting it; since python-socketio 5.x that is a
  coroutine, so the browser never joins its conversation's room and receives no bot
  message at all. Here the handler awaits it.

Hardening, because the conversation id is the conversation's only key:

* conversation ids are issued by the server (``wc-<random>-<signature>``, signed with
  ``WEBCHAT_SESSION_SECRET``): a client can resume only an id this server issued, so
  it can never name another channel's conversation (``tg-...``, ``zalo-...``) or
  guess another widget's;
* the id is bound to the socket that requested it: a ``user_uttered`` naming any
  other id is refused, and the client's ``metadata`` is ignored (it could name
  another channel on the dashboard);
* a burst sent over HTTP long-polling is no longer refused as a whole by engine.io;
* a message that is not text, too long (``MESSAGE_MAX_CHARS``) or over the
  per-conversation rate (``CHANNEL_RATE_LIMIT``) gets a kind reply instead of being
  processed or silently lost;
* personal data is masked before Rasa stores or logs anything.

Everything else (events, JWT, the socket.io path) is Rasa's own.
Enable it in ``bot/credentials.yml`` with ``bot.channels.webchat.WebchatInput:`` in
place of ``socketio:`` (same options).
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from engineio.payload import Payload
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot import rasa_guards
from bot.channels.limits import EMPTY, NOT_TEXT, NOT_YOUR_SESSION, SLOW_DOWN, get_limits
from bot.channels.masked_rest import mask_message
from bot.channels.replies import parse_message
from bot.channels.webchat_render import render

logger = logging.getLogger(__name__)

MAX_PACKETS_PER_REQUEST = 1000
SESSION_PREFIX = "wc-"
# wc-, 32 hex digits of randomness, -, 20 hex digits of HMAC: 56 characters.
SESSION_ID = re.compile(r"^wc-([0-9a-f]{32})-([0-9a-f]{20})$")


class SessionIds:
    """Issue and check signed conversation ids of the web chat."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:20]

    def issue(self) -> str:
        """A new, unguessable conversation id."""
        nonce = secrets.token_hex(16)
        return f"{SESSION_PREFIX}{nonce}-{self._signature(nonce)}"

    def valid(self, session_id: Any) -> bool:
        """Whether ``session_id`` is one this server (or one with its secret) issued."""
        match = SESSION_ID.match(session_id) if isinstance(session_id, str) else None
        return bool(match) and hmac.compare_digest(match.group(2), self._signature(match.group(1)))


def session_secret() -> str:
    """``WEBCHAT_SESSION_SECRET``, or a random one for this process (with a warning)."""
    secret = (os.environ.get("WEBCHAT_SESSION_SECRET") or "").strip()
    if not secret:
        logger.warning("WEBCHAT_SESSION_SECRET is not set: web chat conversations will not "
                       "survive a restart of this server (scripts/serve-rasa.sh sets one)")
        secret = secrets.token_hex(32)
    return secret


class WebchatOutput(SocketIOOutput):
    """Socket.io output that sends the widget the events ``webchat_render`` makes."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Emit one bot message as ``bot_uttered`` events to the conversation's room."""
        for reply in parse_message(message):
            for event in render(reply):
                await self._send_message(recipient_id, event)


class WebchatInput(SocketIOInput):
    """Rasa's socket.io input channel answering through :class:`WebchatOutput`.

    The name stays ``socketio`` so trackers and logs read the same as with the
    built-in channel.
    """

    def get_output_channel(self) -> OutputChannel | None:
        """The output channel for messages not triggered by the user (reminders...)."""
        if self.sio is None:
            return super().get_output_channel()
        return WebchatOutput(self.sio, self.bot_message_evt)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel (Rasa calls this once at start-up)."""
        rasa_guards.install()
        return super().from_credentials(credentials)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's blueprint, with the session and message handlers replaced."""
        limits = get_limits()
        limiter = limits.limiter()
        # Over HTTP long-polling a client sends what queued up in one request, and
        # engine.io refuses (loses) a whole request of more than 16 messages: a burst
        # of 30 lost 29. Each message is still checked one by one below; the body stays
        # under engine.io's 1 MB limit.
        Payload.max_decode_packets = max(Payload.max_decode_packets, MAX_PACKETS_PER_REQUEST)
        ids = SessionIds(session_secret())
        bound: dict[str, str] = {}  # socket id -> the conversation it opened

        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        async def reply(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        # Registering an event again replaces Rasa's handler.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not ids.valid(session_id):
                session_id = ids.issue()
            previous = bound.get(sid)
            if previous and previous != session_id:
                await _awaited(sio.leave_room(sid, previous, namespace=self.namespace))
            bound[sid] = session_id
            if self.session_persistence:
                await _awaited(sio.enter_room(sid, session_id, namespace=self.namespace))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            bound.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session_id = bound.get(sid)
            if not isinstance(data, dict) or session_id is None or data.get("session_id") != session_id:
                logger.info("socket.io message for a conversation this socket did not open")
                await reply(sid, NOT_YOUR_SESSION)
                return
            text = data.get("message")
            refusal = None
            if limiter.check(session_id) != limiter.ALLOW:
                refusal = SLOW_DOWN
            elif not isinstance(text, str):
                refusal = NOT_TEXT
            elif limits.too_long(text):
                refusal = limits.too_long_reply()
            elif not text.strip():
                refusal = EMPTY
            if refusal is not None:
                await reply(sid, refusal)
                return
            await on_new_message(UserMessage(
                mask_message(text, session_id), WebchatOutput(sio, self.bot_message_evt), session_id,
                input_channel=self.name(), metadata={"channel": self.name()},
            ))

        return blueprint


async def _awaited(result: Any) -> None:
    # enter_room/leave_room are coroutines since python-socketio 5 (Rasa forgot to await).
    if inspect.isawaitable(result):
        await result

"""Rasa's socket.io channel, fixed for the web chat widget.

Two bugs of Rasa 3.6.21's ``socketio`` channel with our locked dependencies:

* ``SocketIOOutput.send_custom_json`` calls ``sio.emit(event, **payload)``: it expects
  payloads shaped ``{"data": ...}`` and raises ``TypeError`` on ours
  (``{"procedure": ..., "aspect": ...}``), which also drops every message after it in
  the turn. Here a custom payload is the event's data, unchanged, so the widget
  receives exactly the contract of ``procedures_catalog.answers``.
* With ``session_persistence`` the ``session_request`` handler calls
  ``sio.enter_room()`` without awaiting it; since python-socketio 5.x that is a
  coroutine, so the browser never joins its conversation's room and receives no bot
  message at all. Here the handler awaits it.

Everything else (events, JWT, the socket.io path) is Rasa's own.
Enable it in ``bot/credentials.yml`` with ``bot.channels.webchat.WebchatInput:`` in
place of ``socketio:`` (same options).
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.masked_rest import mask_message

# A session id is the conversation's only key: accept what the widget makes (32 random
# hex digits) and similar ids; anything else starts a new conversation.
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class WebchatOutput(SocketIOOutput):
    """Socket.io output that emits a custom payload as the message itself."""

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Emit ``json_message`` as one ``bot_uttered`` event to the conversation's room."""
        await self._send_message(recipient_id, json_message)


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

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Rasa's blueprint, with each incoming message answered through our output."""

        async def answer_through_webchat(message: UserMessage) -> Any:
            # self.sio is set by the parent's blueprint() before any message arrives.
            message.output_channel = WebchatOutput(self.sio, self.bot_message_evt)
            # Personal data is masked before Rasa stores or logs anything.
            message.text = mask_message(message.text)
            return await on_new_message(message)

        blueprint = super().blueprint(answer_through_webchat)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        # Registering the event again replaces Rasa's handler.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            session_id = (data or {}).get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):  # a coroutine since python-socketio 5
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return blueprint

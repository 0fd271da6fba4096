"""A web chat client for tests: a real python-socketio client speaking the widget's events.

It does what ``webchat/static/tthc-chat.js`` does (``session_request`` →
``session_confirm``, ``user_uttered`` acknowledged once the turn is done,
``bot_uttered`` messages) and lets a test do what the widget never would (name
someone else's conversation, send objects, flood).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import socketio
from engineio.payload import Payload


class WebchatClient:
    """One socket.io connection to Rasa's web chat channel.

    Args:
        url: the Rasa server (``http://127.0.0.1:PORT``).
        transports: ``["websocket"]`` (default) or ``["polling"]``.
    """

    def __init__(self, url: str, transports: list[str] | None = None) -> None:
        # Like the browser's client, accept a long-polling response of many packets
        # (python-engineio refuses more than 16 by default).
        Payload.max_decode_packets = max(Payload.max_decode_packets, 1000)
        self.sio = socketio.Client(reconnection=False)
        self.session: str | None = None
        self.messages: list[dict[str, Any]] = []
        self._confirmed = threading.Event()
        self._lock = threading.Lock()
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("bot_uttered", self._on_bot)
        self.sio.connect(url, transports=transports or ["websocket"], wait_timeout=20)

    def _on_confirm(self, session_id: str) -> None:
        self.session = session_id
        self._confirmed.set()

    def _on_bot(self, message: Any) -> None:
        with self._lock:
            self.messages.append(message)

    def open(self, session_id: Any = None, timeout: float = 10) -> str:
        """Ask for a conversation (``session_id`` to resume one); return the confirmed id."""
        self._confirmed.clear()
        self.sio.emit("session_request", {"session_id": session_id})
        if not self._confirmed.wait(timeout):
            raise TimeoutError("no session_confirm")
        assert self.session is not None
        return self.session

    def say(self, message: Any, session_id: Any = None, timeout: float = 60) -> list[dict[str, Any]]:
        """Send one message (to our conversation unless ``session_id`` is given) and
        return the bot messages that arrived for it (the turn is done at the ack)."""
        start = len(self.messages)
        self.sio.call("user_uttered", {"message": message,
                                       "session_id": self.session if session_id is None else session_id},
                      timeout=timeout)
        time.sleep(0.05)  # emits before the ack are delivered before it; be generous
        with self._lock:
            return self.messages[start:]

    def texts(self) -> list[str]:
        """Every text the bot sent on this socket so far."""
        with self._lock:
            return [m["text"] for m in self.messages if isinstance(m, dict) and m.get("text")]

    def close(self) -> None:
        """Disconnect."""
        self.sio.disconnect()

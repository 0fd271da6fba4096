"""A fake Telegram Bot API server on loopback, for tests and for trying the bridge.

It speaks enough of the Bot API for the Telegram bridge: ``getMe``, ``getUpdates``
(long polling over a queue of updates the test pushes), ``sendMessage``, ``sendPhoto``
(an uploaded file: its bytes are recorded as the ``photo`` parameter),
``answerCallbackQuery``, ``editMessageReplyMarkup``, ``sendChatAction``,
``setWebhook``, ``deleteWebhook``, ``getWebhookInfo`` and ``setMyCommands``. Every call
is recorded with its parameters and time, and the server can be told to fail the
next call of a method: ``429 Too Many Requests`` with a ``retry_after``, a 5xx, or no
answer at all (:meth:`FakeTelegram.fail_next`).

Point python-telegram-bot at it with ``base_url=fake.base_url`` (the bridge reads
``TELEGRAM_API_BASE_URL``). Only the standard library is used.

Run it by hand to chat with the assistant from a terminal (Rasa and the action server
running; the bridge started with the printed settings)::

    .venv/bin/python -m tests.fakes.telegram_api
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.loopback import Faults, LoopbackServer, Request, read_body, reply, stall

TOKEN = "123456:TEST-fake-token_for-tests"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Trợ lý TTHC", "username": "tthc_fake_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
# PTB sends form fields; these carry JSON, every other field is a plain string.
_JSON_FIELDS = {"chat_id", "message_id", "reply_markup", "offset", "limit", "timeout",
                "allowed_updates", "link_preview_options", "entities", "show_alert",
                "cache_time", "drop_pending_updates", "max_connections", "commands",
                "disable_notification", "protect_content", "reply_parameters"}


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)
    response: Any = None

    @property
    def chat_id(self) -> Any:
        """The ``chat_id`` parameter, if any."""
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        """The ``text`` parameter ("" if none)."""
        return str(self.params.get("text") or "")

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        """The rows of the inline keyboard sent, if any."""
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard") or [] if isinstance(markup, dict) else []

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row by row."""
        return [button for row in self.keyboard for button in row]


class FakeTelegram(LoopbackServer):
    """The fake server; use as a context manager or call :meth:`start` / :meth:`stop`.

    Args:
        token: the only bot token it accepts (others get 401, like Telegram).
        host: the loopback address to bind.
        port: the port (0: any free port).
    """

    def __init__(self, token: str = TOKEN, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.token = token
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._calls: list[Call] = []
        self._faults = Faults()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._stopping = False
        self.webhook: dict[str, Any] = {}

    # --- lifecycle
    @property
    def base_url(self) -> str:
        """The Bot API base URL the token is appended to (PTB's ``base_url``)."""
        return f"{self.url}/bot"

    def stop(self) -> None:
        """Stop serving (waiting long polls return at once)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        super().stop()

    # --- what tests do
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates`` (an ``update_id`` is added if missing)."""
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
            self._cond.notify_all()
        return int(update["update_id"])

    def next_update_id(self) -> int:
        """A fresh update id (for updates built by hand)."""
        return next(self._update_ids)

    def fail_next(self, method: str, retry_after: int = 1, status: int = 429) -> None:
        """Fail the next call of ``method``: 429 with ``retry_after`` seconds, another
        HTTP ``status`` (5xx), or, with status 0, no answer for ``retry_after`` seconds
        and then a closed connection (a timeout). A failed call does nothing."""
        self._faults.add(status, retry_after, key=method)

    def calls(self, method: str | None = None, chat_id: Any = None,
              status: int | None = 200) -> list[Call]:
        """The calls received so far, filtered (``status=None``: any status)."""
        with self._cond:
            return [c for c in self._calls
                    if (method is None or c.method == method)
                    and (chat_id is None or c.chat_id == chat_id)
                    and (status is None or c.status == status)]

    def wait_for(self, method: str, *, chat_id: Any = None, count: int = 1,
                 where: Callable[[Call], bool] | None = None, timeout: float = 30.0,
                 status: int | None = 200) -> list[Call]:
        """Wait until ``count`` matching calls arrived; return all matching calls.

        Raises:
            TimeoutError: fewer arrived in ``timeout`` seconds (the message lists them).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls
                         if c.method == method
                         and (chat_id is None or c.chat_id == chat_id)
                         and (status is None or c.status == status)
                         and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.status, c.text[:60]) for c in self._calls
                            if chat_id is None or c.chat_id == chat_id]
                    raise TimeoutError(f"{len(found)}/{count} {method} calls after {timeout}s; "
                                       f"calls for this chat: {seen}")
                self._cond.wait(min(left, 0.5))

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot."""
        with self._cond:
            return len(self._updates)

    # --- update builders (the shapes Telegram sends)
    def user(self, chat_id: int) -> dict[str, Any]:
        """The citizen behind a private chat (user id = chat id, as in Telegram)."""
        return {"id": chat_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"}

    def message(self, chat_id: int, text: str | None = None, **fields: Any) -> dict[str, Any]:
        """A message from the citizen in private chat ``chat_id``."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Dân"},
            "from": self.user(chat_id),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command)}]
        message.update(fields)
        return message

    def send_text(self, chat_id: int, text: str) -> int:
        """Queue a text message from ``chat_id``."""
        return self.push_update({"message": self.message(chat_id, text)})

    def tap(self, chat_id: int, sent: Call | dict[str, Any], callback_data: str) -> int:
        """Queue a tap on a button of the bot's message ``sent`` (a sendMessage call,
        or a message built by hand)."""
        message = dict(sent.response if isinstance(sent, Call) else sent)
        return self.push_update({"callback_query": {
            "id": str(next(self._callback_ids)),
            "from": self.user(chat_id),
            "chat_instance": f"ci-{chat_id}",
            "message": message,
            "data": callback_data,
        }})

    # --- the HTTP side
    def handle(self, request: Request) -> None:
        """One Bot API call: ``/bot<token>/<method>``, parameters as form, JSON or multipart."""
        path = request.path.split("?", 1)[0]
        prefix = f"/bot{self.token}/"
        if not path.startswith("/bot"):
            return reply(request, 404, {"ok": False, "error_code": 404,
                                        "description": "Not Found"})
        if not path.startswith(prefix):
            return reply(request, 401, {"ok": False, "error_code": 401,
                                        "description": "Unauthorized"})
        method = path[len(prefix):]
        params = self._params(request)
        status, retry_after = self._faults.take(method) or (None, 0)
        if status is not None:
            self._record(method, params, status)
        if status == 0:
            return stall(request, retry_after)  # the bot times out; the connection is dropped
        if status == 429:
            return reply(request, 429, {
                "ok": False, "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            })
        if status is not None:
            return reply(request, status, {"ok": False, "error_code": status,
                                           "description": "Bad Gateway"})
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self._record(method, params, 404)
            return reply(request, 404, {"ok": False, "error_code": 404,
                                        "description": "Not Found: method not found"})
        if method == "getUpdates":
            # A long poll is recorded when it starts, so tests see the bot polling.
            self._record(method, params, 200)
            result = handler(params)
        else:
            result = handler(params)
            self._record(method, params, 200, result)
        return reply(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        body = read_body(request)
        kind = request.headers.get("Content-Type") or ""
        if not body:
            return {}
        if kind.startswith("application/json"):
            data = json.loads(body)
            return data if isinstance(data, dict) else {}
        if kind.startswith("multipart/form-data"):
            return FakeTelegram._multipart(kind, body)
        params: dict[str, Any] = {}
        for key, value in parse_qsl(body.decode(), keep_blank_values=True):
            if key in _JSON_FIELDS:
                try:
                    params[key] = json.loads(value)
                    continue
                except ValueError:
                    pass
            params[key] = value
        return params

    @staticmethod
    def _multipart(kind: str, body: bytes) -> dict[str, Any]:
        # Uploads (sendPhoto with a file): fields as text, files as bytes.
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + body)
        params: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            # Decoded, a part that is not itself multipart is bytes (None if empty).
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            if part.get_filename() is not None:
                params[str(name)] = data
                continue
            value = data.decode()
            try:
                params[str(name)] = json.loads(value) if name in _JSON_FIELDS else value
            except ValueError:
                params[str(name)] = value
        return params

    def _record(self, method: str, params: dict[str, Any], status: int,
                response: Any = None) -> Call:
        call = Call(method, params, status, response=response)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        return call

    # --- Bot API methods
    def _api_getMe(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return BOT_USER

    def _api_getUpdates(self, params: dict[str, Any]) -> Any:  # noqa: N802
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 10.0)
        with self._cond:
            # An offset confirms every update before it, as on Telegram.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self._updates[:limit])

    def _sent_message(self, params: dict[str, Any], message_id: int | None = None
                      ) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        message: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Dân"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return self._sent_message(params)

    def _api_sendPhoto(self, params: dict[str, Any]) -> Any:  # noqa: N802
        message = self._sent_message(params)
        message["photo"] = [{"file_id": f"photo-{message['message_id']}", "file_unique_id": "u",
                             "width": 720, "height": 1280}]
        return message

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return self._sent_message(params, int(params.get("message_id") or 0) or None)

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook = dict(params)
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook = {}
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}


def _chat_from_terminal() -> None:
    """Type messages as chat 1 and read the bot's replies (Ctrl-D ends)."""
    with FakeTelegram() as fake:
        print("Fake Telegram Bot API running. Start the bridge in another terminal with:\n"
              f"  TELEGRAM_BOT_TOKEN={fake.token} TELEGRAM_API_BASE_URL={fake.base_url} \\\n"
              "  .venv/bin/python -m bot.channels.telegram_bridge\n"
              "Then type a question and press Enter.")
        seen = 0
        for line in sys.stdin:
            if line.strip():
                fake.send_text(1, line.strip())
            time.sleep(0.5)
            try:
                fake.wait_for("sendMessage", chat_id=1, count=seen + 1, timeout=60)
                time.sleep(1.0)  # let the rest of the turn arrive
            except TimeoutError:
                print("(no answer: is the bridge running?)")
            for call in fake.calls("sendMessage", chat_id=1)[seen:]:
                print(call.text)
                for row in call.keyboard:
                    print("   " + "  ".join(f"[{b['text']}]" for b in row))
                seen += 1


if __name__ == "__main__":
    _chat_from_terminal()

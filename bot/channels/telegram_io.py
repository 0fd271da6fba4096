"""What the Telegram bridge needs around python-telegram-bot that PTB does not do.

* :class:`CallbackStore`: button payloads longer than Telegram's 64 bytes of callback
  data (PTB's ``arbitrary_callback_data`` needs the ``cachetools`` extra, not in
  requirements/catalog.lock).
* :class:`ChatLocks`: one chat's messages reach Rasa and come back in order while
  different chats are served at once (PTB's concurrent updates have no per-chat order).
* :class:`UpdatesRequest`: one malformed update would fail PTB's whole getUpdates batch,
  fetched again for ever; it is replaced by an empty update that gets confirmed.
* :class:`ApiRequest`: PTB retries connecting (getMe, setWebhook, deleteWebhook) for
  ever but says why only at DEBUG; here each failure is a WARNING.
* :func:`retrying`: PTB retries only 429s (``AIORateLimiter``); a 5xx, a network error
  or a timeout on ``sendMessage`` would lose the citizen's answer.
* :func:`send_photo_from_url`: the checklist card is uploaded, since the assistant's
  address is often not reachable from Telegram's servers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ContextTypes
from telegram.request import HTTPXRequest

log = logging.getLogger("telegram_bridge")

# Seconds before each new attempt at a message Telegram did not take: a citizen's
# answer is worth a few seconds' wait, not a loss.
RETRY_DELAYS = (0.5, 1.0, 2.0)
T = TypeVar("T")
# Telegram's limit on a button's callback data.
CALLBACK_DATA_MAX = 64


class CallbackStore:
    """Maps button payloads to callback data of at most 64 bytes, per chat.

    Rasa payloads such as ``/ask_fees`` or ``/choose_procedure{"procedure_code":"1.001193"}``
    usually fit and are sent as they are (a citizen could type them just the same).
    Longer ones are kept here under a short key (``k:<boot><n>``) that only the chat
    it was sent to can resolve; the boot prefix keeps keys from before a restart from
    resolving to another payload.

    Args:
        per_chat: keys kept for each chat (the oldest go first).
        max_chats: chats kept (the least recently used go first).
    """

    PREFIX = "k:"

    def __init__(self, per_chat: int = 200, max_chats: int = 20_000) -> None:
        self.per_chat = per_chat
        self.max_chats = max_chats
        self._boot = secrets.token_hex(2)
        self._next = 0
        self._chats: OrderedDict[int, OrderedDict[str, str]] = OrderedDict()

    def encode(self, chat_id: int, payload: str) -> str:
        """The callback data for ``payload`` in ``chat_id``."""
        if payload.startswith("/") and len(payload.encode()) <= CALLBACK_DATA_MAX:
            return payload
        keys = self._chats.setdefault(chat_id, OrderedDict())
        self._chats.move_to_end(chat_id)
        for key, known in keys.items():
            if known == payload:
                return key
        self._next += 1
        key = f"{self.PREFIX}{self._boot}{self._next:x}"
        keys[key] = payload
        while len(keys) > self.per_chat:
            keys.popitem(last=False)
        while len(self._chats) > self.max_chats:
            self._chats.popitem(last=False)
        return key

    def decode(self, chat_id: int, data: str | None) -> str | None:
        """The payload behind ``data``; None when it is unknown or stale."""
        if not data:
            return None
        if data.startswith("/"):
            return data if re.fullmatch(r"/\w+(\{.*\})?", data, re.DOTALL) else None
        keys = self._chats.get(chat_id)
        return keys.get(data) if keys else None


class ChatLocks:
    """One lock per chat, so a chat's messages reach Rasa and come back in order
    while different chats are served at the same time."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat's lock (locks nobody waits for are dropped)."""
        lock, users = self._locks.get(chat_id, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


class ApiRequest(HTTPXRequest):
    """The Bot API connection; failures of the calls PTB's start-up retries are logged."""

    STARTUP_METHODS = ("/getMe", "/setWebhook", "/deleteWebhook")

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        """PTB's post, logging why a start-up call failed (the URL holds the token: not logged)."""
        try:
            return await super().post(url, *args, **kwargs)
        except TelegramError as exc:
            if url.endswith(self.STARTUP_METHODS) and not isinstance(exc, InvalidToken):
                log.warning("Telegram %s failed (%s: %s); retrying", url.rsplit("/", 1)[-1],
                            type(exc).__name__, exc)
            raise


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection, with updates PTB cannot parse replaced by empty ones.

    PTB parses a batch of updates all at once: one malformed update fails the batch,
    and since its id is then never confirmed, polling would fetch it again forever.
    An empty update with the same id is confirmed and ignored instead. This request
    object carries only getUpdates, so every payload it parses is a batch of updates.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Parse Telegram's answer, then clean the updates in it."""
        data = HTTPXRequest.parse_json_payload(payload)
        if isinstance(data.get("result"), list):
            data["result"] = clean_updates(data["result"])
        return data


def clean_updates(items: list[Any]) -> list[dict[str, Any]]:
    """Keep parseable updates; empty the others (keeping their id) so they are confirmed."""
    clean = []
    for item in items:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("Dropped an update without an id")
            continue
        try:
            Update.de_json(dict(item), None)
        except Exception as exc:  # noqa: BLE001 - any parse failure: skip it
            log.warning("Ignored malformed update %d (%s)", update_id, type(exc).__name__)
            item = {"update_id": update_id}
        clean.append(item)
    return clean


async def retrying(call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, tried again after :data:`RETRY_DELAYS` when Telegram did not take it
    (5xx, network errors, timeouts); 429s are retried by PTB's rate limiter."""
    for delay in RETRY_DELAYS:
        try:
            return await call()
        except NetworkError as exc:
            log.warning("Telegram API failed (%s: %s); retrying in %.1fs",
                        type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
    return await call()


async def send_photo_from_url(context: ContextTypes.DEFAULT_TYPE, chat_id: int, url: str) -> None:
    """Send the image at ``url`` (served by the assistant) as a photo.

    The bytes are uploaded rather than the URL given to Telegram: the assistant's
    address is often not reachable from Telegram's servers. If the image cannot be
    fetched, its link is sent instead.
    """
    import httpx

    try:
        async with httpx.AsyncClient(timeout=15) as client:
            response = await client.get(url)
            response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("image not fetched (%s); sending its link", type(exc).__name__)
        await context.bot.send_message(chat_id, f"🖼 {url}")
        return
    await context.bot.send_photo(chat_id, photo=response.content)


# --- Running ----------------------------------------------------------------------------

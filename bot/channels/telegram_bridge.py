#!/usr/bin/env python
"""The Telegram bridge: Telegram chats <-> the assistant's REST channel.

Usage:
Each message a citizen sends the bot is forwarded to Rasa's REST webhook as
conversation ``tg-<chat id>``, and the replies are sent back: buttons become an inline
keyboard, a procedure answer gets a link to its portal page, long texts are split to
Telegram's limit. ``/start`` greets, ``/help`` explains; stickers, photos, voice notes,
files and edited messages get a short kind reply. Each chat may send
``TELEGRAM_RATE_LIMIT`` messages a minute; Telegram's "429 Too Many Requests" answers
are retried after the delay Telegram asks for, and 5xx answers, network errors and
timeouts a few times within seconds.

Long polling is the default, so the bot runs without a public HTTPS address. For
production behind HTTPS, ``TELEGRAM_MODE=webhook`` registers ``TELEGRAM_WEBHOOK_URL``
with Telegram together with ``TELEGRAM_WEBHOOK_SECRET``, and rejects every request that
does not carry that secret.

Settings come only from the environment (see ``.env.example`` and docs/telegram.md):
``TELEGRAM_BOT_TOKEN`` (required), ``TELEGRAM_MODE``, ``TELEGRAM_WEBHOOK_URL``,
``TELEGRAM_WEBHOOK_SECRET``, ``TELEGRAM_WEBHOOK_LISTEN``, ``TELEGRAM_WEBHOOK_PORT``,
``TELEGRAM_API_BASE_URL``, ``TELEGRAM_API_TIMEOUT``, ``TELEGRAM_RATE_LIMIT`` and ``RASA_URL``.

Run it (``make run`` does, when ``TELEGRAM_BOT_TOKEN`` is set)::

    TELEGRAM_BOT_TOKEN=123456:ABC... .venv/bin/python -m bot.channels.telegram_bridge

Press Ctrl-C on the command line or send a signal to the process to stop the bot.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import secrets
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.channels.limits import get_limits
from bot.channels.rasa_client import APOLOGY, RasaClient
from bot.channels.ratelimit import ConversationRateLimiter
from procedures_catalog.answers import split_message

log = logging.getLogger("telegram_bridge")

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_RATE_LIMIT = 20
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# Telegram counts a message's length in UTF-16 units (max 4096); leave room for emoji.
TEXT_LIMIT = 4000
TELEGRAM_TEXT_MAX = 4096
CALLBACK_DATA_MAX = 64
# Tapping a button that was already answered does nothing.
NOOP = "-"
# Seconds before each new attempt at a message Telegram did not take: a citizen's
# answer is worth a few seconds' wait, not a loss.
RETRY_DELAYS = (0.5, 1.0, 2.0)
T = TypeVar("T")

# --- What citizens read (short, plain, kind) -------------------------------------------
HELP_TEXT = (
    "Mình là trợ lý thủ tục hành chính của tỉnh. Bạn cứ gõ câu hỏi bằng lời của mình, "
    "ví dụ: “con mới sinh làm giấy gì”, “lệ phí sang tên sổ đỏ”.\n"
    "Bấm các nút dưới tin nhắn để hỏi tiếp. Cần gặp cán bộ, bạn gõ “gặp cán bộ”."
)
HELP_BUTTONS = [
    {"title": "🔎 Hỏi một thủ tục", "payload": "/ask_other"},
    {"title": "💻 Hướng dẫn dịch vụ công", "payload": "/portal_help"},
    {"title": "☎ Gặp cán bộ", "payload": "/human_handoff"},
]
SLOW_DOWN = "Bạn nhắn hơi nhanh, mình trả lời không kịp. Bạn chậm lại một chút rồi hỏi tiếp nhé."
STALE_BUTTON = "Nút này đã cũ nên mình không hiểu. Bạn gõ lại câu hỏi giúp mình nhé."
EDITED = "Mình chưa đọc được tin nhắn đã sửa. Bạn gửi lại thành tin nhắn mới giúp mình nhé."
VOICE = "Mình chưa nghe được tin nhắn thoại. Bạn gõ chữ giúp mình nhé, ví dụ: “làm giấy khai sinh”."
FILES = "Mình chưa xem được ảnh hay tệp. Bạn gõ câu hỏi bằng chữ giúp mình nhé."
OTHER_KIND = "Mình chỉ đọc được tin nhắn chữ. Bạn gõ câu hỏi giúp mình nhé."
PORTAL_TITLE = "🌐 Xem trên Cổng Dịch vụ công"
COMMANDS = [("start", "Bắt đầu trò chuyện"), ("help", "Cách hỏi trợ lý")]

# Messages citizens send that are not text; service messages in groups are not listed,
# so the bot stays quiet when someone joins or a message is pinned.
NON_TEXT = (
    filters.PHOTO | filters.Sticker.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO
    | filters.VIDEO_NOTE | filters.Document.ALL | filters.ANIMATION | filters.LOCATION
    | filters.CONTACT | filters.VENUE | filters.POLL | filters.Dice.ALL
)


class SettingsError(ValueError):
    """A missing or invalid setting; the message names the variable, never its value."""


@dataclass(frozen=True)
class Settings:
    """The bridge's settings; :meth:`from_env` is the only place that reads them.

    Attributes:
        token: the bot token from BotFather (never logged or shown).
        mode: ``polling`` (default) or ``webhook``.
        api_base_url: the Bot API URL the token is appended to (tests use a fake).
        rasa_url: where Rasa listens.
        rate_limit: messages a minute one chat may send (0: no limit).
        webhook_url: the public HTTPS address Telegram posts updates to.
        webhook_secret: the secret Telegram sends back in every webhook request.
        webhook_listen: the address the webhook server binds.
        webhook_port: the port the webhook server binds.
        bridge_token: the shared secret Rasa's REST channel expects from this bridge
            (``BRIDGE_TOKEN``; scripts/serve-telegram.sh keeps one in var/secrets/).
        api_timeout: seconds to wait for one Bot API answer before trying again.
    """

    token: str = field(repr=False)
    mode: str = "polling"
    api_base_url: str = DEFAULT_API_BASE_URL
    rasa_url: str = DEFAULT_RASA_URL
    rate_limit: int = DEFAULT_RATE_LIMIT
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    bridge_token: str | None = field(default=None, repr=False)
    api_timeout: float = 15.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the settings (empty values count as unset).

        Raises:
            SettingsError: a required variable is missing or a value is invalid.
        """
        env = os.environ if env is None else env

        def get(name: str, default: str | None = None) -> str | None:
            value = (env.get(name) or "").strip()
            return value or default

        token = get("TELEGRAM_BOT_TOKEN")
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token "
                                "(digits, a colon, then letters)")
        mode = (get("TELEGRAM_MODE", "polling") or "").lower()
        if mode not in ("polling", "webhook"):
            raise SettingsError("TELEGRAM_MODE must be 'polling' or 'webhook'")
        rate_limit = _int(get("TELEGRAM_RATE_LIMIT"), DEFAULT_RATE_LIMIT, "TELEGRAM_RATE_LIMIT")
        port = _int(get("TELEGRAM_WEBHOOK_PORT"), 8443, "TELEGRAM_WEBHOOK_PORT")
        api_timeout = _int(get("TELEGRAM_API_TIMEOUT"), 15, "TELEGRAM_API_TIMEOUT") or 15
        webhook_url, secret = get("TELEGRAM_WEBHOOK_URL"), get("TELEGRAM_WEBHOOK_SECRET")
        if mode == "webhook":
            if not webhook_url or not urlsplit(webhook_url).netloc:
                raise SettingsError("TELEGRAM_WEBHOOK_URL must be the bot's public HTTPS "
                                    "address in webhook mode")
            # Telegram accepts 1-256 characters from this set; without a secret anyone
            # who finds the URL could post fake updates.
            if not secret or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise SettingsError("TELEGRAM_WEBHOOK_SECRET must be set in webhook mode "
                                    "(1-256 characters: letters, digits, _ and -)")
        return cls(
            token=token,
            mode=mode,
            api_base_url=get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL) or "",
            rasa_url=get("RASA_URL", DEFAULT_RASA_URL) or "",
            rate_limit=rate_limit,
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_listen=get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1") or "",
            webhook_port=port,
            bridge_token=get("BRIDGE_TOKEN"),
            api_timeout=api_timeout,
        )


def _int(value: str | None, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None
    if number < 0:
        raise SettingsError(f"{name} must not be negative")
    return number


# --- Rendering Rasa's replies (pure: no Telegram calls) --------------------------------
@dataclass
class Button:
    """An inline button: a callback (``callback_data``) or a link (``url``)."""

    title: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class Outgoing:
    """One Telegram message to send: text and rows of inline buttons, or a photo."""

    text: str
    keyboard: list[list[Button]] = field(default_factory=list)
    photo: str | None = None  # the URL of an image to send as a photo (the checklist card)


def render(replies: Sequence[Mapping[str, Any]], encode: Callable[[str], str]) -> list[Outgoing]:
    """Turn Rasa's REST replies into Telegram messages.

    Texts longer than Telegram allows are split, the buttons going on the last part.
    A procedure payload becomes a link button to the procedure's portal page on the
    turn's last message, so the texts stay exactly those of every other channel; a
    choice payload is dropped (its buttons carry the choices) and so is the handoff
    payload (its text already shows the hotline, which Telegram makes tappable).

    Args:
        replies: the messages from :meth:`RasaClient.send`.
        encode: turns a button payload into callback data of at most 64 bytes.
    """
    out: list[Outgoing] = []
    card: Mapping[str, Any] | None = None
    card_at = 0
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, Mapping):
            if isinstance(custom.get("procedure"), Mapping):
                card, card_at = custom["procedure"], len(out)
            continue
        image = safe_url(str(reply.get("image") or ""))
        if image:
            out.append(Outgoing("", photo=image))
            continue
        text = str(reply.get("text") or "").strip()
        if not text:
            continue
        parts = split_text(text)
        out.extend(Outgoing(part) for part in parts)
        buttons = []
        for raw in reply.get("buttons") or []:
            if not isinstance(raw, Mapping):
                continue
            title = str(raw.get("title") or "").strip()
            target = str(raw.get("url") or raw.get("payload") or "").strip()
            if not title or not target:
                continue
            url = safe_url(target)
            buttons.append(Button(title, url=url) if url else Button(title, encode(target)))
        out[-1].keyboard = layout(buttons)
    if card is not None:
        url = safe_url(str(card.get("portal_url") or ""))
        if url:
            link = [Button(PORTAL_TITLE, url=url)]
            if len(out) > card_at:
                out[-1].keyboard.append(link)
            else:
                out.append(Outgoing(f"📌 {card.get('name') or card.get('code') or ''}".strip(),
                                    [link]))
    return out


def split_text(text: str) -> list[str]:
    """Split ``text`` into parts Telegram accepts (at most 4096 UTF-16 units each)."""
    parts = []
    for part in split_message(text, TEXT_LIMIT):
        if _utf16_len(part) <= TELEGRAM_TEXT_MAX:
            parts.append(part)
        else:  # mostly emoji or other characters outside the BMP
            parts.extend(split_message(part, TELEGRAM_TEXT_MAX // 2))
    return parts


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def safe_url(value: str) -> str | None:
    """``value`` if it is an http(s) URL Telegram will accept on a button, else None."""
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and not re.search(r"\s", value):
        return value
    return None


def layout(buttons: list[Button]) -> list[list[Button]]:
    """Two short buttons to a row (a small phone shows them whole), long ones alone."""
    if buttons and all(len(b.title) <= 20 for b in buttons):
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return [[b] for b in buttons]


def markup(keyboard: list[list[Button]], *, links: bool = True) -> InlineKeyboardMarkup | None:
    """The PTB keyboard for ``keyboard`` (``links=False`` leaves out the URL buttons)."""
    rows = []
    for row in keyboard:
        cells = [
            InlineKeyboardButton(b.title, url=b.url) if b.url
            else InlineKeyboardButton(b.title, callback_data=b.callback_data)
            for b in row if links or not b.url
        ]
        if cells:
            rows.append(cells)
    return InlineKeyboardMarkup(rows) if rows else None


# --- Per-chat state ---------------------------------------------------------------------
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


# Limits are per chat (see bot/channels/ratelimit.py); the name is kept for callers.
ChatRateLimiter = ConversationRateLimiter


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


class _UpdatesRequest(HTTPXRequest):
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


# --- The bridge -------------------------------------------------------------------------
class TelegramBridge:
    """Telegram handlers that forward to Rasa; build the PTB app with :meth:`application`.

    Args:
        settings: the bridge settings.
        rasa: the client of the Rasa REST channel.
    """

    def __init__(self, settings: Settings, rasa: RasaClient) -> None:
        self.settings = settings
        self.rasa = rasa
        self.callbacks = CallbackStore()
        self.limiter = ChatRateLimiter(settings.rate_limit)
        self.limits = get_limits()
        self.locks = ChatLocks()
        # Logs name chats by a keyed hash: stable for one deployment, not reversible.
        self._log_key = hashlib.sha256(settings.token.encode()).digest()

    def application(self) -> Application:
        """The PTB application with the bridge's handlers (no network calls yet)."""
        app = (
            ApplicationBuilder()
            .token(self.settings.token)
            .base_url(self.settings.api_base_url)
            .get_updates_request(_UpdatesRequest(connection_pool_size=1))
            .request(HTTPXRequest(connection_pool_size=64, connect_timeout=10,
                                  read_timeout=self.settings.api_timeout,
                                  write_timeout=self.settings.api_timeout))
            # Retries a 429 after the delay Telegram names (and Telegram's own
            # 30 messages/second limit is kept for all chats together).
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(True)
            # Link previews cost data and screen space; answers carry portal links.
            .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .build()
        )
        # Edited messages first: command and text handlers would take them otherwise.
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, self.on_edited))
        app.add_handler(CommandHandler("start", self.on_start,
                                       filters=filters.UpdateType.MESSAGE))
        app.add_handler(CommandHandler("help", self.on_help, filters=filters.UpdateType.MESSAGE))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & NON_TEXT, self.on_other))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_error_handler(self.on_error)
        return app

    @staticmethod
    async def register_commands(app: Application) -> None:
        """Show /start and /help in the menu next to the text box (best effort)."""
        with suppress(TelegramError):
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])

    # --- handlers
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text message (or an unknown /command): forward it to the assistant."""
        message = update.effective_message
        if message is None or update.effective_chat is None or not message.text:
            return
        await self.converse(context, update.effective_chat.id, message.text)

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start``: the assistant's own greeting, as on every other channel."""
        if update.effective_chat is not None:
            await self.converse(context, update.effective_chat.id, "/greet")

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/help``: how to ask, with buttons to start."""
        if update.effective_chat is not None:
            await self.reply_locally(context, update.effective_chat.id,
                                     [{"text": HELP_TEXT, "buttons": HELP_BUTTONS}])

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message: ask for a new one (answering edits would confuse the dialogue)."""
        if update.effective_chat is not None:
            await self.reply_locally(context, update.effective_chat.id, [{"text": EDITED}])

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, photo, voice note, file...: a short kind reply asking for text."""
        message = update.effective_message
        if message is None or update.effective_chat is None:
            return
        if message.caption and (message.photo or message.document):
            # A photo of the receipt with its code typed as the caption: read the caption.
            await self.converse(context, update.effective_chat.id, message.caption)
            return
        if message.voice or message.audio or message.video_note:
            text = VOICE
        elif message.photo or message.document or message.video or message.animation:
            text = FILES
        else:
            text = OTHER_KIND
        await self.reply_locally(context, update.effective_chat.id, [{"text": text}])

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button tap: answer it, mark the choice on the keyboard, send the payload on."""
        query = update.callback_query
        if query is None:
            return
        with suppress(TelegramError):
            await query.answer()  # stops the spinner on the button
        if query.data == NOOP:
            return
        chat_id = update.effective_chat.id if update.effective_chat else query.from_user.id
        payload = self.callbacks.decode(chat_id, query.data)
        if payload is None:
            log.info("chat %s: unknown or stale button", self.tag(chat_id))
            await self.reply_locally(context, chat_id, [{"text": STALE_BUTTON}])
            return
        if isinstance(query.message, Message):
            await self._mark_choice(query.message, query.data or "")
        await self.converse(context, chat_id, payload)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure (without message texts) and apologise to the chat."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Update %s failed: %s", update_id, type(context.error).__name__,
                  exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with suppress(TelegramError):
                await context.bot.send_message(update.effective_chat.id, APOLOGY)

    # --- the work
    async def converse(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                       text: str) -> None:
        """Forward ``text`` to the assistant as ``tg-<chat_id>`` and send back its replies."""
        if not await self._admit(context, chat_id):
            return
        if self.limits.too_long(text):
            async with self.locks.hold(chat_id):
                await self.deliver(context, chat_id, [{"text": self.limits.too_long_reply()}])
            return
        async with self.locks.hold(chat_id):
            started = time.monotonic()
            with suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            replies = await self.rasa.send(f"tg-{chat_id}", text)
            sent = await self.deliver(context, chat_id, replies)
            log.info("chat %s: %d replies sent in %.2fs", self.tag(chat_id), sent,
                     time.monotonic() - started)

    async def reply_locally(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                            replies: list[dict[str, Any]]) -> None:
        """Send the bridge's own replies (help, kind refusals), in turn with the rest."""
        if not await self._admit(context, chat_id):
            return
        async with self.locks.hold(chat_id):
            await self.deliver(context, chat_id, replies)

    async def deliver(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                      replies: Sequence[Mapping[str, Any]]) -> int:
        """Render and send ``replies``; return how many messages went out."""
        outgoing = render(replies, lambda payload: self.callbacks.encode(chat_id, payload))
        sent = 0
        for message in outgoing:
            try:
                await self._send(context, chat_id, message)
            except Forbidden:
                log.info("chat %s: the bot was blocked or removed", self.tag(chat_id))
                break
            except TelegramError as exc:
                log.warning("chat %s: sendMessage failed (%s: %s)", self.tag(chat_id),
                            type(exc).__name__, exc)
                break
            sent += 1
        return sent

    async def _send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                    message: Outgoing) -> None:
        if message.photo:
            await send_photo_from_url(context, chat_id, message.photo)
            return
        try:
            await retrying(lambda: context.bot.send_message(
                chat_id, message.text, reply_markup=markup(message.keyboard)))
        except BadRequest:
            # A link Telegram refuses must not cost the citizen the answer.
            if not any(b.url for row in message.keyboard for b in row):
                raise
            log.warning("chat %s: a link button was refused; sending without links",
                        self.tag(chat_id))
            await retrying(lambda: context.bot.send_message(
                chat_id, message.text, reply_markup=markup(message.keyboard, links=False)))

    async def _admit(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
        decision = self.limiter.check(chat_id)
        if decision == ChatRateLimiter.ALLOW:
            return True
        log.info("chat %s: over the rate limit (%s)", self.tag(chat_id), decision)
        if decision == ChatRateLimiter.WARN:
            with suppress(TelegramError):
                await context.bot.send_message(chat_id, SLOW_DOWN)
        return False

    async def _mark_choice(self, message: Message, data: str) -> None:
        """Replace the tapped keyboard by one inert button showing the choice."""
        keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
        title = next((b.text for row in keyboard for b in row if b.callback_data == data), None)
        if title is None:
            return
        with suppress(TelegramError):
            await message.edit_reply_markup(InlineKeyboardMarkup(
                [[InlineKeyboardButton(f"✓ {title}", callback_data=NOOP)]]))

    def tag(self, chat_id: int) -> str:
        """A short keyed hash of the chat id, for logs."""
        return hashlib.blake2b(str(chat_id).encode(), key=self._log_key, digest_size=5).hexdigest()


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


# --- Running ----------------------------------------------------------------------------
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


async def _until_stopped(stop: asyncio.Event, work: Coroutine[Any, Any, Any]) -> bool:
    """Run ``work`` unless ``stop`` is set first; True when the work finished."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopper):
        if pending not in done:
            pending.cancel()
            with suppress(asyncio.CancelledError):
                await pending
    return task in done and not task.cancelled() and task.exception() is None


async def _connect(app: Application, stop: asyncio.Event) -> bool:
    """Initialise the app (getMe), retrying: the bridge never takes `make run` down
    because Telegram is unreachable or the token is wrong; it logs why and retries."""
    delay = 2.0
    while not stop.is_set():
        try:
            await app.initialize()
            return True
        except InvalidToken:
            log.error("Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather "
                      "(retrying in 5 minutes)")
            delay = 300.0
        except TelegramError as exc:
            log.warning("Telegram unreachable (%s); retrying in %.0fs", type(exc).__name__, delay)
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, 300.0)
    return False


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the bridge until ``stop`` is set (or SIGINT/SIGTERM arrives)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with RasaClient(settings.rasa_url, channel="telegram",
                          token=settings.bridge_token) as rasa:
        app = TelegramBridge(settings, rasa).application()
        if not await _connect(app, stop):
            return
        try:
            log.info("Connected to Telegram as @%s", app.bot.username)
            await TelegramBridge.register_commands(app)
            if not await _until_stopped(stop, rasa.wait_ready()):
                return
            await app.start()
            updater = app.updater
            assert updater is not None  # the builder always makes one
            if settings.mode == "webhook":
                await updater.start_webhook(
                    listen=settings.webhook_listen, port=settings.webhook_port,
                    url_path=urlsplit(settings.webhook_url or "").path.lstrip("/"),
                    webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=-1,
                )
                log.info("Webhook mode: listening on %s:%d", settings.webhook_listen,
                         settings.webhook_port)
            else:
                await updater.start_polling(allowed_updates=list(ALLOWED_UPDATES),
                                            bootstrap_retries=-1)
                log.info("Polling mode: fetching updates from Telegram")
            await stop.wait()
        finally:
            log.info("Stopping the Telegram bridge")
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()


def main() -> int:
    """Read the settings, then run the bridge until stopped."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        level=logging.INFO)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())

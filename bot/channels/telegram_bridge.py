#!/usr/bin/env python
"""The Telegram bridge: Telegram chats <-> the assistant's REST channel.

Usage:
Each message a citizen sends the bot is forwarded to Rasa's REST webhook as
conversation ``tg-<chat id>``, and the replies are sent back (``telegram_render``):
buttons become an inline keyboard, a procedure answer gets a link to its portal page,
long texts are split to Telegram's limit. ``/start`` greets, ``/help`` explains;
stickers, photos, voice notes, files and edited messages get a short kind reply. Each
chat may send ``TELEGRAM_RATE_LIMIT`` messages a minute; Telegram's "429 Too Many
Requests" answers are retried after the delay Telegram asks for, and 5xx answers,
network errors and timeouts a few times within seconds.

python-telegram-bot does the rest: ``Application.run_polling`` (the default: no public
HTTPS address needed) or ``run_webhook`` with ``secret_token`` (``TELEGRAM_MODE=webhook``:
requests without ``TELEGRAM_WEBHOOK_SECRET`` are refused) run the process until
SIGINT/SIGTERM. What PTB does not do is in :mod:`bot.channels.telegram_io`; settings:
:mod:`bot.channels.telegram_settings` (docs/telegram.md).

Run it (``make run`` does, when ``TELEGRAM_BOT_TOKEN`` is set)::

    TELEGRAM_BOT_TOKEN=123456:ABC... .venv/bin/python -m bot.channels.telegram_bridge

Press Ctrl-C on the command line or send a signal to the process to stop the bot.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from typing import Any
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
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
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

from bot.channels.limits import get_limits
from bot.channels.rasa_client import APOLOGY, RasaClient
from bot.channels.ratelimit import ConversationRateLimiter
from bot.channels.replies import Reply, buttons_of, parse
from bot.channels.telegram_io import (
    ApiRequest,
    CallbackStore,
    ChatLocks,
    UpdatesRequest,
    retrying,
    send_photo_from_url,
)
from bot.channels.telegram_render import Outgoing, markup, render
from bot.channels.telegram_settings import Settings, SettingsError

log = logging.getLogger("telegram_bridge")

ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# Tapping a button that was already answered does nothing.
NOOP = "-"
# Seconds before trying a token Telegram refused again (make run must not stop).
TOKEN_RETRY = 300.0

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
COMMANDS = [("start", "Bắt đầu trò chuyện"), ("help", "Cách hỏi trợ lý")]

# Messages citizens send that are not text; service messages in groups are not listed,
# so the bot stays quiet when someone joins or a message is pinned.
NON_TEXT = (
    filters.PHOTO | filters.Sticker.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO
    | filters.VIDEO_NOTE | filters.Document.ALL | filters.ANIMATION | filters.LOCATION
    | filters.CONTACT | filters.VENUE | filters.POLL | filters.Dice.ALL
)

# Limits are per chat (see bot/channels/ratelimit.py).
ChatRateLimiter = ConversationRateLimiter


# --- The bridge -------------------------------------------------------------------------
class TelegramBridge:
    """Telegram handlers that forward to Rasa; build the PTB app with :meth:`application`.

    Args:
        settings: the bridge settings.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rasa = RasaClient(settings.rasa_url, channel="telegram", token=settings.bridge_token)
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
            .get_updates_request(UpdatesRequest(connection_pool_size=1))
            .request(ApiRequest(connection_pool_size=64, connect_timeout=10,
                                  read_timeout=self.settings.api_timeout,
                                  write_timeout=self.settings.api_timeout))
            # Retries a 429 after the delay Telegram names (and Telegram's own
            # 30 messages/second limit is kept for all chats together).
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(True)
            # Link previews cost data and screen space; answers carry portal links.
            .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .post_init(self.on_connected)
            .post_shutdown(self.on_shutdown)
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

    def run(self) -> None:
        """Poll Telegram, or serve the webhook, until SIGINT/SIGTERM (PTB's lifecycle)."""
        app = self.application()
        # Connecting is retried for ever: `make run` must not stop because Telegram is
        # unreachable (ApiRequest logs why).
        common: dict[str, Any] = {"allowed_updates": list(ALLOWED_UPDATES),
                                  "bootstrap_retries": -1, "close_loop": False}
        settings = self.settings
        if settings.mode == "webhook":
            log.info("Webhook mode: listening on %s:%d", settings.webhook_listen,
                     settings.webhook_port)
            app.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port,
                            url_path=urlsplit(settings.webhook_url or "").path.lstrip("/"),
                            webhook_url=settings.webhook_url,
                            secret_token=settings.webhook_secret, **common)
        else:
            log.info("Polling mode: fetching updates from Telegram")
            app.run_polling(**common)

    async def on_connected(self, app: Application) -> None:
        """After getMe: show /start and /help in the menu, then wait for Rasa, so that
        messages sent meanwhile stay queued at Telegram instead of getting an apology."""
        log.info("Connected to Telegram as @%s", app.bot.username)
        with suppress(TelegramError):
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
        await self.rasa.wait_ready()

    async def on_shutdown(self, app: Application) -> None:
        """Close the connections to Rasa."""
        log.info("Stopping the Telegram bridge")
        await self.rasa.aclose()

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
                                     [Reply(HELP_TEXT, buttons_of(HELP_BUTTONS))])

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message: ask for a new one (answering edits would confuse the dialogue)."""
        if update.effective_chat is not None:
            await self.reply_locally(context, update.effective_chat.id, [Reply(EDITED)])

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
        await self.reply_locally(context, update.effective_chat.id, [Reply(text)])

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
            await self.reply_locally(context, chat_id, [Reply(STALE_BUTTON)])
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
                await self.deliver(context, chat_id, [Reply(self.limits.too_long_reply())])
            return
        async with self.locks.hold(chat_id):
            started = time.monotonic()
            with suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            replies = parse(await self.rasa.send(f"tg-{chat_id}", text))
            sent = await self.deliver(context, chat_id, replies)
            log.info("chat %s: %d replies sent in %.2fs", self.tag(chat_id), sent,
                     time.monotonic() - started)

    async def reply_locally(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                            replies: list[Reply]) -> None:
        """Send the bridge's own replies (help, kind refusals), in turn with the rest."""
        if not await self._admit(context, chat_id):
            return
        async with self.locks.hold(chat_id):
            await self.deliver(context, chat_id, replies)

    async def deliver(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                      replies: Sequence[Reply]) -> int:
        """Render and send ``replies``; return how many messages went out."""
        sent = 0
        for message in render(replies):
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

        def encode(payload: str) -> str:
            return self.callbacks.encode(chat_id, payload)

        try:
            await retrying(lambda: context.bot.send_message(
                chat_id, message.text, reply_markup=markup(message.keyboard, encode)))
        except BadRequest:
            # A link Telegram refuses must not cost the citizen the answer.
            if not any(b.url for row in message.keyboard for b in row):
                raise
            log.warning("chat %s: a link button was refused; sending without links",
                        self.tag(chat_id))
            await retrying(lambda: context.bot.send_message(
                chat_id, message.text,
                reply_markup=markup(message.keyboard, encode, links=False)))

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


# --- Running ----------------------------------------------------------------------------
def main() -> int:
    """Read the settings, then run the bridge until stopped."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        level=logging.INFO)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # PTB logs a refused token with a traceback that quotes it; main() says it instead.
    logging.getLogger("telegram.ext").addFilter(lambda r: "Invalid token" not in str(r.msg))
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    while True:
        try:
            TelegramBridge(settings).run()
            return 0
        except InvalidToken:
            log.error("Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather "
                      "(retrying in %.0f minutes)", TOKEN_RETRY / 60)
        try:  # PTB's stop signals (still set on this loop) raise SystemExit here
            asyncio.get_event_loop().run_until_complete(asyncio.sleep(TOKEN_RETRY))
        except SystemExit:
            return 0


if __name__ == "__main__":
    sys.exit(main())

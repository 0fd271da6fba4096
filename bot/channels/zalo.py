"""Zalo Official Account channel for the Rasa server.

Zalo posts OA events to ``POST /webhooks/zalo/webhook``; replies go out through the OA
message API (``/v3.0/oa/message/cs``). Enable it with a credentials section (no keys:
every setting comes from the environment, see :class:`ZaloSettings`)::

    bot.channels.zalo.ZaloInput:

``scripts/serve-rasa.sh`` adds that section itself when ``ZALO_APP_ID``,
``ZALO_OA_SECRET_KEY`` and ``ZALO_ACCESS_TOKEN`` are set. See docs/zalo.md.

What the webhook does with a request, in order:

1. refuses (401) a missing or wrong ``X-ZEvent-Signature`` and stale events;
2. answers 200 to a redelivered event without processing it again;
3. answers 200 at once and handles the event in the background (Zalo waits for no
   reply text, and a slow answer must not make it redeliver):
   ``user_send_text`` goes to the bot; ``follow`` gets the bot's greeting; pictures,
   files and voice messages get a short kind reply; stickers, GIFs, Zalo's echoes of
   our own messages and delivery/seen receipts are acknowledged silently.

This module runs inside the Rasa environment: it must not import ``procedures_catalog``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_guards
from bot.channels import zalo_messages as messages
from bot.channels.limits import EnvReader, get_limits
from bot.channels.masked_rest import mask_message
from bot.channels.replies import parse_message
from bot.channels.zalo_signing import (
    LIMITED_NOTIFY,
    LIMITED_SILENT,
    SIGNATURE_HEADER,
    RateLimiter,
    ReplayCache,
    WebhookRejected,
    event_key,
    verify_request,
)

logger = logging.getLogger(__name__)

SENDER_PREFIX = "zalo-"
MESSAGE_PATH = "/v3.0/oa/message/cs"
TOKEN_ERROR_CODES = {-216}  # "Access token is invalid" (also given for expired tokens)
TOKEN_ERROR_LOG = "Zalo access token expired or invalid: refresh ZALO_ACCESS_TOKEN"
# Seconds before each new attempt at a message Zalo did not take (5xx, 429, network):
# a citizen's answer is worth a few seconds' wait, not a loss.
RETRY_DELAYS = (0.5, 1.0, 2.0)
MAX_RETRY_AFTER = 10.0

# Events answered with a short kind reply instead of going to the bot.
VOICE_EVENTS = {"user_send_audio"}
NOT_TEXT_EVENTS = {
    "user_send_image", "user_send_file", "user_send_video", "user_send_location",
    "user_send_link", "user_send_business_card",
}
# User events acknowledged without a reply: a sticker is usually a "thanks" or "ok".
SILENT_USER_EVENTS = {"user_send_sticker", "user_send_gif"}


@dataclass(frozen=True)
class ZaloSettings:
    """The channel's settings; the environment is the only source (no secrets in files)."""

    app_id: str
    secret_key: str = field(repr=False)
    access_token: str = field(repr=False)
    api_base_url: str = "https://openapi.zalo.me"
    max_event_age: float = 300.0
    rate_limit: int = 20
    dedup_redis_url: str | None = None
    api_timeout: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ZaloSettings:
        """Read ``ZALO_*`` variables (see .env.example).

        Raises:
            RasaException: a required variable is missing or a number is malformed.
        """
        read = EnvReader(environ)
        required = {name: read.text(name) or ""
                    for name in ("ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN")}
        missing = [name for name, value in required.items() if not value]
        if missing:
            raise RasaException(
                f"The zalo channel needs {', '.join(missing)} in the environment (see docs/zalo.md)."
            )
        try:
            max_age = read.number("ZALO_MAX_EVENT_AGE", 300.0, kind=float, minimum=None)
            rate = read.number("ZALO_RATE_LIMIT", 20, kind=int, minimum=None)
            timeout = read.number("ZALO_API_TIMEOUT", 10.0, kind=float, minimum=None)
        except ValueError as exc:
            raise RasaException(str(exc)) from exc
        return cls(
            app_id=required["ZALO_APP_ID"],
            secret_key=required["ZALO_OA_SECRET_KEY"],
            access_token=required["ZALO_ACCESS_TOKEN"],
            api_base_url=(read.text("ZALO_API_BASE_URL") or "https://openapi.zalo.me").rstrip("/"),
            max_event_age=max_age,
            rate_limit=rate,
            dedup_redis_url=read.text("ZALO_DEDUP_REDIS_URL"),
            api_timeout=timeout,
        )


class ZaloApi:
    """A small client of the OA message API; never raises on API or network errors."""

    OK, TOKEN_REJECTED, FAILED = "ok", "token-rejected", "failed"

    def __init__(self, settings: ZaloSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's event loop (nothing at import time).
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.api_timeout)
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (server shutdown)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def send(self, body: dict[str, Any]) -> str:
        """POST one message, retrying what Zalo did not take (network errors, timeouts,
        5xx, 429); returns OK, TOKEN_REJECTED or FAILED (and logs why)."""
        url = self.settings.api_base_url + MESSAGE_PATH
        for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
            try:
                async with self._client().post(
                    url, json=body, headers={"access_token": self.settings.access_token},
                ) as reply:
                    status = reply.status
                    retry_after = reply.headers.get("Retry-After")
                    try:
                        data = await reply.json(content_type=None)
                    except (ValueError, aiohttp.ContentTypeError):
                        data = None
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                problem = f"unreachable ({exc or type(exc).__name__})"
            else:
                if status != 429 and status < 500:
                    return self._outcome(body, status, data)
                problem, delay = f"HTTP {status}", _retry_delay(retry_after, delay)
            if delay is None:
                logger.error("Zalo API %s at %s; message dropped after %d attempts",
                             problem, url, attempt)
                return self.FAILED
            logger.warning("Zalo API %s; retrying in %.1fs", problem, delay)
            await asyncio.sleep(delay)
        return self.FAILED  # not reached: the last delay is None

    def _outcome(self, body: dict[str, Any], status: int, data: Any) -> str:
        user = body.get("recipient", {}).get("user_id")
        code = data.get("error") if isinstance(data, dict) else None
        if status == 401 or code in TOKEN_ERROR_CODES:
            detail = f"HTTP {status}" if code is None else f"Zalo error {code}: {data.get('message')}"
            logger.error("%s (%s)", TOKEN_ERROR_LOG, detail)
            return self.TOKEN_REJECTED
        if status != 200 or not isinstance(data, dict) or code not in (0, None):
            message = data.get("message") if isinstance(data, dict) else None
            logger.error("Zalo refused a message to user %s: HTTP %s, error %s %s",
                         user, status, code, message or "")
            return self.FAILED
        return self.OK


class ZaloOutput(OutputChannel):
    """Sends the bot's messages to one Zalo user through the OA message API."""

    @classmethod
    def name(cls) -> str:
        """The channel's name."""
        return "zalo"

    def __init__(self, api: ZaloApi) -> None:
        self.api = api
        # Once Zalo refuses the token, the rest of this turn's messages would fail too:
        # stop there, so one message from the citizen gives one clear ERROR line.
        self.token_rejected = False

    async def _send_all(self, bodies: list[dict[str, Any]]) -> None:
        for body in bodies:
            if self.token_rejected:
                return
            if await self.api.send(body) == ZaloApi.TOKEN_REJECTED:
                self.token_rejected = True

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Send one bot message: its replies, rendered for Zalo (``zalo_messages``)."""
        user_id = zalo_user_id(recipient_id)
        for reply in parse_message(message):
            await self._send_all(messages.render(user_id, reply))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text (split if over Zalo's length limit)."""
        await self._send_all(messages.text_bodies(zalo_user_id(recipient_id), text))


def _retry_delay(retry_after: str | None, default: float | None) -> float | None:
    """The wait a 429 / 503 asks for (``Retry-After`` seconds, capped), else ``default``."""
    if default is None or not retry_after:
        return default
    try:
        return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return default


def zalo_user_id(sender_id: str) -> str:
    """The Zalo user id behind a Rasa conversation id (``zalo-<user id>``)."""
    return sender_id[len(SENDER_PREFIX):] if sender_id.startswith(SENDER_PREFIX) else sender_id


class _RedisReplayCache:
    """The replay cache in Redis, shared by several Rasa instances (SET NX EX)."""

    def __init__(self, url: str, ttl: float, fallback: ReplayCache) -> None:
        import redis.asyncio as redis_asyncio  # the Rasa environment ships redis

        self._redis = redis_asyncio.from_url(url)
        self._ttl = max(1, int(ttl))
        self._fallback = fallback

    async def seen_before(self, key: str) -> bool:
        try:
            created = await self._redis.set(f"zalo:event:{key}", 1, nx=True, ex=self._ttl)
        except Exception as exc:  # noqa: BLE001 - any Redis failure: keep serving
            logger.warning("Zalo replay cache: Redis unavailable (%s), using memory", exc)
            return self._fallback.seen_before(key)
        return not created

    async def close(self) -> None:
        await self._redis.close()


class ZaloInput(InputChannel):
    """The Zalo OA webhook: ``POST /webhooks/zalo/webhook`` (health: ``GET /webhooks/zalo/``)."""

    @classmethod
    def name(cls) -> str:
        """The channel's name (also its URL prefix)."""
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Settings come from the environment; the credentials section stays empty."""
        if credentials:
            logger.warning("The zalo credentials section is ignored: set ZALO_* in the environment")
        rasa_guards.install()
        return cls(ZaloSettings.from_env())

    def __init__(self, settings: ZaloSettings) -> None:
        self.settings = settings
        self.api = ZaloApi(settings)
        # A replay is refused as stale once its timestamp is max_event_age away from
        # now, either way: an accepted event needs remembering for twice that at most.
        ttl = 2 * settings.max_event_age if settings.max_event_age > 0 else 24 * 3600
        self._memory_cache = ReplayCache(ttl)
        self._redis_cache = (_RedisReplayCache(settings.dedup_redis_url, ttl, self._memory_cache)
                             if settings.dedup_redis_url else None)
        self.rate_limiter = RateLimiter(settings.rate_limit)
        self.limits = get_limits()
        self._tasks: set[asyncio.Task] = set()

    def get_output_channel(self) -> OutputChannel:
        """For messages the server sends on its own (e.g. ``/conversations/.../execute``)."""
        return ZaloOutput(self.api)

    async def _seen_before(self, key: str) -> bool:
        if self._redis_cache is not None:
            return await self._redis_cache.seen_before(key)
        return self._memory_cache.seen_before(key)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health and webhook routes."""
        zalo_webhook = Blueprint("zalo_webhook")

        @zalo_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @zalo_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            try:
                event = verify_request(
                    request.headers.get(SIGNATURE_HEADER), request.body or b"",
                    app_id=self.settings.app_id, secret=self.settings.secret_key,
                    max_age=self.settings.max_event_age,
                )
            except WebhookRejected as exc:
                # Every genuine event fails like this when the secret key is wrong:
                # a warning makes that visible.
                logger.warning("Zalo webhook request refused: %s", exc.reason)
                return response.json({"error": exc.reason}, status=401)
            if await self._seen_before(event_key(event, request.body)):
                logger.info("Zalo event redelivered, skipped: %s", event_key(event, request.body))
                return response.json({"status": "duplicate"})
            task = asyncio.get_running_loop().create_task(self._handle(event, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "ok"})

        @zalo_webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.api.close()
            if self._redis_cache is not None:
                await self._redis_cache.close()

        return zalo_webhook

    async def _handle(self, event: dict[str, Any],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Act on one verified, new event; logs instead of raising."""
        name = str(event.get("event_name") or "")
        try:
            user_id = self._user_of(event)
            if not user_id or not (name.startswith("user_send_") or name == "follow"):
                # Echoes of our own messages (oa_send_*), receipts, unfollow, anonymous
                # visitors (the CS API cannot answer them): acknowledged, nothing else.
                logger.debug("Zalo event %s acknowledged without reply", name)
                return
            out = ZaloOutput(self.api)
            sender_id = SENDER_PREFIX + user_id
            decision = self.rate_limiter.hit(user_id)
            if decision == LIMITED_SILENT:
                return
            if decision == LIMITED_NOTIFY:
                logger.info("Zalo user %s is over ZALO_RATE_LIMIT, messages dropped", user_id)
                await out.send_text_message(sender_id, messages.RATE_LIMIT_REPLY)
                return
            raw_message = event.get("message")
            message: dict[str, Any] = raw_message if isinstance(raw_message, dict) else {}
            if name == "user_send_text":
                text = str(message.get("text") or "").strip()
                if self.limits.too_long(text):
                    await out.send_text_message(sender_id, self.limits.too_long_reply())
                elif text:
                    await on_new_message(self._user_message(text, out, sender_id, event, message))
            elif name == "follow":
                # A new follower gets the bot's own greeting, as on every channel.
                await on_new_message(self._user_message("/greet", out, sender_id, event, message))
            elif name in VOICE_EVENTS:
                await out.send_text_message(sender_id, messages.VOICE_REPLY)
            elif name in NOT_TEXT_EVENTS:
                await out.send_text_message(sender_id, messages.NOT_TEXT_REPLY)
            elif name not in SILENT_USER_EVENTS:
                logger.debug("Zalo event %s acknowledged without reply", name)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one bad event must not take the server down
            logger.exception("Zalo event %s could not be handled", name)

    def _user_message(self, text: str, out: ZaloOutput, sender_id: str,
                      event: Mapping[str, Any], message: Mapping[str, Any]) -> UserMessage:
        return UserMessage(
            mask_message(text, sender_id), out, sender_id, input_channel=self.name(),
            message_id=message.get("msg_id") or None,
            metadata={"zalo": {"event": event.get("event_name"), "msg_id": message.get("msg_id")}},
        )

    @staticmethod
    def _user_of(event: Mapping[str, Any]) -> str | None:
        """The Zalo user id an event is about (follow events name a ``follower``)."""
        for key in ("sender", "follower"):
            value = event.get(key)
            if isinstance(value, Mapping) and value.get("id"):
                return str(value["id"])
        return None

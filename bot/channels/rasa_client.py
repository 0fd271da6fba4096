"""A small async client for Rasa's REST channel, shared by the chat bridges.

The bridges (Telegram, ...) run outside the Rasa process and talk to it the way any
other channel does: ``POST {RASA_URL}/webhooks/rest/webhook`` with ``{"sender",
"message", "metadata"}``, answered by a list of ``{"text", "buttons"}`` and
``{"custom": {...}}`` messages. Whatever goes wrong on the way (Rasa still loading,
a timeout, a 500, a body that is not a list) becomes one kind apology in Vietnamese:
a citizen never sees a stack trace and the bridge never crashes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

# What the citizen reads when the assistant cannot answer (the bridges import it here).
from bot.channels.limits import BRIDGE_HEADER
from bot.resilience import APOLOGY

log = logging.getLogger(__name__)

Message = dict[str, Any]


class RasaClient:
    """Send citizens' messages to Rasa's REST webhook and return its replies.

    Args:
        base_url: where Rasa listens, e.g. ``http://127.0.0.1:5005``.
        channel: the channel name passed in the message metadata (the actions log it).
        timeout: seconds to wait for one answer (actions may query the catalogue).
        connect_timeout: seconds to wait for a connection.
        token: the shared ``BRIDGE_TOKEN``: with it Rasa's REST channel records this
            bridge's channel and lets it use its conversation ids (``tg-...``).
        transport: an httpx transport (tests only; the end-to-end tests use a real Rasa).
    """

    def __init__(self, base_url: str, *, channel: str, timeout: float = 30.0,
                 connect_timeout: float = 5.0, token: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.channel = channel
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={BRIDGE_HEADER: token} if token else None,
            transport=transport,
        )

    async def __aenter__(self) -> RasaClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def send(self, sender: str, message: str) -> list[Message]:
        """Send one message and return the assistant's replies.

        Args:
            sender: the conversation id (e.g. ``tg-<chat id>``).
            message: the citizen's text, or a button payload such as ``/ask_fees``.

        Returns:
            Rasa's messages in order; ``[{"text": APOLOGY}]`` when Rasa could not answer.
        """
        body = {"sender": sender, "message": message, "metadata": {"channel": self.channel}}
        started = time.monotonic()
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # The message text is deliberately not logged.
            log.warning("Rasa did not answer (%s: %s)", type(exc).__name__, _short(exc))
            return [{"text": APOLOGY}]
        if not isinstance(replies, list):
            log.warning("Rasa answered %s instead of a list of messages", type(replies).__name__)
            return [{"text": APOLOGY}]
        log.debug("Rasa answered %d messages in %.2fs", len(replies), time.monotonic() - started)
        return [reply for reply in replies if isinstance(reply, dict)]

    async def is_ready(self) -> bool:
        """Whether the Rasa server answers at all (``GET /`` needs no token)."""
        try:
            response = await self._client.get("/", timeout=5.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def wait_ready(self, *, interval: float = 2.0, log_every: float = 30.0) -> None:
        """Wait until Rasa answers; it can take a minute to load its model.

        Messages that arrive meanwhile stay queued at the chat platform instead of
        being answered with an apology.
        """
        waited = 0.0
        next_log = 0.0
        while not await self.is_ready():
            if waited >= next_log:
                log.info("Waiting for Rasa at %s ...", self.base_url)
                next_log += log_every
            await asyncio.sleep(interval)
            waited += interval


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else ""

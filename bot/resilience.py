"""A kind reply instead of silence when the action server cannot answer.

Rasa 3.6 logs a failed custom action (action server down, restarting, answering 5xx
because the catalogue database is unreachable, or hanging) and goes on without it:
the citizen gets no reply at all, or waits Rasa's five-minute request timeout.
:func:`install` wraps ``RemoteAction.run`` so that such a failure becomes one short
apology in Vietnamese within :data:`ACTION_TIMEOUT_SECONDS`, and the conversation goes
on: the next message is handled as usual once the action server is back.

A 400 answer (an action rejecting itself, which lets other policies act) is left to
Rasa. Installed by the tracker store when Rasa creates it (bot/tracker_store.py), so
every configuration (``bot/endpoints.yml``, ``bot/endpoints.redis.yml``) has it.

Nothing here imports Rasa at import time: the chat bridges share :data:`APOLOGY`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)

#: What the citizen reads when the assistant cannot answer right now.
APOLOGY = "Xin lỗi, hệ thống đang bận nên chưa trả lời được. Bạn thử lại sau ít phút nhé."
#: The longest a citizen waits for one action (a catalogue answer takes milliseconds).
ACTION_TIMEOUT_SECONDS = 15.0

_installed = False


def install() -> None:
    """Wrap ``RemoteAction.run`` (once per process)."""
    global _installed
    if _installed:
        return
    import aiohttp
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.events import BotUttered
    from rasa.shared.exceptions import RasaException

    run = RemoteAction.run

    async def run_or_apologise(self: Any, output_channel: Any, nlg: Any, tracker: Any,
                               domain: Any) -> list[Any]:
        try:
            return await asyncio.wait_for(run(self, output_channel, nlg, tracker, domain),
                                          ACTION_TIMEOUT_SECONDS)
        except ActionExecutionRejection:
            raise
        except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.error("Action %s failed (%s: %s); the citizen gets an apology",
                         self.name(), type(exc).__name__, exc)
            return [BotUttered(APOLOGY, metadata={"action_failed": self.name()})]

    RemoteAction.run = run_or_apologise  # type: ignore[method-assign]
    _installed = True

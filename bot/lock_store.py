"""Rasa's Redis lock store, serving on when Redis is unreachable.

With several Rasa instances, a Redis lock keeps each conversation's messages in order
across instances (bot/endpoints.redis.yml). Rasa's ``RedisLockStore`` fails every
message while Redis is down: the REST channel then answers an empty list and the
citizen hears nothing. :class:`ResilientRedisLockStore` logs a clear error and serves
the message under this instance's own lock instead (the conversation is still in
order within the instance; the tracker store keeps it consistent), and goes back to
Redis with the next message once Redis answers again.

Rasa calls Redis's blocking client on the event loop (about seven round trips a
message): on a busy machine every other conversation of the instance waited for each
of them. Here they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class ResilientRedisLockStore(RedisLockStore):
    """``RedisLockStore`` falling back to a per-instance lock while Redis is down.

    Args:
        endpoint_config: the ``lock_store`` section of the endpoints file (``url`` is
            Redis's host; ``port``, ``db``, ``key_prefix``... as for ``type: redis``).
    """

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        self._local = InMemoryLockStore()

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock: Redis's, or this instance's while Redis is down."""
        try:
            ticket = await asyncio.to_thread(self.issue_ticket, conversation_id, lock_lifetime)
        except LockError as exc:
            logger.error("Redis lock store unreachable (%s): serving the message with this "
                         "instance's lock only", _first_line(exc))
            async with self._local.lock(conversation_id, lock_lifetime,
                                        wait_time_in_seconds) as local:
                yield local
            return
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            try:
                await asyncio.to_thread(self.cleanup, conversation_id, ticket)
            except Exception as exc:  # noqa: BLE001 - the ticket expires with its lifetime
                logger.error("Redis lock store unreachable (%s): the ticket expires by itself",
                             _first_line(exc))

    async def _acquire_lock(self, conversation_id: str, ticket: int,
                            wait_time_in_seconds: float) -> TicketLock:
        """Rasa's ``LockStore._acquire_lock``, with the Redis round trips off the event loop."""
        while True:
            lock = await asyncio.to_thread(self.get_lock, conversation_id)
            if not lock:
                break  # expired
            if not lock.is_locked(ticket):
                return lock
            logger.debug("conversation %s: %d message(s) before this one, retrying in %s s",
                         conversation_id, ticket - (lock.now_serving or 0), wait_time_in_seconds)
            await asyncio.sleep(wait_time_in_seconds)
            await asyncio.to_thread(self.update_lock, conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


def _first_line(exc: Any) -> str:
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__

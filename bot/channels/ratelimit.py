"""A per-conversation rate limit shared by the Telegram bridge and the Zalo channel.

Limits are per conversation (chat or user id), never per address: many rural users
reach us through one carrier address. At most ``per_minute`` messages in any sliding
window of ``window`` seconds; the first message over the limit gets WARN (tell the
citizen once, kindly), the rest DROP until the window has room again. Standard library
only, so it runs in both virtual environments.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable


class ConversationRateLimiter:
    """Sliding-window limit per conversation key."""

    ALLOW, WARN, DROP = "allow", "warn", "drop"

    def __init__(self, per_minute: int, *, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._keys: OrderedDict[Hashable, tuple[deque[float], bool]] = OrderedDict()

    def check(self, key: Hashable, now: float | None = None) -> str:
        """ALLOW (and count) a message of ``key``, WARN once, or DROP it."""
        if self.per_minute <= 0:
            return self.ALLOW
        current = self.clock() if now is None else now
        times, warned = self._keys.pop(key, (deque(), False))
        while times and times[0] <= current - self.window:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(current)
            decision, warned = self.ALLOW, False
        else:
            decision, warned = (self.DROP, True) if warned else (self.WARN, True)
        self._keys[key] = (times, warned)  # most recently active last
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)
        return decision

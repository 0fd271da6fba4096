"""Failed sign-ins counted per key (an address, or an account from an address).

The workspace refuses more sign-in attempts from one address once it failed too often,
whatever the account names tried (guessing names or passwords gets nowhere), and locks
an account only for the address that failed on it: a stranger cannot lock the staff
out of their own accounts from elsewhere. In memory: the workspace is one process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable


class FailureThrottle:
    """At most ``limit`` failures per key in any ``window`` seconds.

    Args:
        limit: failures allowed in the window; the next attempt is refused.
        window: the sliding window, in seconds.
        clock: the time source (tests pass their own).
        max_keys: keys remembered at most (the least recently failed are forgotten).
    """

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 50_000) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: OrderedDict[Hashable, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        times = self._failures.get(key) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, key: Hashable) -> bool:
        """Whether ``key`` used up its failures (its next attempt is refused)."""
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def left(self, key: Hashable) -> int:
        """Failures ``key`` may still have before it is blocked."""
        with self._lock:
            return max(self.limit - len(self._recent(key, self.clock())), 0)

    def fail(self, key: Hashable) -> None:
        """Count one failure of ``key``."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures.pop(key, None)
            self._failures[key] = times
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: Hashable) -> None:
        """Forget ``key``'s failures (after a successful sign-in)."""
        with self._lock:
            self._failures.pop(key, None)

    def retry_after(self, key: Hashable) -> float:
        """Seconds until ``key`` may try again (0 if it may now)."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0.0
            return max(times[len(times) - self.limit] + self.window - now, 0.0)

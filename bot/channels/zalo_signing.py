"""Zalo OA webhook security: signatures, freshness, replays and per-user rate limits.

Zalo signs every webhook request with the header ``X-ZEvent-Signature: mac=<hex>``,
where ``<hex>`` is SHA-256 over the app id, the raw request body, the event's own
``timestamp`` field (milliseconds since the epoch, exactly as sent) and the OA secret
key, concatenated in that order. It is a plain hash of a secret-bearing string, not an
HMAC: that is how Zalo documents it, so that is what we check.

Both ``bot/channels/zalo.py`` (inside the Rasa server) and the tests (in the catalogue
environment, which has no Rasa) import this module, so it depends on the standard
library only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from bot.channels.ratelimit import ConversationRateLimiter

SIGNATURE_HEADER = "X-ZEvent-Signature"
_MAC_PREFIX = "mac="
# Zalo sends milliseconds; anything below this is taken to be seconds.
_MILLISECONDS_FROM = 10**11


class WebhookRejected(Exception):
    """A webhook request that must not be processed; ``reason`` is safe to return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def compute_mac(app_id: str, raw_body: bytes, timestamp: str, secret: str) -> str:
    """The hex SHA-256 of app id + raw body + timestamp + OA secret key."""
    digest = hashlib.sha256()
    digest.update(app_id.encode("utf-8"))
    digest.update(raw_body)
    digest.update(timestamp.encode("utf-8"))
    digest.update(secret.encode("utf-8"))
    return digest.hexdigest()


def sign(app_id: str, raw_body: bytes, timestamp: str, secret: str) -> str:
    """The ``X-ZEvent-Signature`` header value Zalo would send for this request."""
    return _MAC_PREFIX + compute_mac(app_id, raw_body, timestamp, secret)


def verify_signature(header: str | None, app_id: str, raw_body: bytes, timestamp: str,
                     secret: str) -> bool:
    """Whether ``header`` is the valid signature of the request (constant-time compare)."""
    if not header:
        return False
    given = header.strip()
    if given[: len(_MAC_PREFIX)].lower() == _MAC_PREFIX:
        given = given[len(_MAC_PREFIX):].strip()
    expected = compute_mac(app_id, raw_body, timestamp, secret)
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), expected.encode("ascii"))


def event_time(timestamp: str) -> float:
    """Seconds since the epoch of an event ``timestamp`` (Zalo sends milliseconds)."""
    value = float(timestamp)
    return value / 1000 if value >= _MILLISECONDS_FROM else value


def is_fresh(timestamp: str, max_age: float, now: float | None = None) -> bool:
    """Whether the event is at most ``max_age`` seconds old (or ahead); 0 turns it off.

    Events from the future are held to the same bound, so a replay cannot be prepared
    in advance by signing a far-future timestamp.
    """
    if max_age <= 0:
        return True
    try:
        when = event_time(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    return abs(current - when) <= max_age


def verify_request(header: str | None, raw_body: bytes, *, app_id: str, secret: str,
                   max_age: float, now: float | None = None) -> dict[str, Any]:
    """Check one webhook request and return its event.

    Args:
        header: the ``X-ZEvent-Signature`` header, if any.
        raw_body: the request body exactly as received (the signature covers its bytes).
        app_id: our Zalo app id.
        secret: the OA secret key.
        max_age: the largest accepted event age in seconds (0: no limit).
        now: the current time, for tests.

    Raises:
        WebhookRejected: missing or wrong signature, unreadable body, or stale event.
    """
    if not header:
        raise WebhookRejected("missing signature")
    try:
        event = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        event = None
    if not isinstance(event, dict) or event.get("timestamp") in (None, ""):
        # Without the event's timestamp there is nothing to check the signature against.
        raise WebhookRejected("invalid signature")
    timestamp = str(event["timestamp"])
    if not verify_signature(header, app_id, raw_body, timestamp, secret):
        raise WebhookRejected("invalid signature")
    if not is_fresh(timestamp, max_age, now):
        raise WebhookRejected("stale event")
    return event


def event_key(event: Mapping[str, Any], raw_body: bytes) -> str:
    """The identity of an event for replay detection.

    Message events carry Zalo's ``msg_id``; others (follow, unfollow...) have none, so
    their exact signed body stands in for it.
    """
    message = event.get("message")
    if isinstance(message, Mapping) and message.get("msg_id"):
        return f"msg:{message['msg_id']}"
    return "body:" + hashlib.sha256(raw_body).hexdigest()


class ReplayCache:
    """Remembers recent event keys so a redelivered event is processed once.

    In memory and bounded: entries expire after ``ttl`` seconds, and the oldest go first
    when ``max_entries`` is reached. It only covers one process; several Rasa instances
    behind a load balancer need a shared store (``ZALO_DEDUP_REDIS_URL``).
    """

    def __init__(self, ttl: float, max_entries: int = 50_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def seen_before(self, key: str, now: float | None = None) -> bool:
        """Record ``key``; True when it was already recorded and has not expired."""
        current = time.monotonic() if now is None else now
        self._purge(current)
        if key in self._expiry:
            return True
        self._expiry[key] = current + self.ttl
        while len(self._expiry) > self.max_entries:
            self._expiry.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._expiry)

    def _purge(self, now: float) -> None:
        # Entries are added in time order with one ttl, so expired ones are at the front.
        while self._expiry:
            key, expiry = next(iter(self._expiry.items()))
            if expiry > now:
                break
            del self._expiry[key]


ALLOW = "allow"
LIMITED_NOTIFY = "limited-notify"
LIMITED_SILENT = "limited-silent"


class RateLimiter(ConversationRateLimiter):
    """The shared per-conversation limit, keyed by the Zalo user id (never by IP:
    every request comes from Zalo's servers), with this channel's names for its
    answers: the first refused event returns :data:`LIMITED_NOTIFY` (tell the citizen
    once), later ones :data:`LIMITED_SILENT`. ``per_minute`` 0 turns it off.
    """

    def __init__(self, per_minute: int, max_users: int = 50_000) -> None:
        super().__init__(per_minute, max_keys=max_users)

    def hit(self, user_id: str, now: float | None = None) -> str:
        """Count one event of ``user_id``; returns ALLOW, LIMITED_NOTIFY or LIMITED_SILENT."""
        decision = self.check(user_id, now)
        return {self.ALLOW: ALLOW, self.WARN: LIMITED_NOTIFY}.get(decision, LIMITED_SILENT)

"""The assistant's turn log: what citizens ask, what it answered, how they rated it.

The actions call :func:`record_turn` once per answered message (through
``actions.common.log_turn``) and :func:`record_rating` when a citizen presses 👍/👎.
Before anything is stored the text is masked (:mod:`procedures_catalog.masking`)
and the conversation id is replaced by a salted HMAC, so the log holds no personal
data. Nothing here ever raises into a conversation: failures are logged (masked)
and swallowed. Entries older than ``TURNLOG_RETENTION_DAYS`` are deleted at most
once a day per process, and by ``catalog turns purge``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from . import db
from .masking import mask
from .models import Setting, Turn, TurnRating
from .settings import get_turnlog_settings

log = logging.getLogger(__name__)

SALT_KEY = "turnlog_salt"
MAX_TEXT = 1000
RATINGS = ("up", "down")
RATING_REASONS = ("wrong_procedure", "missing_info", "unclear", "other")
# Turns a rating can be about: the assistant gave the citizen something to judge.
RATED_OUTCOMES = ("answered", "choices", "stats", "portal_help", "handoff")
# How long after the last answer a 👍/👎 still refers to it.
RATING_WINDOW = timedelta(hours=2)
PURGE_EVERY_SECONDS = 24 * 3600

_salts: dict[str, bytes] = {}
_last_purge: dict[str, float] = {}
_lock = threading.Lock()


def _engine_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def get_or_create_setting(engine: Engine, key: str, make: Callable[[], str]) -> str:
    """Return the stored value of ``key``, storing ``make()`` first if there is none.

    Safe when several processes race: the loser of the insert reads the winner's value.
    """
    with db.session_scope(engine) as s:
        row = s.get(Setting, key)
        if row is not None:
            return row.value
    value = str(make())
    try:
        with db.session_scope(engine) as s:
            s.add(Setting(key=key, value=value))
    except IntegrityError:
        with db.session_scope(engine) as s:
            row = s.get(Setting, key)
            assert row is not None
            return row.value
    return value


def _salt(engine: Engine) -> bytes:
    configured = get_turnlog_settings().salt
    if configured:
        return configured.encode("utf-8")
    key = _engine_key(engine)
    with _lock:
        cached = _salts.get(key)
    if cached is None:
        cached = get_or_create_setting(engine, SALT_KEY, lambda: secrets.token_hex(32)).encode()
        with _lock:
            _salts[key] = cached
    return cached


def conversation_hash(engine: Engine, conversation_id: str) -> str:
    """The salted HMAC-SHA256 of a conversation id (32 hex characters)."""
    digest = hmac.new(_salt(engine), str(conversation_id).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def _utc(at: datetime | None) -> datetime:
    # SQLite keeps no offset: store every time in UTC so that all rows compare.
    if at is None:
        return datetime.now(timezone.utc)
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _clip(value: str | None, length: int) -> str | None:
    return None if value is None else str(value)[:length]


def record_turn(engine: Engine, *, channel: str, conversation_id: str, text: str | None,
                intent: str | None, confidence: float | None, procedure_code: str | None,
                score: float | None, outcome: str, aspect: str | None = None,
                at: datetime | None = None) -> int | None:
    """Store one turn (masked); never raises.

    Args:
        engine: the catalogue database.
        channel: rest, socketio, telegram, zalo...
        conversation_id: the channel's sender id (stored only as a salted hash).
        text: what the citizen typed (masked before it is stored; a bare button
            payload such as ``/ask_fees`` is kept as it is).
        intent: the NLU intent, if any.
        confidence: the intent's confidence.
        procedure_code: the procedure chosen, if any.
        score: the search score behind that choice.
        outcome: answered, choices, not_found, fallback, handoff, stats, portal_help,
            smalltalk or out_of_scope.
        aspect: the aspect answered (fees, documents...).
        at: when (default now; tests pass their own).

    Returns:
        The new row's id, or None when logging is off or failed.
    """
    try:
        if not get_turnlog_settings().enabled:
            return None
        row = {
            "at": _utc(at),
            "channel": (channel or "unknown")[:20],
            "conversation": conversation_hash(engine, conversation_id),
            "text": mask(text)[:MAX_TEXT],
            "intent": _clip(intent, 60),
            "intent_confidence": float(confidence) if confidence is not None else None,
            "procedure_code": _clip(procedure_code, 40),
            "score": float(score) if score is not None else None,
            "outcome": str(outcome)[:20],
            "aspect": _clip(aspect, 20),
        }
        # A plain INSERT: on every turn, the ORM's unit of work cost more than the write.
        with engine.begin() as conn:
            key = conn.execute(insert(Turn), row).inserted_primary_key
        turn_id = int(key[0]) if key else 0
        _maybe_purge(engine)
        return turn_id
    except Exception:  # noqa: BLE001 - logging must never break a conversation
        log.warning("turn not logged", exc_info=True)
        return None


def record_rating(engine: Engine, *, conversation_id: str, rating: str, channel: str = "unknown",
                  at: datetime | None = None) -> int | None:
    """Store a 👍/👎 on the latest answer of the conversation; never raises.

    One rating per answer: rating the same answer again changes its rating (a citizen
    may change their mind) instead of adding one, and a conversation that got no
    answer in the last :data:`RATING_WINDOW` has nothing to rate. So typing the
    rating payload forty times moves the dashboard by one at most.

    Returns:
        The rating's id, or None when the rating is not ``up``/``down``, there is no
        answer to rate, or storing failed.
    """
    try:
        if rating not in RATINGS or not get_turnlog_settings().enabled:
            return None
        now = _utc(at)
        conversation = conversation_hash(engine, conversation_id)
        with db.session_scope(engine) as s:
            turn_id = s.scalar(
                select(Turn.id)
                .where(Turn.conversation == conversation, Turn.outcome.in_(RATED_OUTCOMES),
                       Turn.at >= now - RATING_WINDOW)
                .order_by(Turn.at.desc(), Turn.id.desc()).limit(1)
            )
            if turn_id is None:
                return None
            row = s.scalar(select(TurnRating).where(TurnRating.turn_id == turn_id)
                           .order_by(TurnRating.id).limit(1))
            if row is None:
                row = TurnRating(at=now, turn_id=turn_id, conversation=conversation,
                                 channel=(channel or "unknown")[:20], rating=rating)
                s.add(row)
            elif row.rating != rating:
                row.rating, row.reason, row.at = rating, None, now
            s.flush()
            return int(row.id)
    except Exception:  # noqa: BLE001 - logging must never break a conversation
        log.warning("rating not logged", exc_info=True)
        return None


def record_rating_reason(engine: Engine, *, conversation_id: str, reason: str,
                         at: datetime | None = None) -> bool:
    """Attach a reason code to the conversation's latest 👎 (within the window); never raises.

    Returns:
        True if a rating took the reason.
    """
    try:
        if reason not in RATING_REASONS:
            return False
        now = _utc(at)
        conversation = conversation_hash(engine, conversation_id)
        with db.session_scope(engine) as s:
            row = s.scalar(
                select(TurnRating)
                .where(TurnRating.conversation == conversation, TurnRating.rating == "down",
                       TurnRating.at >= now - RATING_WINDOW)
                .order_by(TurnRating.at.desc(), TurnRating.id.desc()).limit(1)
            )
            if row is None:
                return False
            row.reason = reason
            return True
    except Exception:  # noqa: BLE001 - logging must never break a conversation
        log.warning("rating reason not logged", exc_info=True)
        return False


def purge(engine: Engine, days: int | None = None, *, now: datetime | None = None) -> int:
    """Delete turns and ratings older than ``days`` (default: the retention setting).

    Args:
        engine: the catalogue database.
        days: keep this many days; 0 keeps everything.
        now: the current time (tests pass their own).

    Returns:
        How many turns were deleted.
    """
    days = get_turnlog_settings().retention_days if days is None else days
    if days <= 0:
        return 0
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    with db.session_scope(engine) as s:
        old_turns = select(Turn.id).where(Turn.at < cutoff)
        s.execute(delete(TurnRating).where(
            (TurnRating.at < cutoff) | TurnRating.turn_id.in_(old_turns)
        ).execution_options(synchronize_session=False))
        result = s.execute(delete(Turn).where(Turn.at < cutoff)
                           .execution_options(synchronize_session=False))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _maybe_purge(engine: Engine) -> None:
    """Purge at most once a day per process (the first turn logged after start-up)."""
    key = _engine_key(engine)
    now = time.monotonic()
    with _lock:
        last = _last_purge.get(key)
        if last is not None and now - last < PURGE_EVERY_SECONDS:
            return
        _last_purge[key] = now
    try:
        deleted = purge(engine)
        if deleted:
            log.info("turn log: %d entries past retention deleted", deleted)
    except Exception:  # noqa: BLE001 - a failed purge is retried tomorrow
        log.warning("turn log purge failed", exc_info=True)


def reset_caches() -> None:
    """Forget cached salts and purge times (tests switching databases call this)."""
    with _lock:
        _salts.clear()
        _last_purge.clear()

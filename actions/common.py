"""Shared plumbing of the actions: the catalogue handle, the user's words, replies."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog.answers import Reply
from procedures_catalog.cached import CachedCatalog
from procedures_catalog.service import Catalog

log = logging.getLogger(__name__)

_catalog: Catalog | None = None
_lock = threading.Lock()


def get_catalog() -> Catalog:
    """The process-wide catalogue (opened, migrated and seeded on first use).

    Its per-turn reads come from memory until the catalogue changes
    (:class:`~procedures_catalog.cached.CachedCatalog`).
    """
    global _catalog
    with _lock:
        if _catalog is None:
            _catalog = CachedCatalog.open()
        return _catalog


def set_catalog(catalog: Catalog | None) -> None:
    """Use ``catalog`` from now on (tests point the actions at their own database)."""
    global _catalog
    with _lock:
        _catalog = catalog


def user_text(tracker: Tracker) -> str:
    """What the citizen typed, or the ``query`` a button carried; "" for bare payloads."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "query" and entity.get("value"):
            return str(entity["value"])
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    """Send replies in order: custom payloads as JSON messages, text with buttons."""
    for reply in replies:
        if reply.custom is not None:
            dispatcher.utter_message(json_message=reply.custom)
        if reply.text:
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)


def channel_of(tracker: Tracker) -> str:
    """The channel a message came through (bridges name themselves in metadata)."""
    metadata = tracker.latest_message.get("metadata") or {}
    if isinstance(metadata, dict) and metadata.get("channel"):
        return str(metadata["channel"])[:20]
    return (tracker.get_latest_input_channel() or "unknown")[:20]


def log_turn(tracker: Tracker, outcome: str, *, procedure_code: str | None = None,
             score: float | None = None, aspect: str | None = None) -> None:
    """Record this turn for the staff dashboard; never lets a logging error reach the citizen.

    Args:
        tracker: the conversation (text, intent and channel are read from it).
        outcome: answered, choices, not_found, fallback, handoff, stats, portal_help,
            smalltalk, out_of_scope or rating.
        procedure_code: the procedure answered about, if any.
        score: the search score behind that choice, if a search ran.
        aspect: the aspect answered, if any.
    """
    try:
        from procedures_catalog import turnlog

        intent = tracker.latest_message.get("intent") or {}
        turnlog.record_turn(
            get_catalog().engine,
            channel=channel_of(tracker),
            conversation_id=tracker.sender_id,
            text=tracker.latest_message.get("text") or "",
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            procedure_code=procedure_code,
            score=score,
            outcome=outcome,
            aspect=aspect,
        )
    except Exception:  # noqa: BLE001 - logging must never break a conversation
        log.warning("turn not logged", exc_info=True)


def offer_person(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[Any]:
    """The hotline and the office for the current procedure's level (or the commune's)."""
    from procedures_catalog import answers

    catalog = get_catalog()
    level = None
    code = tracker.get_slot("procedure_code")
    if code:
        procedure = catalog.get(code)
        level = procedure.level if procedure else None
    offices = {k: o.as_dict() for k, o in catalog.offices().items()}
    send(dispatcher, answers.handoff(offices, level=level))
    log_turn(tracker, "handoff")
    return understood()


def misunderstood(tracker: Tracker) -> int:
    """Misunderstandings in a row so far."""
    value: Any = tracker.get_slot("misunderstandings") or 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def understood() -> list[SlotSet]:
    """Events that reset the misunderstanding counter."""
    return [SlotSet("misunderstandings", 0)]

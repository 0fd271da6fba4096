"""Guards installed into the Rasa server for every way a message gets in.

Channels mask and limit what citizens send (bot/channels/), but Rasa also accepts
messages through its HTTP API (``POST /conversations/{id}/messages``) and button
payloads typed by hand (``/intent{"entity": ...}``). These patches of Rasa 3.6's
``MessageProcessor`` close what the channels cannot:

* every user message is masked (:mod:`procedures_catalog.masking`) and cut to the
  length limit before it is parsed, logged or stored — payloads included: a leading
  "/" used to skip masking, so ``/ask_fees 0912345678`` was stored as typed;
* the NLU of a message runs in a worker thread, so that one slow parse does not
  hold up every other conversation on the event loop;
* a typed payload naming an intent the assistant does not have, or one of Rasa's
  own (``/restart``, ``/session_start``, ``/back``), is read as not understood;
* entities of a typed payload are only those a citizen could get by talking: names
  declared in the domain, a short string or number as value, and for an entity that
  fills a categorical slot, one of the slot's values. Anything else is dropped
  before slots are filled or actions read it.

Installed by our channels when Rasa creates them (``install()`` is idempotent).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from bot.channels.limits import get_limits
from procedures_catalog.masking import mask

logger = logging.getLogger(__name__)

MAX_ENTITY_CHARS = 200
FALLBACK_INTENT = "nlu_fallback"
# Rasa's default intents: typed, they would reset the conversation without a word.
INTERNAL_INTENTS = frozenset({"restart", "session_start", "back"})

_installed = False


def clean_text(text: Any, max_chars: int) -> Any:
    """``text`` masked and cut to ``max_chars``; non-strings (None) as they are."""
    if not isinstance(text, str):
        return text
    return mask(text[:max_chars])


def allowed_entities(domain: Any) -> dict[str, set[str] | None]:
    """Entity names a payload may carry, with the values allowed (None: any short value)."""
    allowed: dict[str, set[str] | None] = {str(name): None for name in domain.entities}
    for slot in domain.slots:
        values = getattr(slot, "values", None)
        if not values:
            continue
        for mapping in getattr(slot, "mappings", None) or []:
            entity = mapping.get("entity") if isinstance(mapping, dict) else None
            if mapping.get("type") == "from_entity" and entity in allowed:
                allowed[entity] = {str(v).lower() for v in values if str(v) != "__other__"}
    return allowed


def filter_payload_entities(entities: list[Any], allowed: dict[str, set[str] | None]) -> list[Any]:
    """The entities of a typed payload that a citizen could have set by talking."""
    kept = []
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        name, value = entity.get("entity"), entity.get("value")
        if name not in allowed or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_ENTITY_CHARS:
            continue
        values = allowed[name]
        if values is not None and value.lower() not in values:
            continue
        kept.append({**entity, "value": mask(value)})
    return kept


def install() -> None:
    """Patch ``MessageProcessor`` (once per process)."""
    global _installed
    if _installed:
        return
    from rasa.core.processor import MessageProcessor

    max_chars = get_limits().message_max_chars
    original_log_message = MessageProcessor.log_message
    original_parse = MessageProcessor._parse_message_with_graph

    @functools.wraps(original_log_message)
    async def log_message(self: Any, message: Any, should_save_tracker: bool = True) -> Any:
        message.text = clean_text(message.text, max_chars)
        parse_data = getattr(message, "parse_data", None)
        if isinstance(parse_data, dict) and "text" in parse_data:
            parse_data["text"] = clean_text(parse_data["text"], max_chars)
        return await original_log_message(self, message, should_save_tracker)

    @functools.wraps(MessageProcessor.parse_message)
    async def parse_message(self: Any, message: Any, tracker: Any = None,
                            only_output_properties: bool = True) -> dict[str, Any]:
        if self.http_interpreter:
            parse_data = await self.http_interpreter.parse(message)
        else:
            if tracker is None:
                from rasa.shared.core.trackers import DialogueStateTracker

                tracker = DialogueStateTracker.from_events(message.sender_id, [])
            # The NLU graph is CPU work: off the event loop, other turns go on meanwhile.
            parse_data = await asyncio.to_thread(original_parse, self, message, tracker,
                                                 only_output_properties)
        text = parse_data.get("text")
        if isinstance(text, str) and text.startswith("/"):
            parse_data["entities"] = filter_payload_entities(
                list(parse_data.get("entities") or []), allowed_entities(self.domain))
            intent = parse_data.get("intent") or {}
            if intent.get("name") not in set(self.domain.intents) - INTERNAL_INTENTS:
                # An unknown intent, or Rasa's own (/restart, /session_start): what a
                # citizen typed is not understood, and gets the kind fallback answer.
                parse_data["intent"] = {"name": FALLBACK_INTENT, "confidence": 1.0}
                parse_data["intent_ranking"] = [parse_data["intent"]]
        self._update_full_retrieval_intent(parse_data)
        self._check_for_unseen_features(parse_data)
        return parse_data

    MessageProcessor.log_message = log_message  # type: ignore[method-assign]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
    _installed = True
    logger.debug("Rasa guards installed (masking, length %d, payload entities)", max_chars)

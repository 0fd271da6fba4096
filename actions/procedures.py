"""Actions that answer about a procedure: which one, then the aspect asked."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog import answers
from procedures_catalog.dialogue import (
    Resolution,
    is_contrast,
    parse_choice,
    resolve,
    strip_correction,
)

from .common import get_catalog, log_turn, misunderstood, send, understood, user_text


def answer_about(dispatcher: CollectingDispatcher, code: str, aspect: str) -> list[EventType]:
    """Send the answer for ``aspect`` of procedure ``code`` and remember it."""
    catalog = get_catalog()
    facts = catalog.procedure_facts(code)  # with provenance, edition and contacts
    if facts is None:
        send(dispatcher, answers.not_found())
        return [SlotSet("procedure_code", None)]
    office = catalog.office_for_level(facts["level"])
    send(dispatcher, answers.answer(facts, aspect, office.as_dict() if office else None))
    return [SlotSet("procedure_code", code), SlotSet("choices", None),
            SlotSet("pending_aspect", None), SlotSet("last_aspect", aspect), *understood()]


def not_found(dispatcher: CollectingDispatcher, tracker: Tracker, *,
              fallback: bool = False) -> list[EventType]:
    """Nothing matched: say so; on the second miss in a row offer a person."""
    count = misunderstood(tracker) + 1
    if count >= 2:
        offices = {k: o.as_dict() for k, o in get_catalog().offices().items()}
        send(dispatcher, answers.handoff(offices, after_misunderstanding=True))
        log_turn(tracker, "handoff")
        return [SlotSet("misunderstandings", 0)]
    send(dispatcher, answers.not_understood() if fallback else answers.not_found())
    log_turn(tracker, "fallback" if fallback else "not_found")
    return [SlotSet("misunderstandings", count)]


def handle(dispatcher: CollectingDispatcher, tracker: Tracker, resolution: Resolution,
           aspect: str, text: str) -> list[EventType]:
    """Turn a resolution into replies and slot events (and log the turn)."""
    if resolution.kind in ("procedure", "followup") and resolution.code:
        score = next((h.score for h in resolution.hits if h.code == resolution.code), None)
        log_turn(tracker, "answered", procedure_code=resolution.code, aspect=aspect,
                 score=score if resolution.kind == "procedure" else None)
        return answer_about(dispatcher, resolution.code, aspect)
    if resolution.kind == "choices":
        hits = [h.as_dict() for h in resolution.hits[:3]]
        send(dispatcher, answers.choice_question(hits))
        log_turn(tracker, "choices", score=hits[0]["score"] if hits else None)
        return [SlotSet("choices", [h["code"] for h in hits]), SlotSet("pending_aspect", aspect),
                *understood()]
    if not text.strip():
        # A bare button like "Lệ phí" before any procedure was named.
        send(dispatcher, answers.ask_which())
        log_turn(tracker, "answered", aspect=aspect)
        return [SlotSet("pending_aspect", aspect)]
    return not_found(dispatcher, tracker)


class AnswerAspectAction(Action):
    """Answer one aspect of the procedure the message names or the conversation is about."""

    aspect = "overview"

    def name(self) -> str:
        return f"action_answer_{self.aspect}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = user_text(tracker)
        aspect = self.aspect
        last = tracker.get_slot("last_aspect")
        if aspect == "overview" and last and is_contrast(text):
            aspect = last  # "còn khai tử thì sao": the same question, another procedure
        elif aspect == "overview" and tracker.get_slot("pending_aspect") and not tracker.get_slot("procedure_code"):
            aspect = tracker.get_slot("pending_aspect")
        resolution = resolve(get_catalog().index(), text,
                             current=tracker.get_slot("procedure_code"),
                             choices=tracker.get_slot("choices") or [])
        return handle(dispatcher, tracker, resolution, aspect, text)


class ActionAnswerOverview(AnswerAspectAction):
    aspect = "overview"


class ActionAnswerLevel(AnswerAspectAction):
    aspect = "level"


class ActionAnswerWhere(AnswerAspectAction):
    aspect = "where"


class ActionAnswerOnline(AnswerAspectAction):
    aspect = "online"


class ActionAnswerDocuments(AnswerAspectAction):
    aspect = "documents"


class ActionAnswerFees(AnswerAspectAction):
    aspect = "fees"


class ActionAnswerTime(AnswerAspectAction):
    aspect = "time"


class ActionAnswerSteps(AnswerAspectAction):
    aspect = "steps"


class ActionChooseProcedure(Action):
    """The citizen picked one of the offered procedures (button, number or words)."""

    def name(self) -> str:
        return "action_choose_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        aspect = tracker.get_slot("pending_aspect") or tracker.get_slot("last_aspect") or "overview"
        code = next(tracker.get_latest_entity_values("procedure_code"), None)
        catalog = get_catalog()
        if code and catalog.get(str(code), include_retired=False):
            log_turn(tracker, "answered", procedure_code=str(code), aspect=aspect)
            return answer_about(dispatcher, str(code), aspect)
        choices = tracker.get_slot("choices") or []
        text = user_text(tracker)
        if not choices:
            if parse_choice(text) is not None:
                # "số 2" with nothing offered picks nothing; searched, it would name
                # "lý lịch tư pháp số 2". Ask which procedure instead.
                send(dispatcher, answers.ask_which())
                log_turn(tracker, "answered", aspect=aspect)
                return [SlotSet("pending_aspect", aspect)]
            # "cái khai sinh" with nothing offered: the words are a question of their own.
            resolution = resolve(catalog.index(), text, current=tracker.get_slot("procedure_code"))
            return handle(dispatcher, tracker, resolution, aspect, text)
        resolution = resolve(catalog.index(), text, current=tracker.get_slot("procedure_code"),
                             choices=choices)
        return handle(dispatcher, tracker, resolution, aspect, text)


class ActionCorrectProcedure(Action):
    """"Không phải, ý tôi là …": replace the procedure, answer the same aspect."""

    def name(self) -> str:
        return "action_correct_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = user_text(tracker)
        rest, _ = strip_correction(text)
        aspect = tracker.get_slot("last_aspect") or "overview"
        if not rest:
            send(dispatcher, answers.ask_which())
            log_turn(tracker, "answered")
            return [SlotSet("procedure_code", None), SlotSet("pending_aspect", aspect)]
        resolution = resolve(get_catalog().index(), text, current=tracker.get_slot("procedure_code"),
                             choices=tracker.get_slot("choices") or [])
        return handle(dispatcher, tracker, resolution, aspect, text)


class ActionAskOther(Action):
    """Start over with another procedure."""

    def name(self) -> str:
        return "action_ask_other"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        send(dispatcher, answers.ask_which())
        log_turn(tracker, "answered")
        return [SlotSet("procedure_code", None), SlotSet("choices", None),
                SlotSet("pending_aspect", None), *understood()]

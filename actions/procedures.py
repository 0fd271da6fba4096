"""Actions that answer about a procedure: which one, then the aspect asked."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog import answers
from procedures_catalog import aspects as aspect_cues
from procedures_catalog.dialogue import (
    Resolution,
    followup_aspect,
    is_contrast,
    parse_choice,
    resolve,
    strip_correction,
)
from procedures_catalog.routing import route

from .common import get_catalog, log_turn, misunderstood, offer_person, send, understood, user_text


def aspect_list(value: Any) -> list[str]:
    """Aspects kept in a slot ("documents,fees"), as a list of known aspects."""
    if not value:
        return []
    return [a for a in str(value).split(",") if a in answers.ASPECTS]


def intent_of(tracker: Tracker) -> tuple[str | None, float | None]:
    """The classified intent of the latest message and its confidence."""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), intent.get("confidence")


def answer_about(dispatcher: CollectingDispatcher, code: str, aspects: str | list[str]) -> list[EventType]:
    """Send the answer for ``aspects`` of procedure ``code`` and remember it."""
    catalog = get_catalog()
    facts = catalog.procedure_facts(code)  # with provenance, edition and contacts
    if facts is None:
        send(dispatcher, answers.not_found())
        return [SlotSet("procedure_code", None)]
    wanted = [aspects] if isinstance(aspects, str) else list(aspects) or ["overview"]
    office = catalog.office_for_level(facts["level"])
    send(dispatcher, answers.answer_aspects(facts, wanted, office.as_dict() if office else None))
    return [SlotSet("procedure_code", code), SlotSet("choices", None),
            SlotSet("pending_aspect", None), SlotSet("last_aspect", ",".join(wanted)), *understood()]


def choose_aspects(tracker: Tracker, text: str, default: str, resolution: Resolution) -> list[str]:
    """The aspects to answer: the words asked, else the conversation's, else the intent's."""
    # The search hit already carries the name; only a follow-up needs the catalogue.
    name = next((h.name for h in resolution.hits if h.code == resolution.code), None)
    if resolution.code and name is None:
        procedure = get_catalog().get(resolution.code)
        name = procedure.name if procedure else None
    # A first question that names its need (answered, or asked among choices): a
    # general "thì làm sao" gets the overview and the steps.
    named = resolution.kind in ("procedure", "choices")
    cues = aspect_cues.detect(text, name, names_procedure=named)
    if cues:
        return cues
    last = aspect_list(tracker.get_slot("last_aspect"))
    if last and is_contrast(text):
        # "còn khai tử thì sao": the same question about another procedure; a procedure
        # the conversation moves to is introduced (overview) before it is answered.
        if resolution.new and "overview" not in last:
            return ["overview", *last]
        return last
    pending = aspect_list(tracker.get_slot("pending_aspect"))
    if default == "overview" and pending and not tracker.get_slot("procedure_code"):
        return pending
    _, confidence = intent_of(tracker)
    decided = aspect_cues.decide(text, default, confidence, name=name, names_procedure=named)
    if resolution.kind == "followup" and decided in (["overview"], ["online"]):
        # "nếu ổng hổng về ký được thì sao", "bả đi hổng nổi thì tui đi thay được hông"
        # (no aspect words; the classifier reads "được hông" as online): a condition or
        # a requirement of the case asks the documents.
        asked = followup_aspect(text)
        if asked != "overview":
            return [asked]
    return decided


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
           aspects: str | list[str], text: str, *, offer: bool = False) -> list[EventType]:
    """Turn a resolution into replies and slot events (and log the turn).

    ``offer`` asks among the top hits even when one stands out (the classifier read
    the message as something else, so the bot checks before answering).
    """
    wanted = [aspects] if isinstance(aspects, str) else list(aspects) or ["overview"]
    pending = ",".join(wanted)
    if resolution.kind in ("procedure", "followup") and resolution.code and not offer:
        score = next((h.score for h in resolution.hits if h.code == resolution.code), None)
        log_turn(tracker, "answered", procedure_code=resolution.code, aspect=wanted[0],
                 score=score if resolution.kind == "procedure" else None)
        events = answer_about(dispatcher, resolution.code, wanted)
        others = [h.as_dict() for h in resolution.alternatives]
        if others and events and events[0].get("value") == resolution.code:
            # Not sure of it: the next ones are one tap away ("cái thứ 2" works too).
            send(dispatcher, answers.alternatives(others))
            events.append(SlotSet("choices", [h["code"] for h in others]))
        return events
    if resolution.kind == "choices" or (offer and resolution.hits):
        hits = [h.as_dict() for h in resolution.hits[:3]]
        intro = "Có phải bạn hỏi một trong các thủ tục này? Bấm chọn, hoặc gõ số:" if offer else None
        send(dispatcher, answers.choice_question(hits, intro))
        log_turn(tracker, "choices", score=hits[0]["score"] if hits else None)
        return [SlotSet("choices", [h["code"] for h in hits]), SlotSet("pending_aspect", pending),
                *understood()]
    if not text.strip():
        # A bare button like "Lệ phí" before any procedure was named.
        send(dispatcher, answers.ask_which())
        log_turn(tracker, "answered", aspect=wanted[0])
        return [SlotSet("pending_aspect", pending)]
    return not_found(dispatcher, tracker)


def rerouted(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer a procedure question the classifier took for something else, or None."""
    text = user_text(tracker)
    intent, confidence = intent_of(tracker)
    decision = route(get_catalog().index(), intent, confidence, text,
                     current=tracker.get_slot("procedure_code"),
                     choices=tracker.get_slot("choices") or [])
    if decision.target == "handoff":
        return offer_person(dispatcher, tracker)
    if decision.target != "procedure" or decision.resolution is None:
        return None
    return handle(dispatcher, tracker, decision.resolution, decision.aspects, text, offer=decision.offer)


class AnswerAspectAction(Action):
    """Answer one aspect of the procedure the message names or the conversation is about."""

    aspect = "overview"

    def name(self) -> str:
        return f"action_answer_{self.aspect}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = user_text(tracker)
        events = rerouted(dispatcher, tracker)  # e.g. "cho tui số điện thoại địa chính xã"
        if events is not None:
            return events
        resolution = resolve(get_catalog().index(), text,
                             current=tracker.get_slot("procedure_code"),
                             choices=tracker.get_slot("choices") or [])
        return handle(dispatcher, tracker, resolution,
                      choose_aspects(tracker, text, self.aspect, resolution), text)


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
        text = user_text(tracker)
        asked = [a for a in aspect_cues.detect(text) if a != "overview"]
        aspect = (asked or aspect_list(tracker.get_slot("pending_aspect"))
                  or aspect_list(tracker.get_slot("last_aspect")) or ["overview"])
        code = next(tracker.get_latest_entity_values("procedure_code"), None)
        catalog = get_catalog()
        if code and catalog.get(str(code), include_retired=False):
            log_turn(tracker, "answered", procedure_code=str(code), aspect=aspect[0])
            return answer_about(dispatcher, str(code), aspect)
        choices = tracker.get_slot("choices") or []
        if not choices:
            if parse_choice(text) is not None:
                # "số 2" with nothing offered picks nothing; searched, it would name
                # "lý lịch tư pháp số 2". Ask which procedure instead.
                send(dispatcher, answers.ask_which())
                log_turn(tracker, "answered", aspect=aspect[0])
                return [SlotSet("pending_aspect", ",".join(aspect))]
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
        aspect = aspect_cues.detect(text) or aspect_list(tracker.get_slot("last_aspect")) or ["overview"]
        if not rest:
            send(dispatcher, answers.ask_which())
            log_turn(tracker, "answered")
            return [SlotSet("procedure_code", None), SlotSet("pending_aspect", ",".join(aspect))]
        resolution = resolve(get_catalog().index(), text, current=tracker.get_slot("procedure_code"),
                             choices=tracker.get_slot("choices") or [])
        return handle(dispatcher, tracker, resolution, aspect, text)


class ActionAskOther(Action):
    """Start over with another procedure."""

    def name(self) -> str:
        return "action_ask_other"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = user_text(tracker)
        if intent_of(tracker)[0] == "deny":
            events = rerouted(dispatcher, tracker)
            if events is not None:
                return events
        if text.strip() and not text.startswith("/"):
            # "thôi hỏi cái khác, ruộng lúa lên liếp trồng sầu riêng có phải xin phép
            # hông": the new question is in the same message.
            resolution = resolve(get_catalog().index(), text)
            if resolution.kind in ("procedure", "choices"):
                return handle(dispatcher, tracker, resolution,
                              choose_aspects(tracker, text, "overview", resolution), text)
        send(dispatcher, answers.ask_which())
        log_turn(tracker, "answered")
        return [SlotSet("procedure_code", None), SlotSet("choices", None),
                SlotSet("pending_aspect", None), *understood()]

"""Actions for a dossier's status by code and the checklist card (issue 12).

Thin adapters: the dossier logic is in :mod:`procedures_catalog.dossier`, the card in
:mod:`procedures_catalog.card`. The raw dossier code never passes through here from
the tracker (the channel masked it); it comes from the per-conversation store.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog import answers
from procedures_catalog import provenance as prov
from procedures_catalog.card import CardCache, Edition, card_query, import_edition
from procedures_catalog.dialogue import resolve
from procedures_catalog.dossier.service import (
    StatusAnswer,
    answer_follow,
    answer_status,
    answer_unfollow,
)
from procedures_catalog.service import procedure_to_dict

from .common import get_catalog, log_turn, send, understood, user_text
from .procedures import rerouted

log = logging.getLogger(__name__)


class DossierAnswerAction(Action, ABC):
    """An action that sends one dossier answer and logs its outcome; subclasses say which.

    Abstract, so the action server does not register it as an action of its own.
    """

    @abstractmethod
    def answer(self, tracker: Tracker) -> StatusAnswer:
        """The answer for this conversation (from :mod:`procedures_catalog.dossier.service`)."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = rerouted(dispatcher, tracker)  # a procedure question read as a dossier one
        if events is not None:
            return events
        result = self.answer(tracker)
        send(dispatcher, result.replies)
        log_turn(tracker, result.outcome)
        return list(understood())


class ActionCheckDossier(DossierAnswerAction):
    """"Hồ sơ của tôi tới đâu rồi?": look the conversation's dossier code up."""

    def name(self) -> str:
        return "action_check_dossier"

    def answer(self, tracker: Tracker) -> StatusAnswer:
        return answer_status(tracker.sender_id, user_text(tracker))


def card_edition(procedure: Any, facts: dict[str, Any]) -> tuple[Edition, str | None]:
    """The edition and reform caveat printed on a procedure's card.

    The edition in force (issue 9's catalogue editions) when there is one, else the
    catalogue's import date; the reform caveat where it applies (a former district-level
    procedure), the same text the "where" answer gives.
    """
    edition = facts.get("edition") or {}
    caveat = prov.reform_caveat(facts) if prov.reform_applies(facts) else None
    if edition.get("name"):
        since = edition.get("effective_from")
        return Edition(str(edition["name"]), date.fromisoformat(str(since)[:10]) if since else None,
                       key=f"e{edition.get('id') or ''}-{edition['name']}"), caveat
    imported = procedure.created_at.date() if procedure.created_at else None
    return import_edition(imported, procedure.source), caveat


class ActionSendCard(Action):
    """"Gửi danh sách giấy tờ": the procedure's checklist card as an image."""

    def name(self) -> str:
        return "action_send_card"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        catalog = get_catalog()
        text = card_query(user_text(tracker))
        resolution = resolve(catalog.index(), text, current=tracker.get_slot("procedure_code"),
                             choices=tracker.get_slot("choices") or [])
        if resolution.kind == "choices":
            hits = [h.as_dict() for h in resolution.hits[:3]]
            send(dispatcher, answers.choice_question(hits))
            log_turn(tracker, "choices")
            return [SlotSet("choices", [h["code"] for h in hits]),
                    SlotSet("pending_aspect", "documents"), *understood()]
        procedure = catalog.get(resolution.code, include_retired=False) if resolution.code else None
        if procedure is None:
            send(dispatcher, answers.ask_which())
            log_turn(tracker, "answered", aspect="card")
            return [SlotSet("pending_aspect", "documents")]
        office = catalog.office_for_level(procedure.level)
        facts = catalog.procedure_facts(procedure.code) or procedure_to_dict(procedure)
        edition, caveat = card_edition(procedure, facts)
        urls, _ = CardCache().ensure(facts, edition=edition,
                                     office=office.as_dict() if office else None, caveat=caveat)
        dispatcher.utter_message(json_message={"card": {"procedure_code": procedure.code,
                                                        "url": urls[0], "pages": urls}})
        for url in urls:
            dispatcher.utter_message(image=url)
        pages = f" ({len(urls)} ảnh)" if len(urls) > 1 else ""
        dispatcher.utter_message(
            text=f"🖼 Danh sách giấy tờ{pages} cho “{answers.shorten(procedure.name, 120)}”. "
                 f"Bạn lưu ảnh lại để mang theo khi đi nộp. Tải ảnh: {urls[0]}",
            buttons=answers.next_buttons("documents"))
        log_turn(tracker, "answered", procedure_code=procedure.code, aspect="card")
        return [SlotSet("procedure_code", procedure.code), SlotSet("choices", None),
                SlotSet("pending_aspect", None), *understood()]


class ActionFollowDossier(DossierAnswerAction):
    """"Báo cho tôi khi có kết quả": follow the last dossier asked about (Telegram, Zalo)."""

    def name(self) -> str:
        return "action_follow_dossier"

    def answer(self, tracker: Tracker) -> StatusAnswer:
        return answer_follow(tracker.sender_id)


class ActionUnfollowDossier(DossierAnswerAction):
    """"Thôi, đừng báo nữa": stop following."""

    def name(self) -> str:
        return "action_unfollow_dossier"

    def answer(self, tracker: Tracker) -> StatusAnswer:
        return answer_unfollow(tracker.sender_id)

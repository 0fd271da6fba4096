"""Actions beyond single procedures: statistics, portal help, a person, fallback."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog import answers, editions
from procedures_catalog.normalize import fold

from .common import get_catalog, log_turn, offer_person, send, understood, user_text
from .procedures import not_found, rerouted

_ONLINE_WORDS = [
    (re.compile(r"\btoan trinh\b|\bhoan toan\b|\bhet (?:tren|qua) mang\b"), "toan_trinh"),
    (re.compile(r"\bmot phan\b"), "mot_phan"),
    (re.compile(r"\bchi (?:cung cap )?thong tin\b|\bthong tin truc tuyen\b"), "thong_tin"),
]
_LEVEL_WORDS = [
    (re.compile(r"\bcap tinh\b"), "tinh"),
    (re.compile(r"\b(?:cap )?huyen\b"), "huyen"),
    # Not the "xã" of "xã hội" nor the "phương" of "phương tiện", "phương thức"...
    (re.compile(r"\b(?:cap )?xa\b(?! hoi)|\bphuong\b(?! (?:tien|thuc|phap|huong))"), "xa"),
]
_PORTAL_TOPICS = [
    (re.compile(r"\bquen mat khau\b|\bmat khau\b|\bbi khoa\b|\bpass\b"), "password"),
    (re.compile(r"\b(?:tao|lap|dang ky|mo|lam) (?:cai )?tai khoan\b|\bchua co tai khoan\b"), "account"),
    (re.compile(r"\bdang nhap\b|\bvneid\b|\bdinh danh\b|\blogin\b"), "login"),
    (re.compile(r"\bthanh toan\b|\btra (?:phi|tien|le phi)\b|\bnop (?:phi|tien|le phi)\b|\bchuyen khoan\b|\bvi dien tu\b"), "payment"),
    (re.compile(r"\btra cuu\b|\btheo doi\b|\btoi dau\b|\btinh trang\b|\bkiem tra ho so\b|\bho so (?:cua toi|da nop)\b"), "tracking"),
]


def detect_portal_topic(text: str) -> str | None:
    """Which portal-help topic the words ask about, if any."""
    folded = fold(text)
    for pattern, topic in _PORTAL_TOPICS:
        if pattern.search(folded):
            return topic
    return None


class ActionCatalogueStats(Action):
    """Figures from the database ("tỉnh có bao nhiêu thủ tục làm online toàn trình?")."""

    def name(self) -> str:
        return "action_catalogue_stats"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = rerouted(dispatcher, tracker)
        if events is not None:
            return events
        catalog = get_catalog()
        folded = fold(user_text(tracker))
        stats = catalog.stats()
        edition = editions.in_force(catalog)  # the figures say which list they count
        for field_name, count in catalog.field_counts().items():
            key = fold(field_name)
            if len(key) >= 5 and re.search(rf"\b{re.escape(key)}\b", folded):
                send(dispatcher, answers.stats_answer(stats, field_name=field_name, field_count=count,
                                                          edition=edition))
                log_turn(tracker, "stats")
                return understood()
        online = next((o for p, o in _ONLINE_WORDS if p.search(folded)), None)
        level = next((lv for p, lv in _LEVEL_WORDS if p.search(folded)), None)
        if online:
            send(dispatcher, answers.stats_answer(stats, online=online, edition=edition))
        elif level:
            send(dispatcher, answers.stats_answer(stats, level=level, edition=edition))
        else:
            send(dispatcher, answers.stats_answer(stats, edition=edition))
        log_turn(tracker, "stats")
        return understood()


class ActionPortalHelp(Action):
    """Short steps for first-time users of the public-service portal."""

    def name(self) -> str:
        return "action_portal_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = rerouted(dispatcher, tracker)
        if events is not None:
            return events
        topic = next(tracker.get_latest_entity_values("portal_topic"), None)
        topic = topic or detect_portal_topic(user_text(tracker))
        if topic in ("account", "login", "payment", "tracking", "password"):
            dispatcher.utter_message(response=f"utter_portal_help_{topic}")
        else:
            dispatcher.utter_message(response="utter_portal_help_menu")
        log_turn(tracker, "portal_help")
        return [SlotSet("portal_topic", None), *understood()]


class ActionHandoff(Action):
    """Offer a person: the hotline and the office contacts from the configuration."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = rerouted(dispatcher, tracker)
        if events is not None:
            return events
        return offer_person(dispatcher, tracker)


class ActionFallback(Action):
    """Not understood by NLU: try the catalogue, else say so; twice in a row, offer a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = rerouted(dispatcher, tracker)
        if events is not None:
            return events
        return not_found(dispatcher, tracker, fallback=True)


class ReplyAction(Action):
    """Send one of the domain's responses and log the turn (greetings, small talk...)."""

    response = ""
    outcome = "smalltalk"
    action_name = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        events = rerouted(dispatcher, tracker)
        if events is not None:
            return events
        dispatcher.utter_message(response=self.response)
        log_turn(tracker, self.outcome)
        return []


class ActionGreet(ReplyAction):
    action_name, response = "action_greet", "utter_greet"


class ActionGoodbye(ReplyAction):
    action_name, response = "action_goodbye", "utter_goodbye"


class ActionThanks(ReplyAction):
    action_name, response = "action_thanks", "utter_thanks"


class ActionAffirm(ReplyAction):
    action_name, response = "action_affirm", "utter_affirm_ack"


class ActionBotChallenge(ReplyAction):
    action_name, response = "action_bot_challenge", "utter_iamabot"


class ActionOutOfScope(ReplyAction):
    action_name, response, outcome = "action_out_of_scope", "utter_out_of_scope", "out_of_scope"

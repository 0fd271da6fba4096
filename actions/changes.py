""""Thủ tục này có gì thay đổi?" / "từ khi sáp nhập thì làm ở đâu?": answered from editions."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog import aspects as aspect_cues
from procedures_catalog import editions
from procedures_catalog.changes import changes_answer, merger_answer
from procedures_catalog.dialogue import resolve
from procedures_catalog.normalize import fold

from .common import get_catalog, log_turn, send, understood, user_text
from .procedures import choose_aspects, handle

# "sáp nhập", "sát nhập" (a common misspelling), "hợp nhất", "bỏ huyện", "tỉnh mới".
_MERGER = (r"sa[pt] nhap|hop nhat|bo (?:cap )?huyen|tinh moi|(?:hai|2) cap|sau (?:ngay )?1 (?:thang )?7|"
           r"(?:khong con|het) (?:cap )?huyen|truoc (?:lam |nop )?o huyen")
# The question words, taken out before searching: "thay đổi" and "sáp nhập" are words
# of many procedure names ("thay đổi hộ tịch", "sáp nhập doanh nghiệp").
_QUESTION = (r"(?:co )?(?:gi )?(?:thay doi|moi|khac|doi)(?: gi)?(?: khong| ko| k)?|tu khi|sau khi|"
             r"(?:thi )?(?:lam|nop)(?: ho so)? o dau|(?:con )?lam o huyen(?: duoc)?(?: khong| ko)?")
_VOWELS = {"a": "aàáảãạăằắẳẵặâầấẩẫậ", "e": "eèéẻẽẹêềếểễệ", "i": "iìíỉĩị", "o": "oòóỏõọôồốổỗộơờớởỡợ",
           "u": "uùúủũụưừứửữự", "y": "yỳýỷỹỵ", "d": "dđ"}


def _loose(folded_pattern: str) -> re.Pattern[str]:
    """A pattern written without diacritics that matches the words with or without them."""
    out = "".join(f"[{_VOWELS[c]}{_VOWELS[c].upper()}]" if c in _VOWELS else c for c in folded_pattern)
    return re.compile(rf"(?i)\b(?:{out})\b")


# Words that ask what changed ("có gì thay đổi", "có gì mới", "khác trước không").
_CHANGED = (r"(?:co )?gi (?:thay doi|moi|khac)|thay doi (?:gi|khong|ko|chua|nhieu)|co (?:thay doi|doi) gi|"
            r"khac (?:gi|truoc|hoi truoc)|(?:con )?(?:giong|nhu) (?:truoc|cu|hoi truoc)|sua doi|moi (?:nhat|ban hanh)")


def asks_what_changed(text: str) -> bool:
    """Whether the words ask what changed (not "thay đổi ngành nghề … cần gì")."""
    return bool(re.search(rf"\b(?:{_CHANGED})\b", fold(text)))


def asks_about_merger(text: str) -> bool:
    """Whether the words ask about the 2025 merger or the end of the district level."""
    return bool(re.search(rf"\b(?:{_MERGER})\b", fold(text)))


def procedure_words(text: str) -> str:
    """The words left to search once the question words are taken out."""
    for pattern in (_MERGER, _QUESTION):
        text = _loose(pattern).sub(" ", text)
    return " ".join(text.split())


class ActionAnswerChanges(Action):
    """What changed for the procedure asked about, between the last two editions."""

    def name(self) -> str:
        return "action_answer_changes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = user_text(tracker)
        merger = asks_about_merger(text)
        catalog = get_catalog()
        asked = [a for a in aspect_cues.detect(text) if a != "overview"]
        if not merger and (asked or not asks_what_changed(text)):
            # "cccd sắp hết hạn, đổi ở đâu": the classifier read "đổi" as "what changed";
            # the words ask an aspect of a procedure.
            resolution = resolve(catalog.index(), text, current=tracker.get_slot("procedure_code"),
                                 choices=tracker.get_slot("choices") or [])
            if resolution.kind != "none":
                return handle(dispatcher, tracker, resolution,
                              choose_aspects(tracker, text, "overview", resolution), text)
        resolution = resolve(catalog.index(), procedure_words(text),
                             current=tracker.get_slot("procedure_code"),
                             choices=tracker.get_slot("choices") or [])
        facts = None
        if resolution.kind in ("procedure", "followup") and resolution.code:
            facts = catalog.procedure_facts(resolution.code)
        if facts is not None:
            send(dispatcher, changes_answer(facts, editions.procedure_changes(catalog, facts["code"]),
                                            merger=merger))
            log_turn(tracker, "answered", procedure_code=facts["code"], aspect="changes")
            return [SlotSet("procedure_code", facts["code"]), SlotSet("choices", None), *understood()]
        if resolution.kind == "choices":
            return handle(dispatcher, tracker, resolution, "overview", text)
        send(dispatcher, merger_answer())
        log_turn(tracker, "answered", aspect="changes")
        return understood()

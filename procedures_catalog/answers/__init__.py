"""Citizen-facing answers, in short plain Vietnamese, built only from catalogue facts.

Every function returns a list of :class:`Reply` — text (never over
:data:`MAX_CHARS` characters), buttons and an optional machine-readable payload —
that the Rasa actions send as they are. Nothing here imports Rasa.

Payload contracts (used by the channels, tests and benchmarks):
    * an answer about a procedure carries ``{"procedure": {"code", "name", "level",
      "online_level", "portal_url"}, "aspect": A}`` with A in :data:`ASPECTS`;
    * a choice question carries ``{"choices": [codes in the order shown]}``.

One module per idea: :mod:`.messages` (the reply model, splitting and shortening),
:mod:`.buttons`, :mod:`.aspect_texts` (the text of each aspect), :mod:`.procedure`
(the answer about a procedure and its payload), :mod:`.choices` (lists to pick from)
and :mod:`.general` (figures, "not found", "not understood", the offer of a person).
"""

from __future__ import annotations

from .aspect_texts import ONLINE_PLAIN, PORTAL_URL
from .buttons import (
    CARD_BUTTON,
    NEXT_BUTTONS,
    OTHER_BUTTON,
    RATING_BUTTONS,
    RATING_PROMPT,
    next_buttons,
)
from .choices import alternatives, choice_question
from .general import ask_which, handoff, not_found, not_understood, stats_answer
from .messages import MAX_CHARS, Reply, shorten, split_message
from .procedure import ASPECTS, SAME_ANSWER, answer, answer_aspects, procedure_payload

__all__ = [
    "ASPECTS", "CARD_BUTTON", "MAX_CHARS", "NEXT_BUTTONS", "ONLINE_PLAIN", "OTHER_BUTTON",
    "PORTAL_URL", "RATING_BUTTONS", "RATING_PROMPT", "SAME_ANSWER", "Reply", "alternatives",
    "answer", "answer_aspects", "ask_which", "choice_question", "handoff", "next_buttons",
    "not_found", "not_understood", "procedure_payload", "shorten", "split_message",
    "stats_answer",
]

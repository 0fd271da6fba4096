"""Lists of procedures to pick from: the choice question and the alternatives."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..records import LEVEL_WORDS
from .messages import MAX_CHARS, Reply, shorten


def _choice_button(n: int, hit: Mapping[str, Any]) -> dict[str, str]:
    """The numbered button that picks ``hit`` (a choice question or the alternatives)."""
    return {"title": f"{n}. {shorten(hit['name'], 60)}",
            "payload": "/choose_procedure" + json.dumps({"procedure_code": hit["code"]})}


def choice_question(hits: Sequence[Mapping[str, Any]], intro: str | None = None) -> list[Reply]:
    """Ask which of the top procedures the citizen means (buttons + payload)."""
    shown = list(hits)[:3]
    lines = [intro or "Bạn hỏi thủ tục nào? Bấm chọn, hoặc gõ số (1, 2, 3):"]
    buttons = []
    for n, hit in enumerate(shown, 1):
        # The district level ended on 1 July 2025: never state it as today's office.
        level = ("trước 7/2025 thuộc cấp huyện" if hit["level"] == "huyen"
                 else LEVEL_WORDS.get(hit["level"], hit["level"]))
        lines.append(f"{n}. {shorten(hit['name'], 150)} ({level})")
        buttons.append(_choice_button(n, hit))
    buttons.append({"title": "Không phải các thủ tục trên", "payload": "/ask_other"})
    text = "\n".join(lines)
    if len(text) > MAX_CHARS:
        text = shorten(text, MAX_CHARS)
    return [Reply(custom={"choices": [h["code"] for h in shown]}), Reply(text=text, buttons=buttons)]


def alternatives(hits: Sequence[Mapping[str, Any]]) -> list[Reply]:
    """Under an answer the search was not sure of: the next procedures, one tap away."""
    shown = list(hits)[:2]
    if not shown:
        return []
    buttons = [_choice_button(n, hit) for n, hit in enumerate(shown, 1)]
    return [Reply(custom={"choices": [h["code"] for h in shown]}),
            Reply(text="Nếu không đúng thủ tục bạn cần, có thể là:", buttons=buttons)]

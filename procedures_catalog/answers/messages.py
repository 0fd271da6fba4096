"""One message: its model, and how long text is split and shortened to fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_CHARS = 600


@dataclass
class Reply:
    """One message: text with optional buttons, or a custom payload."""

    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


def split_message(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters.

    Breaks at blank lines, then lines, then sentence ends, then spaces; a single word
    longer than the limit is cut.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joiner = "\n" if current else ""
        if len(current) + len(joiner) + len(piece) <= limit:
            current += joiner + piece
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        while len(line) > limit:
            cut = max(line.rfind(". ", 0, limit), line.rfind("; ", 0, limit))
            if cut < limit // 3:
                cut = line.rfind(" ", 0, limit)
            if cut < limit // 3:
                cut = limit - 1
            out.append(line[: cut + 1].strip())
            line = line[cut + 1 :].strip()
        if line:
            out.append(line)
    return out


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary and add an ellipsis if it is longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(",;: ") + "…"

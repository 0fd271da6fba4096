"""The assistant's replies as Telegram messages (pure: no Telegram calls).

Texts longer than Telegram allows are split, the buttons going on the last part;
buttons become an inline keyboard (two short ones to a row). A procedure answer gets
a link button to the procedure's portal page on the turn's last message, so the
texts stay exactly those of every other channel; other custom payloads (choices,
handoff) are dropped: their buttons and texts already say it all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.replies import PORTAL_TITLE, Button, Procedure, Reply
from procedures_catalog.answers import split_message

# Telegram counts a message's length in UTF-16 units (max 4096); leave room for emoji.
TEXT_LIMIT = 4000
TELEGRAM_TEXT_MAX = 4096


@dataclass
class Outgoing:
    """One Telegram message to send: text and rows of buttons, or a photo."""

    text: str
    keyboard: list[list[Button]] = field(default_factory=list)
    photo: str | None = None  # the URL of an image to send as a photo (the checklist card)


def render(replies: Sequence[Reply]) -> list[Outgoing]:
    """The Telegram messages for one turn's replies."""
    out: list[Outgoing] = []
    card: Procedure | None = None
    card_at = 0
    for reply in replies:
        if reply.custom is not None:
            if reply.procedure is not None:
                card, card_at = reply.procedure, len(out)
            continue
        if reply.image:
            image = safe_url(reply.image)
            if image:
                out.append(Outgoing("", photo=image))
            continue
        if not reply.text:
            continue
        out.extend(Outgoing(part) for part in split_text(reply.text))
        buttons = []
        for button in reply.buttons:
            target = button.url or button.payload
            if button.title and target:
                url = safe_url(target)
                buttons.append(Button(button.title, url=url) if url
                               else Button(button.title, payload=target))
        out[-1].keyboard = layout(buttons)
    url = safe_url(card.portal_url) if card is not None else None
    if card is not None and url:
        link = [Button(PORTAL_TITLE, url=url)]
        if len(out) > card_at:
            out[-1].keyboard.append(link)
        else:
            out.append(Outgoing(f"📌 {card.name or card.code}".strip(), [link]))
    return out


def split_text(text: str) -> list[str]:
    """Split ``text`` into parts Telegram accepts (at most 4096 UTF-16 units each)."""
    parts = []
    for part in split_message(text, TEXT_LIMIT):
        if _utf16_len(part) <= TELEGRAM_TEXT_MAX:
            parts.append(part)
        else:  # mostly emoji or other characters outside the BMP
            parts.extend(split_message(part, TELEGRAM_TEXT_MAX // 2))
    return parts


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def safe_url(value: str) -> str | None:
    """``value`` if it is an http(s) URL Telegram will accept on a button, else None."""
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and not re.search(r"\s", value):
        return value
    return None


def layout(buttons: list[Button]) -> list[list[Button]]:
    """Two short buttons to a row (a small phone shows them whole), long ones alone."""
    if buttons and all(len(b.title) <= 20 for b in buttons):
        return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return [[b] for b in buttons]


def markup(keyboard: list[list[Button]], encode: Callable[[str], str], *,
           links: bool = True) -> InlineKeyboardMarkup | None:
    """The PTB keyboard for ``keyboard`` (``links=False`` leaves out the URL buttons).

    ``encode`` turns a button's payload into callback data of at most 64 bytes.
    """
    rows = []
    for row in keyboard:
        cells = [
            InlineKeyboardButton(b.title, url=b.url) if b.url
            else InlineKeyboardButton(b.title, callback_data=encode(b.payload))
            for b in row if links or not b.url
        ]
        if cells:
            rows.append(cells)
    return InlineKeyboardMarkup(rows) if rows else None

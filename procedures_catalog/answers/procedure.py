"""The answer about a procedure: the aspects asked, named, with its payload and buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import provenance as prov
from .aspect_texts import PORTAL_URL, aspect_texts
from .buttons import RATING_BUTTONS, next_buttons
from .messages import Reply, shorten, split_message

ASPECTS = ("overview", "level", "where", "online", "documents", "fees", "time", "steps")
# Who decides a procedure is where a citizen goes: one text ("Thủ tục này do cấp xã giải
# quyết. Bạn nộp hồ sơ tại: …") answers both questions, and the payload says so.
SAME_ANSWER = {"level": "where", "where": "level"}


def procedure_payload(p: Mapping[str, Any], aspect: str) -> dict[str, Any]:
    """The custom payload of an answer about ``p``."""
    return {
        "procedure": {
            "code": p["code"],
            "name": p["name"],
            "level": p["level"],
            "online_level": p["online_level"],
            "portal_url": p.get("detail_url") or PORTAL_URL,
        },
        "aspect": aspect,
        "provenance": prov.provenance_of(p),
        "verified_on": p.get("verified_on"),
        "edition": prov.edition_ref(p),
    }


def answer(p: Mapping[str, Any], aspect: str, office: Mapping[str, Any] | None = None) -> list[Reply]:
    """Answer one aspect of a procedure (see :func:`answer_aspects`)."""
    return answer_aspects(p, [aspect], office)


def answer_aspects(p: Mapping[str, Any], aspects: Sequence[str],
                   office: Mapping[str, Any] | None = None) -> list[Reply]:
    """Answer one or more aspects of a procedure, naming it so a switch is visible.

    Args:
        p: the procedure as :func:`procedures_catalog.service.procedure_to_dict` gives it.
        aspects: aspects from :data:`ASPECTS`, the one asked first first (unknown
            ones read as ``overview``; duplicates are dropped).
        office: the office for the procedure's level (``Office.as_dict()``), if known.

    Returns:
        The messages to send: the procedure payload first (``aspect`` is the first
        aspect answered; ``aspects`` lists them when there are several), then text
        (no message over :data:`MAX_CHARS`); the last text carries the buttons.
    """
    wanted = list(dict.fromkeys(a if a in ASPECTS else "overview" for a in aspects)) or ["overview"]
    texts: list[str] = []
    for n, aspect in enumerate(wanted):
        if aspect in SAME_ANSWER and SAME_ANSWER[aspect] in wanted[:n]:
            continue  # already answered by its twin's text
        body = aspect_texts(p, aspect, office)
        if body and n == 0 and not body[0].startswith(("📌", "📄 Giấy tờ cho:")):
            # Every answer names its procedure, so a wrong switch can be seen.
            body[0] = f"📌 {shorten(p['name'], 90)}\n{body[0]}"
        texts.extend(body)
    if prov.reform_applies(p):
        # Once per answer: the caveat with an overview, else a short note (the level
        # and where answers carry the caveat themselves).
        if "overview" in wanted:
            texts.append(prov.reform_caveat(p))
        elif any(a not in ("level", "where") for a in wanted):
            texts.append(prov.reform_note(p))
    fresh = prov.freshness_line(p)
    if fresh and texts:
        texts[-1] = f"{texts[-1]}\n{fresh}"
    for aspect in list(wanted):
        if aspect in SAME_ANSWER and SAME_ANSWER[aspect] not in wanted:
            wanted.append(SAME_ANSWER[aspect])
    payload = procedure_payload(p, wanted[0])
    if len(wanted) > 1:
        payload["aspects"] = wanted
    replies = [Reply(custom=payload)]
    # Office details and agencies vary in length: no message may pass MAX_CHARS.
    replies += [Reply(text=part) for t in texts if t for part in split_message(t)]
    # Next questions, then 👍/👎, and "another procedure" last (Zalo, which shows five
    # buttons at most, sends the 👍/👎 in a message of their own).
    buttons = next_buttons(wanted, card="documents" in wanted and bool(p.get("documents")))
    replies[-1].buttons = buttons[:-1] + RATING_BUTTONS + buttons[-1:]
    return replies

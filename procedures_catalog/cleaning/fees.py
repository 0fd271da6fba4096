"""Fees: the amounts and "free" read from the fee text, only where it says so clearly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize import fold
from .text import clean_text


@dataclass(frozen=True)
class FeeInfo:
    """Fees parsed from the catalogue's text (None where it does not parse).

    Attributes:
        free: True when the text says there is no fee; False when it states a fee;
            None when it does not say clearly (e.g. "set by the provincial council").
        min_vnd: smallest amount in đồng stated in the text, if any.
        max_vnd: largest amount in đồng stated in the text, if any.
    """

    free: bool | None = None
    min_vnd: int | None = None
    max_vnd: int | None = None


_NUM = r"\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+[.,]\d{1,2}(?=\s*(?:triệu|nghìn|ngàn))|\d+"
_MONEY = re.compile(
    rf"(?<![\d.,/])(?:(?P<lo>{_NUM})\s*(?:-|–|đến|tới)\s*)?(?P<hi>{_NUM})"
    r"(?:\s*(?P<mult>triệu|nghìn|ngàn))?\s*\(?\s*(?P<cur>việt nam đồng|vnđ|vnd|đồng|đ)(?!\w)",
    re.IGNORECASE,
)
_FOREIGN_MONEY = re.compile(rf"(?<![\d.,/])(?:{_NUM})\s*(?:usd|eur|đô la|\$)(?!\w)", re.IGNORECASE)
_MAX_FEE_VND = 1_000_000_000
_MULTIPLIERS = {"triệu": 1_000_000, "nghìn": 1_000, "ngàn": 1_000}
_METHOD = r"(?:trực tiếp|trực tuyến|dịch vụ bưu chính|bưu chính|bưu điện)"
_METHOD_LABEL = re.compile(rf"^\s*{_METHOD}(?:\s*/\s*{_METHOD})*\s*:\s*", re.IGNORECASE)
_FREE_HEAD = re.compile(
    r"^(?:miễn phí|miễn lệ phí|miễn thu|không thu|không có(?!\s*thông tin)|không\s*$"
    r"|(?:(?:lệ\s*)?phí\s*:?\s*)?0\s*(?:việt nam đồng|đồng|vnđ|vnd)(?!\w))",
    re.IGNORECASE,
)
_NO_INFO_HEAD = re.compile(r"^không có thông tin", re.IGNORECASE)
# How a stated fee starts; other lines are the flattened "Mô tả" column, not fees.
_FEE_HEAD = re.compile(r"^(?:miễn|không|lệ phí|phí|mức|\d)", re.IGNORECASE)
# Notes that hand the amount to someone else: a 0 or "Miễn phí" headline above such a
# note is the portal's placeholder, not a statement that the service is free.
_DEFERRING = (
    "hoi dong nhan dan",
    "hdnd",
    "quy dinh",
    "quyet dinh",
    "muc thu",
    "muc phi",
    "muc le phi",
    "bieu phi",
    "chi tiet",
    "thong tu",
    "nghi quyet",
    "nghi dinh",
)


def _money_value(number: str, multiplier: str | None) -> int:
    if multiplier:
        return round(float(number.replace(",", ".")) * _MULTIPLIERS[multiplier.lower()])
    return int(re.sub(r"[.,]", "", number))


def _top_level_segments(text: str) -> list[str]:
    """Split at newlines and ";" that are not inside parentheses."""
    segments: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "\n" or (char == ";" and depth == 0):
            segments.append(text[start:index])
            start = index + 1
    segments.append(text[start:])
    return [s.strip() for s in segments if s.strip()]


def _first_note(text: str) -> str:
    """The parenthesised note right after a fee headline ("Miễn phí(Không có)")."""
    start = text.find("(")
    if start < 0:
        return ""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index]
    return text[start + 1 :]


def _segment_is_free(segment: str) -> bool:
    if not _FREE_HEAD.match(segment):
        return False
    note = fold(_first_note(segment))
    if not note or note.startswith(("khong", "mien")):
        return True
    return not any(word in note for word in _DEFERRING)


def parse_fees(text: str | None) -> FeeInfo:
    """Parse the fee text into a structured value where it parses.

    Free when every stated fee is "Miễn phí", "Không thu", "0 đồng" or "Không có" and
    no note hands the amount to another body ("Mức lệ phí … do Hội đồng nhân dân tỉnh
    quyết định"). Amounts in đồng ("50.000 đồng", "1.000.000 VNĐ", "50,000 (đồng)",
    "2 triệu đồng", "50.000 - 100.000 đồng") give ``min_vnd``/``max_vnd`` over every
    amount in the text (so exemptions for particular groups are not reflected);
    amounts in a foreign currency give ``free=False`` without a VND range.
    "Không có thông tin" parts are ignored.

    Args:
        text: the fees field.

    Returns:
        The parsed fees; fields are None where the text is not clear.
    """
    text = clean_text(text)
    if not text:
        return FeeInfo()
    amounts: list[int] = []
    for match in _MONEY.finditer(text):
        values = [
            _money_value(match.group(key), match.group("mult"))
            for key in ("lo", "hi")
            if match.group(key)
        ]
        # A bare "đ" after a small number is more likely a legal point ("điểm đ").
        if match.group("cur").lower() == "đ" and max(values) < 1000:
            continue
        amounts.extend(values)
    # Above a billion đồng it is a capital requirement quoted in a note, not a fee (and
    # would not fit the catalogue's 32-bit integer columns).
    positive = {amount for amount in amounts if 0 < amount <= _MAX_FEE_VND}
    # The portal stores some amounts in thousands: "150 VNĐ(150.000 đồng/lần/thẻ.)".
    # Drop a small headline only when the note states the same amount in full.
    positive -= {amount for amount in positive if amount < 1000 and amount * 1000 in positive}
    if positive:
        return FeeInfo(free=False, min_vnd=min(positive), max_vnd=max(positive))
    if _FOREIGN_MONEY.search(text):
        return FeeInfo(free=False)
    segments = [
        _METHOD_LABEL.sub("", segment)
        for segment in _top_level_segments(text)
        if _METHOD_LABEL.match(segment) or _FEE_HEAD.match(segment)
    ]
    segments = [s for s in segments if s and not _NO_INFO_HEAD.match(s)]
    if segments and all(_segment_is_free(segment) for segment in segments):
        return FeeInfo(free=True, min_vnd=0, max_vnd=0)
    return FeeInfo()

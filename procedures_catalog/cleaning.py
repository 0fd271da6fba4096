"""Cleaning of catalogue text for display, and parsing of fees and times.

The national listing was scraped from portal pages whose tables were flattened into
text without separators ("…;1 bản chínhd) Giấy…", "--Tên giấy tờMẫu đơn, tờ khaiSố
lượng…"). The functions here turn such text into something a citizen can read, and pull
structured values (fee amounts, processing time) out of it where that is safe.

Every cleaning function is idempotent: cleaning already-clean text returns it unchanged
and ``split_documents(join_documents(items)) == items`` for any list it produced, so that
export → import changes nothing. The parsers never guess: where the text does not say
something clearly, they return ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from .normalize import fold

# --------------------------------------------------------------------------- text

# Horizontal white space of every kind (tabs, no-break and typographic spaces).
_WS = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible format characters Word and browsers leave behind ("k\u200eý", soft hyphens).
_FORMAT_CHARS = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Line breaks other than "\n": Word's vertical tab, form feed, Unicode separators.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Wingdings/Symbol bullets pasted from Word land in the private use area.
_PRIVATE_BULLETS = re.compile(r"[\uf000-\uf0ff]")


def _fixpoint(func: Callable[[str], str], value: str, limit: int = 8) -> str:
    """Apply ``func`` until the value stops changing (guarantees idempotence)."""
    for _ in range(limit):
        new = func(value)
        if new == value:
            return new
        value = new
    return value


def clean_text(text: str | None) -> str:
    """Normalise text for storage and display.

    NFC, one kind of line break, no invisible or control characters, single spaces,
    each line stripped, no leading/trailing blank lines and at most one blank line in
    a row. Line breaks are kept: multi-line fields (steps, legal basis) need them.

    Args:
        text: any text, or None.

    Returns:
        The cleaned text ("" for None or blank input).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _LINE_BREAKS.sub("\n", text)
    text = _FORMAT_CHARS.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _PRIVATE_BULLETS.sub("-", text)
    # Deleting format characters can leave a base letter next to a combining mark.
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for raw_line in text.split("\n"):
        line = _WS.sub(" ", raw_line).strip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# --------------------------------------------------------------------------- names

# Section headings of a procedure page; a name that runs into one was scraped together
# with the start of the page body ("…cấp xã\n(1) Trình tự thực hiện:").
_SECTION_WORDS = (
    r"(?:trình tự thực hiện|cách thức thực hiện|thành phần(?:,? số lượng)? hồ sơ"
    r"|thời hạn giải quyết|đối tượng thực hiện|cơ quan (?:thực hiện|giải quyết)"
    r"|kết quả thực hiện|phí, lệ phí|lệ phí|yêu cầu, điều kiện|căn cứ pháp lý)"
)
_SECTION_LINE = re.compile(rf"^\(?\d+[.)]?\)?\s*{_SECTION_WORDS}\b", re.IGNORECASE)
_NAME_TAIL = re.compile(rf"\s*\(\d+\)\s*{_SECTION_WORDS}\s*:?\s*$", re.IGNORECASE)
_NAME_END_PUNCT = re.compile(r"[\s.;:,]+$")


def _clean_name_once(text: str) -> str:
    lines = clean_text(text).split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if index and _SECTION_LINE.match(line):
            break
        # A line repeating the previous one is a scraping artefact (title printed twice).
        if line and (not kept or line != kept[-1]):
            kept.append(line)
    name = _WS.sub(" ", " ".join(kept)).strip()
    name = _NAME_TAIL.sub("", name)
    return _NAME_END_PUNCT.sub("", name)


def clean_name(text: str | None) -> str:
    """Clean a procedure name: one line, no scraped tails, single spaces.

    Removes a scraped section heading and what follows it ("\\n(1) Trình tự thực
    hiện:"), a line repeated twice, and trailing ".", ";", ":" or ",". Everything else
    is kept verbatim.

    Args:
        text: the name as found in the source.

    Returns:
        The display name ("" when there is none).
    """
    return _fixpoint(_clean_name_once, clean_text(text))


# --------------------------------------------------------------------------- documents

# The column headings of the portal's documents table, flattened into the text.
_TABLE_HEADER = re.compile(r"-*\s*Tên giấy tờ\s*Mẫu đơn,?\s*tờ khai\s*Số lượng\s*", re.IGNORECASE)
# A quantity cell of that table: "1 bản chính", "0 bản chính,1 bản sao", "3 bản sao".
_QTY = re.compile(r"(\d+) bản chính(?:\s?,\s?(\d+) bản sao)?|(\d+) bản sao")
# A quantity already written as a suffix, in either style the sources use.
_QTY_SUFFIX = re.compile(
    r"\s*\(\s*(?:(\d+)\s*bản chính(?:\s*,\s*(\d+)\s*bản sao)?|(\d+)\s*bản sao"
    r"|bản chính\s*:\s*(\d+)(?:\s*,\s*bản sao\s*:\s*(\d+))?|bản sao\s*:\s*(\d+))\s*\)\s*$",
    re.IGNORECASE,
)
_BULLETS = re.compile(r"^(?:[-–—+•*·>~]|\s)+")
_ITEM_END_JUNK = re.compile(r"[\s;,]+$")
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_MARK = re.compile(rf"^([{_LETTERS}])\)\s")
# Items that say nothing: "no information", or a column heading of the portal's table.
_NO_INFO = {
    "khong co thong tin",
    "khong co du lieu",
    "ten giay to",
    "mau don to khai",
    "so luong",
}


def _qty_suffix(original: int, copies: int) -> str:
    parts = []
    if original:
        parts.append(f"{original} bản chính")
    if copies:
        parts.append(f"{copies} bản sao")
    return f"({', '.join(parts)})" if parts else ""


def _is_table_quantity(line: str, match: re.Match[str]) -> bool:
    """True when a quantity is a flattened table cell, not words of a sentence.

    A cell is glued to its neighbours ("…CP;1 bản chínhb) Hóa đơn"); a quantity in a
    sentence has spaces or punctuation around it ("nộp 01 bản chính, 01 bản sao").
    """
    before = line[match.start() - 1] if match.start() else ""
    after = line[match.end()] if match.end() < len(line) else ""
    glued_before = bool(before) and not before.isspace() and before != "("
    glued_after = (
        bool(after) and not after.isspace() and not after.isdigit() and after not in ",.;:)"
    )
    return glued_before or glued_after


def _split_flattened(line: str) -> list[tuple[str, tuple[int, int] | None]]:
    """Split a line after every flattened quantity cell.

    Returns (text, (originals, copies)) pieces; the last piece has no quantity.
    """
    pieces: list[tuple[str, tuple[int, int] | None]] = []
    pos = 0
    for match in _QTY.finditer(line):
        if not _is_table_quantity(line, match):
            continue
        first = match.group(1) or match.group(3)
        carry = ""
        before = line[match.start() - 1] if match.start() else ""
        zero_padded = len(first) == 2 and first[0] == "0" and not before.isalnum()
        if len(first) > 1 and not zero_padded:
            # Table quantities are single digits; longer runs are the end of the
            # preceding text glued to the cell ("Mẫu số 18" + "1 bản chính").
            carry, first = first[:-1], first[-1]
        if match.group(3) is not None:
            qty = (0, int(first))
        else:
            qty = (int(first), int(match.group(2) or 0))
        pieces.append((line[pos : match.start()] + carry, qty))
        pos = match.end()
    pieces.append((line[pos:], None))
    return pieces


def _clean_item(text: str, qty: tuple[int, int] | None = None) -> str:
    """One checklist item: no bullets, one canonical quantity suffix, or "" for junk."""
    text = _BULLETS.sub("", text).strip()
    found: tuple[int, int] | None = None
    while True:
        match = _QTY_SUFFIX.search(text)
        if not match:
            break
        groups = match.groups()
        if groups[0] is not None:
            parsed = (int(groups[0]), int(groups[1] or 0))
        elif groups[2] is not None:
            parsed = (0, int(groups[2]))
        elif groups[3] is not None:
            parsed = (int(groups[3]), int(groups[4] or 0))
        else:
            parsed = (0, int(groups[5]))
        # The right-most suffix is the table's own quantity column.
        found = found or parsed
        text = text[: match.start()]
    qty = qty or found
    text = _ITEM_END_JUNK.sub("", _BULLETS.sub("", text))
    if not any(ch.isalpha() for ch in text) or fold(text) in _NO_INFO:
        return ""
    suffix = _qty_suffix(*qty) if qty else ""
    return f"{text} {suffix}" if suffix else text


def _sort_letter_runs(items: list[str]) -> list[str]:
    """Put runs of consecutive "a) … b) …" items into Vietnamese letter order.

    Only a run of at least two items with distinct letters is reordered; repeated
    letters mean the run spans several sub-lists, whose order we cannot know.
    """
    out = list(items)
    index = 0
    while index < len(out):
        end = index
        while end < len(out) and _LETTER_MARK.match(out[end]):
            end += 1
        if end - index >= 2:
            run = out[index:end]
            letters = [item[0] for item in run]
            if len(set(letters)) == len(letters):
                out[index:end] = sorted(run, key=lambda item: _LETTERS.index(item[0]))
        index = max(end, index + 1)
    return out


def split_documents(text: str | None) -> list[str]:
    """Split a documents field into an ordered checklist of display items.

    Handles one item per line ("- a) … (1 bản chính)"), tables flattened into one
    line ("…;1 bản chínhd) Giấy…;0 bản chính,1 bản saob) Hóa đơn…"), the portal's
    table heading ("--Tên giấy tờMẫu đơn, tờ khaiSố lượng…") and section headings
    ("* Giấy tờ phải nộp:", kept as items of their own without the bullet). Quantities
    become one suffix style, "(1 bản chính, 1 bản sao)"; zero counts are dropped.
    Lettered items listed out of order are put back into letter order. Items without
    any letter (``----``, a lone quantity) are dropped; wording is otherwise kept.

    Args:
        text: the documents field as found in a file.

    Returns:
        The items in display order; ``split_documents(join_documents(x)) == x`` for
        any list this returns.
    """
    text = clean_text(text)
    if not text:
        return []
    text = _TABLE_HEADER.sub("\n", text)
    items: list[str] = []
    for line in text.split("\n"):
        for piece, qty in _split_flattened(line):
            item = _fixpoint(partial(_clean_item, qty=qty), piece)
            if item:
                items.append(item)
    return _sort_letter_runs(items)


def join_documents(items: list[str]) -> str:
    """Render a checklist as the text form used in CSV/XLSX files.

    Args:
        items: checklist items (as returned by :func:`split_documents`).

    Returns:
        One "- item" line per item.
    """
    return "\n".join(f"- {item}" for item in items)


# --------------------------------------------------------------------------- fees


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


# --------------------------------------------------------------------------- time

_TIME_UNITS: dict[str, tuple[str, float]] = {
    "ngày làm việc": ("working_day", 1.0),
    "ngày": ("day", 1.0),
    "giờ làm việc": ("hour", 1.0),
    "giờ": ("hour", 1.0),
    "tháng": ("month", 1.0),
    "năm": ("month", 12.0),
    "tuần": ("day", 7.0),
    "phút": ("hour", 1 / 60),
}
_DURATION = re.compile(
    r"(?<![\d/.,])(\d+(?:[.,]\d+)?)"
    r"(?:\s*\([^()\d]{1,20}\))?"  # the number in words: "05 (năm) ngày"
    r"\s*(ngày làm việc|ngày|giờ làm việc|giờ|tháng|năm|tuần|phút)(?!\w)"
    r"(?!\s*\d)",  # "01 tháng 8 năm 2024" is a date, not a duration
    re.IGNORECASE,
)
_SAME_DAY = re.compile(
    r"\btrong\s+(?:ngày|buổi)\b(?!\s*\d)|\bngay\s+(?:sau khi|khi|lập tức)\b"
    r"|\b(?:giải quyết|trả kết quả|cấp|xử lý)\s+ngay\b",
    re.IGNORECASE,
)


def parse_processing_time(text: str | None) -> tuple[float | None, str | None]:
    """Return (amount, unit) from the processing-time text, or (None, None).

    Units: ``working_day``, ``day``, ``hour``, ``month``, ``same_day``. Years become
    months, weeks days, minutes fractions of an hour. "Trong ngày", "Ngay trong ngày
    làm việc", "trả kết quả ngay" → ``(1.0, "same_day")``. When the text states
    several times ("Trực tuyến: 3 ngày làm việc; Trực tiếp: 5 ngày làm việc", or a
    total followed by its breakdown) the first one is returned. A number without a
    unit ("1 (không ghi đơn vị)", the portal's placeholder for an unset unit) and a
    zero amount do not parse: we would have to guess the unit.

    Args:
        text: the processing-time field.

    Returns:
        The first duration stated, or (None, None).
    """
    text = clean_text(text)
    if not text:
        return None, None
    same_day = _SAME_DAY.search(text)
    for match in _DURATION.finditer(text):
        if same_day and same_day.start() < match.start():
            break
        amount = float(match.group(1).replace(",", "."))
        if amount <= 0:
            continue
        unit, factor = _TIME_UNITS[match.group(2).lower()]
        return round(amount * factor, 4), unit
    if same_day:
        return 1.0, "same_day"
    return None, None

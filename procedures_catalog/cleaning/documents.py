"""The list of required documents: split flattened portal text into items, and join
items back (``split_documents(join_documents(items)) == items``).
"""

from __future__ import annotations

import re
from functools import partial

from ..normalize import fold
from .text import clean_text, fixpoint

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
            item = fixpoint(partial(_clean_item, qty=qty), piece)
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

"""Clean text for display, and procedure names with their pasted-in section tails.

Every function here is idempotent: cleaning clean text returns it unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Horizontal white space of every kind (tabs, no-break and typographic spaces).
_WS = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Invisible format characters Word and browsers leave behind ("k\u200eý", soft hyphens).
_FORMAT_CHARS = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Line breaks other than "\n": Word's vertical tab, form feed, Unicode separators.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Wingdings/Symbol bullets pasted from Word land in the private use area.
_PRIVATE_BULLETS = re.compile(r"[\uf000-\uf0ff]")


def fixpoint(func: Callable[[str], str], value: str, limit: int = 8) -> str:
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
    return fixpoint(_clean_name_once, clean_text(text))

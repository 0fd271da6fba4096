"""Recognise and normalise dossier codes (mã hồ sơ) however citizens type them.

One-stop systems print a code made of the receiving agency's identification code, the
filing date (yymmdd) and a sequence number, e.g. ``H56.22-240315-0001`` or
``000.00.22.H56-240315-0001``. Citizens copy it with spaces, in lower case, with dashes
missing, doubled or replaced by slashes, inside a sentence ("mã hồ sơ là …") or a photo
caption. :data:`DOSSIER_PATTERN` finds all of those; :func:`normalise` turns a match
into the canonical ``AGENCY-YYMMDD-SEQ`` form that lookups use.

The same pattern masks codes before Rasa stores a message
(:mod:`procedures_catalog.masking`), so whatever is recognised here is also masked.
Standard library only: the Rasa channels import it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Separators citizens put (or forget) between the parts: dashes, slashes, underscores,
# spaces, any number of them, possibly none.
_SEP = r"[\s\-/_–—]*"
# Optional "000.00.22." prefix (the national agency-code tree), then a letter, optionally
# a dash or space, two digits, and up to three ".NN" sub-units.
_AGENCY = (
    r"(?P<prefix>\d{3}\s*\.\s*\d{2}\s*\.\s*\d{2}\s*\.\s*)?"
    r"(?P<letter>[A-Za-z])[\s\-]?(?P<num>\d{2})(?P<units>(?:\s*\.\s*\d{1,3}){0,3})"
)
FULL_CODE = (
    r"(?<![\w.])" + _AGENCY + _SEP + r"(?P<date>\d{6})" + _SEP + r"(?P<seq>\d{3,6})(?!\d)"
)
# A bare "240315-0001" (date and sequence, the agency missing): masked as well, since
# with the agency known to the office it still identifies a dossier.
BARE_CODE = r"(?<![\w.-])(?P<bdate>\d{6})\s*[-/]\s*(?P<bseq>\d{4,6})(?![\d-])"
DOSSIER_PATTERN = re.compile(FULL_CODE + "|" + BARE_CODE)


@dataclass(frozen=True)
class DossierCode:
    """A recognised dossier code.

    Attributes:
        code: the canonical form (``H56.22-240315-0001``), or for a bare code the
            date and sequence only (``240315-0001``).
        complete: False when the agency part is missing (the lookup needs it).
    """

    code: str
    complete: bool


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _from_match(match: re.Match[str]) -> DossierCode:
    if match.group("bdate"):
        return DossierCode(f"{match.group('bdate')}-{match.group('bseq')}", complete=False)
    prefix = re.sub(r"\s+", "", match.group("prefix") or "")
    units = re.sub(r"\s+", "", match.group("units") or "")
    agency = f"{prefix}{match.group('letter').upper()}{match.group('num')}{units}"
    return DossierCode(f"{agency}-{match.group('date')}-{match.group('seq')}", complete=True)


def find_codes(text: str | None) -> list[DossierCode]:
    """Every dossier code in ``text``, normalised, in order, without repeats.

    Args:
        text: what the citizen typed (a sentence, a caption, the bare code).

    Returns:
        The recognised codes; empty when there are none.
    """
    found: list[DossierCode] = []
    for match in DOSSIER_PATTERN.finditer(_clean(text or "")):
        code = _from_match(match)
        if code not in found:
            found.append(code)
    return found


def normalise(text: str) -> str | None:
    """The canonical form of the first complete code in ``text`` (None if there is none)."""
    return next((c.code for c in find_codes(text) if c.complete), None)


def display(code: str) -> str:
    """The code as shown back to the citizen: the sequence number hidden but its last two digits.

    Bot messages are stored in the conversation's tracker; the full code is not.
    """
    head, sep, seq = code.rpartition("-")
    if not sep:
        return "*" * max(len(code) - 2, 0) + code[-2:]
    return f"{head}-{'*' * max(len(seq) - 2, 0)}{seq[-2:]}"

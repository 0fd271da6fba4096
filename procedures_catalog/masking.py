"""Mask personal data in what citizens type before anything is logged or stored.

Masked, in this order (each mask is a plain placeholder a reader understands):

* e-mail addresses → ``[EMAIL]``;
* dossier codes (mã hồ sơ) as the public-service portals print them on receipts:
  the agency's identification code, the filing date (yymmdd) and a sequence number,
  e.g. ``H56.22-240315-0001``, ``000.00.00.H56-240315-0001``, ``G22.99-230101-00012``,
  also typed with spaces, in lower case, with dashes missing or doubled (the pattern of
  :mod:`procedures_catalog.dossier.codes`, which looks them up) → ``[MÃ HỒ SƠ]``;
* phone numbers: mobile ``0912345678``, ``0912 345 678``, ``0912.345.678``,
  ``+84 912 345 678``, ``(+84) 912345678``, ``84912345678``; landlines with the area
  code ``0273 3873 456`` → ``[SĐT]``;
* identity numbers: 12-digit citizen ID (CCCD), 9-digit old ID (CMND), grouped by
  three or not, and any other run of nine or more digits (tax codes, insurance and
  bank account numbers) → ``[SỐ GIẤY TỜ]``.

Kept as they are: procedure codes (``1.001193``, ``1.000656.01``), amounts of money
(``100.000.000 đồng``), short numbers (years, counts, the ``1022`` hotline).

Over-masking is preferred to under-masking: a number that merely looks like an ID
is masked too. Nothing here imports Rasa or the database.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from .dossier.codes import DOSSIER_PATTERN

EMAIL_MASK = "[EMAIL]"
DOSSIER_MASK = "[MÃ HỒ SƠ]"
PHONE_MASK = "[SĐT]"
ID_MASK = "[SỐ GIẤY TỜ]"
MASKS = (EMAIL_MASK, DOSSIER_MASK, PHONE_MASK, ID_MASK)

# Zero-width and other format characters could hide a number from the patterns.
_FORMAT_CHARS = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

_LOCAL = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-"
# The look-behind pins the start to the beginning of a run, which keeps the search
# linear on long inputs ("a" * 10_000) that have no "@".
_EMAIL = re.compile(
    rf"(?<![{_LOCAL}])[{_LOCAL}]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\s*\.\s*[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
# Dossier codes however citizens type them (spaces, case, missing or doubled dashes):
# one pattern, shared with the lookup that recognises them.
_DOSSIER = DOSSIER_PATTERN
# Up to two spaces and one dot or dash between digits ("0912 - 345 - 678").
_SEP = r"(?:\s{0,2}[.\-]?\s{0,2})"
_PHONE = re.compile(
    # +84 / 84 / (+84) / 0, then 9 or 10 digits with separators between them.
    r"(?<!\d)(?:\(\s*\+?84\s*\)|\+\s*84|84|0)" + _SEP + r"[1-9](?:" + _SEP + r"\d){8,9}(?!\d)"
)
_NOT_MONEY = r"(?!\s*(?:đ\b|đồng|dong\b|vn[dđ]|₫|triệu|trieu|nghìn|nghin|ngàn|ngan))"
# Nine or more digits, run together or split by single spaces or dots.
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ .]?\d){8,}(?!\d)" + _NOT_MONEY)
_PROCEDURE_CODE = re.compile(r"\d\.\d{6}(?:\.\d{1,3})?")


def _mask_digit_run(match: re.Match[str]) -> str:
    tokens = match.group(0).split()
    if all(_PROCEDURE_CODE.fullmatch(t) for t in tokens):
        return match.group(0)  # procedure codes name procedures, not people
    return ID_MASK


def _normalise(text: str) -> str:
    # NFKC turns full-width digits ("０９１２…") and other look-alikes into ASCII.
    return _FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", text))


def mask(text: str | None) -> str:
    """Return ``text`` with personal data replaced by placeholders.

    Args:
        text: what a citizen typed (any length; None is treated as empty).

    Returns:
        The NFKC-normalised text with e-mails, dossier codes, phone numbers and
        identity numbers masked.
    """
    if not text:
        return ""
    text = _normalise(str(text))
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _DOSSIER.sub(DOSSIER_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _DIGIT_RUN.sub(_mask_digit_run, text)
    return text


def has_personal_data(text: str | None) -> bool:
    """Whether :func:`mask` would change anything but normalisation in ``text``."""
    if not text:
        return False
    return mask(text) != _normalise(str(text))


class MaskingFilter(logging.Filter):
    """A logging filter that masks personal data in every record it sees.

    Attach it to handlers (not loggers): a handler filter also sees the records
    that propagate from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        masked = mask(message)
        if masked != _normalise(message):
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Format the traceback now so that the exception text is masked too.
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Add a :class:`MaskingFilter` to every handler of ``logger`` (default: root).

    Idempotent; call it once the process has configured its logging.
    """
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())

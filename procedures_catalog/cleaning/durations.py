"""Processing time: the number of days (or hours) read from the time text, if clear.
"""

from __future__ import annotations

import re

from .text import clean_text

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

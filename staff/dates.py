"""Times as staff read them: Vietnam time (UTC+7), day/month/year."""

from __future__ import annotations

from datetime import date, datetime, timezone

from procedures_catalog.dashboard import LOCAL_TZ


def local_time(value: datetime | None, with_seconds: bool = False) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time ('' for None); naive values are UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S" if with_seconds else "%d/%m/%Y %H:%M")


def short_day(value: date) -> str:
    """``dd/mm`` for chart axes."""
    return value.strftime("%d/%m")

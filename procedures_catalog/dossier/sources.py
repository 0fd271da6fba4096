"""Dossier sources: ``demo`` (sample dossiers), ``http`` (a lookup service), ``none``.

:func:`make_source` picks one from the settings (``DOSSIER_SOURCE``). Every source has
``name`` and ``lookup(code) -> Dossier``; a source that cannot answer raises
:class:`~procedures_catalog.dossier.record.SourceUnavailable`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..settings import PACKAGE_DATA, DossierSettings, get_dossier_settings
from .record import STATUSES, Dossier

DEMO_FILE = PACKAGE_DATA / "demo_dossiers.yaml"


class DossierSource(Protocol):
    """Anything that looks a normalised dossier code up."""

    name: str

    def lookup(self, code: str) -> Dossier:
        """The dossier's status (``found=False`` when the source does not know it)."""
        ...


class DemoSource:
    """Sample dossiers in every state, dated relative to today; every answer says "demo".

    Args:
        path: the YAML file of sample dossiers.
        today: the reference day (tests pin it).
    """

    name = "demo"

    def __init__(self, path: Path = DEMO_FILE, today: date | None = None) -> None:
        self._path, self._today = path, today
        self._rows: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._rows is None:
            rows = yaml.safe_load(self._path.read_text(encoding="utf-8")) or []
            self._rows = {str(r["code"]).upper(): r for r in rows}
        return self._rows

    def codes(self) -> list[str]:
        """The demo codes, in file order."""
        return list(self._load())

    def lookup(self, code: str) -> Dossier:
        """The sample dossier ``code`` (not found for any other code)."""
        row = self._load().get(code.upper())
        if row is None:
            return Dossier(code=code, found=False, demo=True)
        today = self._today or date.today()

        def day(key: str) -> date | None:
            return today + timedelta(days=int(row[key])) if row.get(key) is not None else None

        status = str(row.get("status"))
        return Dossier(
            code=code, found=True, status=status if status in STATUSES else "unknown",
            received=day("received"), due=day("due"), finished=day("finished"),
            office=row.get("office"), missing=tuple(row.get("missing") or ()),
            note=row.get("note"), demo=True,
        )


class NoneSource:
    """No lookup service: answers explain how to look the code up on the portal."""

    name = "none"

    def lookup(self, code: str) -> Dossier:
        """Always "not looked up": the answer gives the portal's steps instead."""
        return Dossier(code=code, found=False)


def make_source(settings: DossierSettings | None = None) -> DossierSource:
    """The source the settings name (``DOSSIER_SOURCE``: demo, http or none)."""
    settings = settings or get_dossier_settings()
    if settings.source == "none":
        return NoneSource()
    if settings.source == "http":
        from .http import FieldMapping, HttpSource

        auth = (settings.http_user, settings.http_password) if settings.http_user else None
        return HttpSource(settings.http_url, FieldMapping.load(settings.http_mapping),
                          unit=settings.http_unit, timeout=settings.http_timeout,
                          auth=auth, token=settings.http_token)
    return DemoSource()

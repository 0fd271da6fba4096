"""The ``http`` dossier source: a one-stop system's lookup service, through a field mapping.

The request and the answer's field names live in a YAML mapping
(``procedures_catalog/dossier/mappings/dvcqg.yaml`` for the national portal's
``TraCuuHoSo``), so a system that answers in another shape needs a new mapping file,
not new code. Only the mapped fields are read: whatever else the service returns (the
applicant's name, ID number, address) never leaves this module.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import requests
import yaml

from .record import STATUSES, Dossier, SourceUnavailable

log = logging.getLogger(__name__)
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


@dataclass(frozen=True)
class FieldMapping:
    """How one lookup service is asked and how its answer reads.

    Attributes:
        name: the mapping's name (for logs).
        body: the JSON request body, with ``{code}`` and ``{unit}`` placeholders.
        record: keys leading from the answer to the dossier record.
        fields: our field name → the service's field name.
        date_formats: ``strptime`` formats tried in order.
        statuses: the service's status value (as text, lower case) → one of STATUSES.
    """

    name: str
    body: Mapping[str, Any]
    record: tuple[str, ...]
    fields: Mapping[str, str]
    date_formats: tuple[str, ...]
    statuses: Mapping[str, str]

    @classmethod
    def load(cls, name_or_path: str) -> FieldMapping:
        """Load a bundled mapping by name (``dvcqg``) or a YAML file by path."""
        path = Path(name_or_path)
        if not path.suffix:
            path = MAPPINGS_DIR / f"{name_or_path}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        statuses = {str(k).strip().lower(): str(v) for k, v in (data.get("statuses") or {}).items()}
        bad = sorted(set(statuses.values()) - set(STATUSES))
        if bad:
            raise ValueError(f"{path}: unknown states {bad}; use {list(STATUSES)}")
        return cls(
            name=str(data.get("name") or path.stem),
            body=dict((data.get("request") or {}).get("body") or {}),
            record=tuple(data.get("record") or ()),
            fields=dict(data.get("fields") or {}),
            date_formats=tuple(data.get("date_formats") or ("%Y-%m-%d",)),
            statuses=statuses,
        )

    def request_body(self, code: str, unit: str) -> dict[str, Any]:
        """The request body for ``code``."""
        return {k: v.replace("{code}", code).replace("{unit}", unit) if isinstance(v, str) else v
                for k, v in self.body.items()}

    def find_record(self, answer: Any) -> Mapping[str, Any] | None:
        """The dossier record inside ``answer``; None when the service has no such dossier.

        Raises:
            SourceUnavailable: the answer does not have the mapped shape.
        """
        node = answer
        for key in self.record:
            if isinstance(node, list):
                node = node[0] if node else None
            if node is None:
                return None
            if not isinstance(node, Mapping):
                raise SourceUnavailable(f"{self.name}: expected an object at {key!r}")
            node = node.get(key)
        if isinstance(node, list):
            node = node[0] if node else None
        if node is None or node == {}:
            return None
        if not isinstance(node, Mapping):
            raise SourceUnavailable(f"{self.name}: the record is not an object")
        return node

    def parse_date(self, value: Any) -> date | None:
        """A date from the service's text (None when absent or unreadable)."""
        if value in (None, ""):
            return None
        text = str(value).strip()
        for fmt in self.date_formats:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        log.warning("%s: unreadable date %r", self.name, text[:40])
        return None

    def status(self, value: Any) -> str:
        """One of STATUSES for the service's status value."""
        return self.statuses.get(str(value).strip().lower(), "unknown") if value is not None else "unknown"

    def to_dossier(self, code: str, record: Mapping[str, Any]) -> Dossier:
        """Read the mapped fields (and only those) of ``record``."""
        def get(name: str) -> Any:
            key = self.fields.get(name)
            return record.get(key) if key else None

        returned_code = get("code")
        if returned_code and _compact(str(returned_code)) != _compact(code):
            # Never show another dossier than the one asked about.
            return Dossier(code=code, found=False)
        missing = get("missing")
        if isinstance(missing, str):
            items = [s.strip(" -•\t") for s in re.split(r"[\n;]+", missing)]
        elif isinstance(missing, list):
            items = [str(s).strip() for s in missing]
        else:
            items = []
        return Dossier(
            code=code, found=True, status=self.status(get("status")),
            received=self.parse_date(get("received")), due=self.parse_date(get("due")),
            finished=self.parse_date(get("finished")),
            office=_short(get("office")), missing=tuple(i[:200] for i in items if i),
            note=_short(get("note")),
        )


def _compact(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z.]", "", code).upper()


def _short(value: Any, limit: int = 200) -> str | None:
    if value in (None, ""):
        return None
    return str(value).strip()[:limit] or None


class HttpSource:
    """Look dossiers up through a one-stop system's HTTP service.

    Args:
        url: the service URL.
        mapping: how the service is asked and answers.
        unit: the unit code (``madonvi``).
        timeout: seconds before giving up.
        auth: (user, password) for basic authentication, if any.
        token: a bearer token, if any.
    """

    name = "http"

    def __init__(self, url: str, mapping: FieldMapping, *, unit: str = "", timeout: float = 5.0,
                 auth: tuple[str, str] | None = None, token: str = "") -> None:
        self.url, self.mapping, self.unit, self.timeout = url, mapping, unit, timeout
        self._session = requests.Session()
        if auth:
            self._session.auth = auth
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def lookup(self, code: str) -> Dossier:
        """Ask the service about ``code``.

        Raises:
            SourceUnavailable: time-out, connection error, 5xx, refused credentials or an
                answer that is not the mapped JSON.
        """
        if not self.url:
            raise SourceUnavailable("DOSSIER_HTTP_URL is not set")
        try:
            response = self._session.post(self.url, json=self.mapping.request_body(code, self.unit),
                                          timeout=self.timeout)
        except requests.RequestException as exc:
            raise SourceUnavailable(f"{self.mapping.name}: {type(exc).__name__}") from None
        if response.status_code == 404:
            return Dossier(code=code, found=False)
        if response.status_code >= 400:
            raise SourceUnavailable(f"{self.mapping.name}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise SourceUnavailable(f"{self.mapping.name}: the answer is not JSON") from None
        record = self.mapping.find_record(answer)
        if record is None:
            return Dossier(code=code, found=False)
        return self.mapping.to_dossier(code, record)

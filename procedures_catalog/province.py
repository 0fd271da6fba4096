"""The province's configuration: its name, units and the dated facts of the 2025 reform.

Read from ``procedures_catalog/data/province.yaml`` (or ``CATALOG_PROVINCE_FILE``) on
first use and kept per process; nothing is read at import time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import yaml

from .settings import get_settings


@dataclass(frozen=True)
class Province:
    """The served province and the reform facts answers rely on.

    Attributes:
        name: today's province name (after the 2025 merger).
        former_names: names of the merged provinces, still used by citizens.
        merged_on: the date the merger took effect.
        units: counts of commune-level units by kind (communes, wards).
        two_tier_from: the date the district level ended.
        national_portal: the one online gateway (URL).
    """

    name: str
    former_names: tuple[str, ...]
    merged_on: date
    units: dict[str, int]
    two_tier_from: date
    national_portal: str

    @property
    def portal_host(self) -> str:
        """The portal's host name as citizens type it (``dichvucong.gov.vn``)."""
        return urlparse(self.national_portal).netloc or self.national_portal


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@functools.lru_cache(maxsize=4)
def load_province(path: Path) -> Province:
    """Read a province file (cached per path)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Province(
        name=str(data["name"]),
        former_names=tuple(str(n) for n in data.get("former_names") or ()),
        merged_on=_as_date(data["merged_on"]),
        units={str(k): int(v) for k, v in (data.get("units") or {}).items()},
        two_tier_from=_as_date(data["two_tier_from"]),
        national_portal=str(data.get("national_portal") or "https://dichvucong.gov.vn"),
    )


def province() -> Province:
    """The configured province."""
    return load_province(get_settings().province_file)

"""The offices a citizen goes to (province, district, commune, hotline) and their details.

Offices are loaded from a YAML file on first use and edited by staff afterwards;
every change writes an audit entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select

from . import audit, db
from .audit import InvalidChange
from .cleaning import clean_text
from .models import Office

OFFICE_KEYS = ("tinh", "huyen", "xa", "hotline")
OFFICE_FIELDS = ("name", "address", "hours", "phone", "email", "website", "note", "is_sample")


def set_office(engine: Engine, key: str, field_name: str, value: Any, *, by: str,
               reason: str) -> bool:
    """Change one detail of an office, with an audit entry."""
    by, reason = audit.check_actor(by, reason)
    if key not in OFFICE_KEYS:
        raise InvalidChange(f"office must be one of {', '.join(OFFICE_KEYS)}")
    if field_name not in OFFICE_FIELDS:
        raise InvalidChange(f"office field must be one of {', '.join(OFFICE_FIELDS)}")
    if field_name == "is_sample":
        new: Any = str(value).strip().lower() in ("1", "true", "yes", "co", "có")
    else:
        new = clean_text(str(value or ""))
        if field_name == "name" and not new:
            raise InvalidChange("the office name cannot be empty")
    with db.session_scope(engine) as s:
        office = s.scalar(select(Office).where(Office.key == key))
        if office is None:
            office = Office(key=key, name=new if field_name == "name" else key)
            s.add(office)
            s.flush()
        old = getattr(office, field_name)
        if old == new:
            return False
        setattr(office, field_name, new)
        audit.write(s, actor=by, action="update", entity="office", key=key,
                    field_name=field_name, old=old, new=new, reason=reason)
    return True


def load_offices(engine: Engine, path: Path, *, by: str, reason: str = "") -> int:
    """Load offices from YAML ({key: {name, address, hours, phone, ..., sample}})."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise InvalidChange(f"{path}: expected a mapping of office keys")
    changed = 0
    with db.session_scope(engine) as s:
        existing = {o.key: o for o in s.scalars(select(Office))}
        for key, values in data.items():
            if key not in OFFICE_KEYS or not isinstance(values, dict):
                raise InvalidChange(f"{path}: unknown office {key!r} (use {', '.join(OFFICE_KEYS)})")
            if not str(values.get("name") or "").strip():
                raise InvalidChange(f"{path}: office {key!r} has no name")
            office = existing.get(key)
            if office is None:
                office = Office(key=key, name=str(values["name"]))
                s.add(office)
            for f in OFFICE_FIELDS:
                src = "sample" if f == "is_sample" else f
                if src not in values:
                    continue
                new = bool(values[src]) if f == "is_sample" else clean_text(str(values[src] or ""))
                old = getattr(office, f, None)
                if old != new:
                    setattr(office, f, new)
                    audit.write(s, actor=by, action="update", entity="office", key=key,
                                field_name=f, old=old, new=new,
                                reason=reason or f"offices loaded from {Path(path).name}")
                    changed += 1
    return changed

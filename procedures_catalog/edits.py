"""Staff edits of one procedure: checked values, field changes and retiring.

Every value is cleaned and checked by :func:`validate_value` before anything is
written; each change writes its audit entry in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, select

from . import audit, db
from .audit import InvalidChange, NotFound
from .cleaning import clean_name, clean_text, parse_fees, parse_processing_time, split_documents
from .importers.base import parse_level, parse_online_level
from .models import Procedure
from .records import EDITABLE_FIELDS, LEVELS, ONLINE_LEVELS


def derive(procedure: Procedure) -> None:
    """Recompute the structured values parsed from fees and processing time."""
    fee = parse_fees(procedure.fees)
    procedure.fee_free, procedure.fee_min_vnd, procedure.fee_max_vnd = fee.free, fee.min_vnd, fee.max_vnd
    procedure.processing_days, procedure.processing_unit = parse_processing_time(procedure.processing_time)


def validate_value(field_name: str, value: Any) -> Any:
    """Clean and check a new value for ``field_name``; raise InvalidChange if wrong."""
    if field_name not in EDITABLE_FIELDS:
        raise InvalidChange(
            f"unknown field {field_name!r}; editable fields: {', '.join(EDITABLE_FIELDS)}"
        )
    if field_name == "level":
        level = parse_level(value)
        if level is None:
            raise InvalidChange(f"level must be one of {', '.join(LEVELS)} (got {value!r})")
        return level
    if field_name == "online_level":
        online = parse_online_level(value)
        if online is None:
            raise InvalidChange(
                f"online_level must be one of {', '.join(ONLINE_LEVELS)} (got {value!r})"
            )
        return online
    if field_name == "documents":
        items = value if isinstance(value, list) else split_documents(str(value or ""))
        return [clean_text(str(i)).replace("\n", " ") for i in items if clean_text(str(i))]
    if field_name == "name":
        name = clean_name(str(value or ""))
        if not name:
            raise InvalidChange("the name cannot be empty")
        return name
    return clean_text(str(value or ""))


def set_fields(engine: Engine, code: str, values: dict[str, Any], *, by: str,
               reason: str) -> list[str]:
    """Change several fields of a procedure at once (see :meth:`Catalog.set_fields`)."""
    by, reason = audit.check_actor(by, reason)
    new_values = {f: validate_value(f, v) for f, v in values.items()}
    group = f"edit-{uuid.uuid4().hex[:12]}" if len(new_values) > 1 else ""
    changed: list[str] = []
    with db.session_scope(engine) as s:
        p = s.scalar(select(Procedure).where(Procedure.code == code.strip()))
        if p is None:
            raise NotFound(f"no procedure with code {code!r}")
        for field_name, new in new_values.items():
            old = getattr(p, field_name)
            if old == new:
                continue
            setattr(p, field_name, new)
            # A level set by staff is a staff-verified fact, unless the same edit
            # says where it comes from.
            if field_name == "level" and "level_source" not in new_values:
                p.level_source = "staff"
            if field_name == "online_level" and "online_source" not in new_values:
                p.online_source = "staff"
            audit.write(s, actor=by, action="update", entity="procedure", key=p.code,
                        field_name=field_name, old=old, new=new, reason=reason, batch=group)
            changed.append(field_name)
        if changed:
            derive(p)
    return changed


def set_status(engine: Engine, code: str, status: str, *, by: str, reason: str) -> bool:
    """Retire (``retired``) or restore (``active``) a procedure, with an audit entry."""
    if status not in ("active", "retired"):
        raise InvalidChange("status must be 'active' or 'retired'")
    by, reason = audit.check_actor(by, reason)
    with db.session_scope(engine) as s:
        p = s.scalar(select(Procedure).where(Procedure.code == code.strip()))
        if p is None:
            raise NotFound(f"no procedure with code {code!r}")
        if p.status == status:
            return False
        audit.write(s, actor=by, action="retire" if status == "retired" else "restore",
                    entity="procedure", key=p.code, field_name="status", old=p.status,
                    new=status, reason=reason)
        p.status = status
    return True

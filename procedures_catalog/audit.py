"""The audit trail's rules: who and why, and the entry every change writes.

Every change to the catalogue goes through :func:`check_actor` (a change has an
author and, for edits, a reason) and :func:`write` (one
:class:`~procedures_catalog.models.AuditEntry` row in the change's own session, so the
change and its trail are committed together or not at all).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .cleaning import join_documents
from .models import AuditEntry
from .records import CatalogError

SYSTEM_ACTOR = "system"


class NotFound(CatalogError):
    """No procedure with that code."""


class InvalidChange(CatalogError):
    """A change staff asked for is not allowed (wrong field, value or missing reason)."""


def as_text(value: Any) -> str:
    """A field value as the audit trail and the diff lines show it (lists one per line)."""
    if isinstance(value, list):
        return join_documents([str(v) for v in value])
    if value is None:
        return ""
    return str(value)


def check_actor(by: str, reason: str | None, *, need_reason: bool = True) -> tuple[str, str]:
    """The author and reason of a change, stripped; raise InvalidChange if missing."""
    by = (by or "").strip()
    if not by:
        raise InvalidChange("say who makes the change (--by NAME)")
    reason = (reason or "").strip()
    if need_reason and not reason:
        raise InvalidChange("a reason is required for every change (--reason TEXT)")
    return by, reason


def write(s: Session, *, actor: str, action: str, entity: str, key: str, field_name: str = "",
          old: Any = None, new: Any = None, reason: str = "", batch: str = "") -> None:
    """Add one audit entry to ``s`` (committed with the change it records)."""
    s.add(AuditEntry(
        actor=actor, action=action, entity=entity, entity_key=key, field=field_name,
        old_value=None if old is None else as_text(old),
        new_value=None if new is None else as_text(new),
        reason=reason, batch=batch,
    ))

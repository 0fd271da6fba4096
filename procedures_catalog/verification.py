"""The staff verification queue: estimated and stale facts, the most asked first.

A procedure is in the queue when its level or online level is an estimate (or of
unknown source), or when nobody has confirmed it for ``stale_days``. Procedures
citizens ask about most (from the turn log) come first, then the oldest. An editor
either confirms the values as they are (:func:`verify`, audited as ``verify``) or
corrects them (:meth:`Catalog.set_fields`); both make the values staff-verified.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from . import audit, db
from .audit import InvalidChange, NotFound
from .facts import STAFF_ACTIONS
from .models import AuditEntry, Edition, EditionEntry, Procedure, Turn
from .provenance import HEDGED, source_provenance

if TYPE_CHECKING:
    from .service import Catalog

VERIFIABLE = ("level", "online_level", "fees", "processing_time", "documents", "steps")


@dataclass
class QueueItem:
    """One procedure waiting for a check."""

    code: str
    name: str
    level: str
    online_level: str
    estimated: list[str] = field(default_factory=list)
    verified_on: date | None = None
    asked: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"code": self.code, "name": self.name, "level": self.level,
                "online_level": self.online_level, "estimated": self.estimated,
                "verified_on": self.verified_on.isoformat() if self.verified_on else None,
                "asked": self.asked}


def _verified_days(s: Any) -> dict[str, date]:
    """The last confirmation day per code (staff edits/verifications, official editions)."""
    out: dict[str, date] = {}
    staff = s.execute(select(AuditEntry.entity_key, func.max(AuditEntry.at)).where(
        AuditEntry.entity == "procedure", AuditEntry.action.in_(STAFF_ACTIONS),
        AuditEntry.actor != "system",
        or_(AuditEntry.batch == "", AuditEntry.batch.like("edit-%")))
        .group_by(AuditEntry.entity_key))
    official = s.execute(select(EditionEntry.code, func.max(Edition.created_at)).join(
        Edition, EditionEntry.edition_id == Edition.id).where(
        Edition.kind == "official", Edition.status.in_(("active", "superseded")))
        .group_by(EditionEntry.code))
    for code, at in [*staff, *official]:
        day = at.date()
        if code not in out or out[code] < day:
            out[code] = day
    return out


def queue(catalog: Catalog, *, stale_days: int = 365, limit: int = 100,
          today: date | None = None) -> list[QueueItem]:
    """Procedures with estimated or stale facts: most asked first, then oldest check first."""
    cutoff = (today or date.today()) - timedelta(days=stale_days)
    with catalog.session() as s:
        asked: dict[str, int] = {str(code): int(n) for code, n in s.execute(
            select(Turn.procedure_code, func.count()).where(Turn.procedure_code.is_not(None))
            .group_by(Turn.procedure_code))}
        verified = _verified_days(s)
        items = []
        for p in s.scalars(select(Procedure).where(Procedure.status == "active")):
            estimated = [f for f, src in (("level", p.level_source), ("online_level", p.online_source))
                         if source_provenance(src) in HEDGED]
            day = verified.get(p.code)
            if estimated or day is None or day < cutoff:
                items.append(QueueItem(p.code, p.name, p.level, p.online_level, estimated, day,
                                       int(asked.get(p.code, 0))))
    # Most asked first; then the more estimates, the sooner; then the oldest check.
    items.sort(key=lambda i: (-i.asked, -len(i.estimated), i.verified_on or date.min, i.code))
    return items[:limit]


def verify(catalog: Catalog, code: str, fields: list[str], *, by: str, reason: str) -> int:
    """Confirm fields as they are: one ``verify`` audit entry each, one transaction.

    Levels confirmed by staff become staff-verified (``*_source = "staff"``).

    Returns:
        How many fields were confirmed.
    """
    by, reason = audit.check_actor(by, reason)
    wrong = [f for f in fields if f not in VERIFIABLE]
    if wrong or not fields:
        raise InvalidChange(f"fields to verify must be among {', '.join(VERIFIABLE)}")
    group = f"edit-{uuid.uuid4().hex[:12]}"
    with db.session_scope(catalog.engine) as s:
        p = s.scalar(select(Procedure).where(Procedure.code == code.strip()))
        if p is None:
            raise NotFound(f"no procedure with code {code!r}")
        for f in fields:
            if f == "level":
                p.level_source = "staff"
            if f == "online_level":
                p.online_source = "staff"
            value = getattr(p, f)
            audit.write(s, actor=by, action="verify", entity="procedure", key=p.code,
                        field_name=f, old=value, new=value, reason=reason, batch=group)
        p.updated_at = datetime.now(timezone.utc)
    return len(fields)

"""What an import changes: the plan it reports (or, in a dry run, would carry out) and
the comparison of read records against the catalogue that produces it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .edits import derive
from .importers import ReadResult
from .models import Procedure
from .records import EDITABLE_FIELDS


@dataclass
class FieldChange:
    """One field of one procedure that an import would change."""

    field: str
    old: Any
    new: Any


@dataclass
class ImportPlan:
    """What an import does (or, in a dry run, would do)."""

    source: str
    format: str
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[FieldChange]] = field(default_factory=dict)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    applied: bool = False
    batch: str = ""

    @property
    def changes(self) -> int:
        """Number of procedures the import touches."""
        return len(self.created) + len(self.updated) + len(self.retired) + len(self.restored)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "source": self.source,
            "format": self.format,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "retired": len(self.retired),
            "restored": len(self.restored),
            "applied": self.applied,
            "batch": self.batch,
        }


def apply_records(session: Session, result: ReadResult, plan: ImportPlan, *, by: str,
                  replace: bool = False, dry_run: bool = False, reason: str = "",
                  progress: Callable[[int], None] | None = None) -> None:
    """Apply records inside ``session`` (the caller commits), filling ``plan``.

    Editions call this so that an edition and the catalogue it puts in force are
    committed together.
    """
    batch = plan.batch
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    in_file = set()
    for n, (record, provided) in enumerate(zip(result.records, result.provided), start=1):
        in_file.add(record.code)
        p = existing.get(record.code)
        if p is None:
            plan.created.append(record.code)
            if not dry_run:
                p = Procedure(code=record.code, source=result.source, status="active",
                              **{f: getattr(record, f) for f in EDITABLE_FIELDS})
                derive(p)
                session.add(p)
                audit.write(session, actor=by, action="create", entity="procedure",
                            key=record.code, field_name="", new=record.name,
                            reason=reason, batch=batch)
        else:
            changes = [
                FieldChange(f, getattr(p, f), getattr(record, f))
                for f in EDITABLE_FIELDS
                if f in provided and getattr(p, f) != getattr(record, f)
            ]
            if p.status != "active":
                plan.restored.append(record.code)
            if changes:
                plan.updated[record.code] = changes
            elif p.status == "active":
                plan.unchanged += 1
            if not dry_run:
                for ch in changes:
                    setattr(p, ch.field, ch.new)
                    audit.write(session, actor=by, action="update", entity="procedure",
                                key=p.code, field_name=ch.field, old=ch.old, new=ch.new,
                                reason=reason, batch=batch)
                if changes:
                    p.source = result.source
                    derive(p)
                if p.status != "active":
                    audit.write(session, actor=by, action="restore", entity="procedure",
                                key=p.code, field_name="status", old=p.status,
                                new="active", reason=reason, batch=batch)
                    p.status = "active"
        if progress and n % 50 == 0:
            progress(50)
    if progress:
        progress(len(result.records) % 50)
    if replace:
        for code, p in sorted(existing.items()):
            if code not in in_file and p.status == "active":
                plan.retired.append(code)
                if not dry_run:
                    audit.write(session, actor=by, action="retire", entity="procedure",
                                key=code, field_name="status", old="active",
                                new="retired", reason=reason, batch=batch)
                    p.status = "retired"


def diff_lines(changes: Sequence[FieldChange], width: int = 70) -> list[str]:
    """Human-readable lines for a procedure's field changes."""
    out = []
    for ch in changes:
        old = audit.as_text(ch.old).replace("\n", " ⏎ ")
        new = audit.as_text(ch.new).replace("\n", " ⏎ ")
        if len(old) > width:
            old = old[: width - 1] + "…"
        if len(new) > width:
            new = new[: width - 1] + "…"
        out.append(f"    {ch.field}: {old!r} → {new!r}")
    return out

"""Catalogue editions: official lists with an effective date, their history and differences.

An edition keeps its procedures exactly as imported (:class:`EditionEntry`). The edition
in force is applied to the live ``procedures`` table, which the assistant and staff
read; a staged edition waits for its date and is applied by the first read on or after
that date (:func:`activate_due`), so it takes effect without a restart. Applying is an
all-or-nothing replace import in the same transaction as the status change, and the
status change is a compare-and-set, so two processes never apply an edition twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import db
from .import_plan import ImportPlan
from .importers import ReadResult
from .models import Edition, EditionEntry
from .records import CSV_COLUMNS, EDITABLE_FIELDS, CatalogError, ProcedureRecord

if TYPE_CHECKING:
    from .service import Catalog

KINDS = ("official", "sample")
# The fields whose change a citizen cares about, in the order differences are listed.
DIFF_FIELDS = ("level", "online_level", "fees", "processing_time", "name")


class EditionError(CatalogError):
    """A wrong edition request (unknown id, bad date, missing name)."""


@dataclass(frozen=True)
class EditionInfo:
    """What staff say about an edition when they import it."""

    name: str
    effective_from: date
    decision: str = ""
    unit: str = ""
    kind: str = "official"

    def checked(self) -> EditionInfo:
        """The same info, validated (raises :class:`EditionError`)."""
        if not self.name.strip():
            raise EditionError("an edition needs a name (--edition NAME)")
        if self.kind not in KINDS:
            raise EditionError(f"edition kind must be one of {', '.join(KINDS)}")
        return self


def parse_date(value: str | date) -> date:
    """``YYYY-MM-DD`` (or ``DD/MM/YYYY``) → date; raises :class:`EditionError`."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if "/" in text:
            d, m, y = text.split("/")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise EditionError(f"not a date: {value!r} (use YYYY-MM-DD)") from exc


def sidecar_info(path: Path) -> EditionInfo | None:
    """The edition described next to a catalogue file (``X.edition.yaml``), if any."""
    name = path.name
    for suffix in (".csv.gz", ".csv", ".xlsx", ".jsonl", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    meta = path.with_name(name + ".edition.yaml")
    if not meta.exists():
        return None
    data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
    return EditionInfo(name=str(data["name"]), effective_from=parse_date(data["effective_from"]),
                       decision=str(data.get("decision") or ""), unit=str(data.get("unit") or ""),
                       kind=str(data.get("kind") or "official")).checked()


def today() -> date:
    """Today's date where the assistant runs (an edition takes effect on this date)."""
    return datetime.now().date()


# ----------------------------------------------------------------------- writing
def create(catalog: Catalog, result: ReadResult, info: EditionInfo, *, by: str,
           on: date | None = None) -> tuple[dict[str, Any], ImportPlan | None]:
    """Record an edition from read records; apply it now if its date has come.

    Returns:
        The edition (``as_dict``) and the import plan when it was applied, else None.
    """
    info = info.checked()
    by = by.strip()
    if not by:
        raise EditionError("say who imports the edition (--by NAME)")
    official = info.kind == "official"
    with db.session_scope(catalog.engine) as s:
        edition = Edition(name=info.name.strip(), decision=info.decision.strip(),
                          effective_from=info.effective_from, unit=info.unit.strip(),
                          source=result.source, kind=info.kind, status="staged", created_by=by)
        s.add(edition)
        s.flush()
        for record in result.records:
            data = record.as_dict()
            if official:
                # An official list confirms the levels it gives, whatever a source
                # column of the file says ("assigned", "inferred"...).
                for key in ("level_source", "online_source"):
                    if data[key] not in ("portal", "staff"):
                        data[key] = "official"
            s.add(EditionEntry(edition_id=edition.id, code=record.code, data=data))
        plan: ImportPlan | None = None
        current = s.scalar(select(Edition).where(Edition.status == "active"))
        newer_in_force = current is not None and current.effective_from > info.effective_from
        # An older list never replaces a newer one by itself (staff may `activate` it).
        if info.effective_from <= (on or today()) and not newer_in_force:
            plan = ImportPlan(source=result.source, format=result.format, batch=uuid.uuid4().hex[:12])
            _apply(catalog, s, edition, by=by, plan=plan)
        s.flush()
        out = edition.as_dict()
    return out, plan


def _records(s: Session, edition_id: int) -> ReadResult:
    entries = s.scalars(select(EditionEntry).where(EditionEntry.edition_id == edition_id)
                        .order_by(EditionEntry.id))
    records = [ProcedureRecord(**{k: v for k, v in e.data.items() if k in CSV_COLUMNS})
               for e in entries]
    provided = frozenset({"code", *EDITABLE_FIELDS})
    return ReadResult(records, [provided] * len(records), "edition", f"edition {edition_id}")


def _apply(catalog: Catalog, s: Session, edition: Edition, *, by: str, plan: ImportPlan,
           reason: str = "") -> None:
    """Put ``edition`` in force inside ``s``: replace the catalogue, mark the statuses."""
    claimed = s.execute(update(Edition).where(Edition.id == edition.id, Edition.status != "active")
                        .values(status="active", activated_at=datetime.now(timezone.utc)))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return  # another process applied it first
    s.execute(update(Edition).where(Edition.id != edition.id, Edition.status == "active")
              .values(status="superseded"))
    catalog.apply_records(s, _records(s, edition.id), plan, by=by, replace=True,
                          reason=reason or f"edition {edition.id} in force: {edition.name}")
    plan.applied = True
    s.refresh(edition)


def activate(catalog: Catalog, edition_id: int, *, by: str, reason: str = "") -> ImportPlan | None:
    """Put an edition in force now (whatever its date). None if it already was."""
    with db.session_scope(catalog.engine) as s:
        edition = s.get(Edition, edition_id)
        if edition is None:
            raise EditionError(f"no edition with id {edition_id}")
        if edition.status == "active":
            return None
        plan = ImportPlan(source=f"edition {edition_id}", format="edition",
                          batch=uuid.uuid4().hex[:12])
        _apply(catalog, s, edition, by=by, plan=plan, reason=reason)
    return plan


def activate_due(catalog: Catalog, on: date | None = None) -> int | None:
    """Apply the newest staged edition whose date has come (cheap when there is none).

    Returns:
        The id of the edition put in force, or None.
    """
    on = on or today()
    with catalog.session() as s:
        due = s.scalar(select(Edition).where(Edition.status == "staged", Edition.effective_from <= on)
                       .order_by(Edition.effective_from.desc(), Edition.id.desc()).limit(1))
        if due is None:
            return None
        current = s.scalar(select(Edition).where(Edition.status == "active"))
        if current is not None and current.effective_from > due.effective_from:
            return None  # an older list never replaces a newer one by itself
        due_id = due.id
    try:
        activate(catalog, due_id, by="system", reason="effective date reached")
    except Exception:  # noqa: BLE001 - a failed switch keeps the edition in force
        import logging

        logging.getLogger(__name__).exception("edition %s could not be applied", due_id)
        return None
    return due_id


# ----------------------------------------------------------------------- reading
def list_editions(catalog: Catalog) -> list[dict[str, Any]]:
    """Every edition, newest date first, with its procedure count."""
    from sqlalchemy import func

    with catalog.session() as s:
        counts: dict[int, int] = {int(k): int(n) for k, n in s.execute(
            select(EditionEntry.edition_id, func.count()).group_by(EditionEntry.edition_id))}
        rows = s.scalars(select(Edition).order_by(Edition.effective_from.desc(), Edition.id.desc()))
        return [{**e.as_dict(), "procedures": int(counts.get(e.id, 0))} for e in rows]


def get(catalog: Catalog, edition_id: int) -> dict[str, Any]:
    """One edition (``as_dict`` plus its procedure count); raises :class:`EditionError`."""
    for edition in list_editions(catalog):
        if edition["id"] == edition_id:
            return edition
    raise EditionError(f"no edition with id {edition_id}")


def in_force(catalog: Catalog) -> dict[str, Any] | None:
    """The edition in force (``as_dict``), or None for a catalogue without editions."""
    with catalog.session() as s:
        edition = s.scalar(select(Edition).where(Edition.status == "active"))
        return edition.as_dict() if edition else None


def entries(catalog: Catalog, edition_id: int) -> dict[str, dict[str, Any]]:
    """The procedures of an edition by code (as imported)."""
    with catalog.session() as s:
        if s.get(Edition, edition_id) is None:
            raise EditionError(f"no edition with id {edition_id}")
        rows = s.scalars(select(EditionEntry).where(EditionEntry.edition_id == edition_id))
        return {e.code: dict(e.data) for e in rows}


def _entry(catalog: Catalog, edition_id: int, code: str) -> dict[str, Any] | None:
    """One procedure of an edition, or None (one row read, not the whole edition)."""
    with catalog.session() as s:
        entry = s.scalar(select(EditionEntry).where(EditionEntry.edition_id == edition_id,
                                                    EditionEntry.code == code))
        return dict(entry.data) if entry else None


def previous(catalog: Catalog, edition_id: int) -> dict[str, Any] | None:
    """The edition before ``edition_id`` (by date, then id), or None."""
    ordered = sorted(list_editions(catalog), key=lambda e: (e["effective_from"], e["id"]))
    ids = [e["id"] for e in ordered]
    if edition_id not in ids or ids.index(edition_id) == 0:
        return None
    return ordered[ids.index(edition_id) - 1]


def stats(catalog: Catalog, edition_id: int) -> dict[str, Any]:
    """The `catalog stats --json` figures of one edition."""
    from .records import LEVELS, ONLINE_LEVELS

    rows = entries(catalog, edition_id).values()
    return {
        "total": len(rows),
        "by_level": {lv: sum(1 for r in rows if r["level"] == lv) for lv in LEVELS},
        "by_online_level": {ol: sum(1 for r in rows if r["online_level"] == ol) for ol in ONLINE_LEVELS},
    }


def diff(catalog: Catalog, a: int, b: int) -> dict[str, Any]:
    """What changed from edition ``a`` to edition ``b``.

    Returns:
        ``{"from", "to", "added": [{code, name}], "removed": [...], "changed":
        {field: [{code, name, old, new}]}}`` with the fields of :data:`DIFF_FIELDS`.
    """
    old, new = entries(catalog, a), entries(catalog, b)
    changed: dict[str, list[dict[str, Any]]] = {f: [] for f in DIFF_FIELDS}
    for code in sorted(set(old) & set(new)):
        for f in DIFF_FIELDS:
            if (old[code].get(f) or "") != (new[code].get(f) or ""):
                changed[f].append({"code": code, "name": new[code]["name"],
                                   "old": old[code].get(f), "new": new[code].get(f)})
    return {
        "from": get(catalog, a),
        "to": get(catalog, b),
        "added": [{"code": c, "name": new[c]["name"]} for c in sorted(set(new) - set(old))],
        "removed": [{"code": c, "name": old[c]["name"]} for c in sorted(set(old) - set(new))],
        "changed": changed,
    }


def procedure_changes(catalog: Catalog, code: str) -> dict[str, Any]:
    """How one procedure differs between the edition in force and the one before it.

    Returns:
        ``{"current": edition|None, "previous": edition|None, "status": S, "changes":
        [{field, old, new}], "old": entry|None}`` where S is ``no_editions``,
        ``first_edition``, ``added``, ``removed``, ``changed`` or ``unchanged``.
    """
    current = in_force(catalog)
    if current is None:
        return {"current": None, "previous": None, "status": "no_editions", "changes": [], "old": None}
    before = previous(catalog, current["id"])
    if before is None:
        return {"current": current, "previous": None, "status": "first_edition", "changes": [],
                "old": None}
    old, new = _entry(catalog, before["id"], code), _entry(catalog, current["id"], code)
    out: dict[str, Any] = {"current": current, "previous": before, "changes": [], "old": old}
    if old is None or new is None:
        out["status"] = "added" if old is None else "removed"
        return out
    out["changes"] = [{"field": f, "old": old.get(f), "new": new.get(f)} for f in DIFF_FIELDS
                      if (old.get(f) or "") != (new.get(f) or "")]
    out["status"] = "changed" if out["changes"] else "unchanged"
    return out

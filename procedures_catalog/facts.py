"""A procedure with what answers need to be truthful: provenance, verification date, edition.

:func:`procedure_facts` enriches :func:`procedures_catalog.service.procedure_to_dict`
with ``provenance`` (level and online level), ``verified_on`` (the last staff
verification or official import that confirmed the procedure, from the audit trail and
the editions), ``edition`` (the edition in force) and ``contacts`` (the offices the
reform caveat and hedges point to). :func:`field_provenance` gives every field's source
for ``catalog show --json`` and the staff pages.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from . import editions
from .models import AuditEntry, Edition, EditionEntry, Procedure
from .provenance import provenance_of, source_provenance
from .records import EDITABLE_FIELDS

if TYPE_CHECKING:
    from .service import Catalog

# Staff changes and verifications are audited without an import batch (a multi-field
# edit groups its entries under an "edit-…" batch).
STAFF_ACTIONS = ("update", "verify")
CONTACT_KEYS = ("tinh", "xa", "hotline")
# Fields whose provenance is derived from another column rather than audited.
_META_FIELDS = ("level_source", "online_source", "level_portal", "online_portal")


def verified_on(catalog: Catalog, code: str) -> date | None:
    """When the procedure was last confirmed: a staff edit or verification, or an official edition."""
    with catalog.session() as s:
        staff = s.scalar(select(func.max(AuditEntry.at)).where(
            AuditEntry.entity == "procedure", AuditEntry.entity_key == code,
            AuditEntry.action.in_(STAFF_ACTIONS), or_(AuditEntry.batch == "", AuditEntry.batch.like("edit-%")),
            AuditEntry.actor != "system"))
        official = s.scalar(select(func.max(Edition.created_at)).join(
            EditionEntry, EditionEntry.edition_id == Edition.id).where(
            EditionEntry.code == code, Edition.kind == "official",
            Edition.status.in_(("active", "superseded"))))
    days = [d.date() for d in (staff, official) if d is not None]
    return max(days) if days else None


def procedure_facts(catalog: Catalog, p: Procedure) -> dict[str, Any]:
    """``procedure_to_dict(p)`` plus provenance, verified_on, edition and contacts."""
    from .service import procedure_to_dict

    data = procedure_to_dict(p)
    data["provenance"] = provenance_of(data)
    verified = verified_on(catalog, p.code)
    data["verified_on"] = verified.isoformat() if verified else None
    data["edition"] = editions.in_force(catalog)
    offices = catalog.offices()
    data["contacts"] = {k: offices[k].as_dict() for k in CONTACT_KEYS if k in offices}
    return data


def field_provenance(catalog: Catalog, p: Procedure) -> dict[str, dict[str, Any]]:
    """Every catalogue field's provenance, source and last change (from the audit trail).

    Returns:
        ``{field: {"provenance": S, "source": text, "changed_on": "YYYY-MM-DD"|None}}``;
        an empty field is ``unknown`` (not recorded), whatever its source.
    """
    with catalog.session() as s:
        last: dict[str, AuditEntry] = {}
        for row in s.scalars(select(AuditEntry).where(
                AuditEntry.entity == "procedure", AuditEntry.entity_key == p.code)
                .order_by(AuditEntry.id)):
            last[row.field or "*"] = row
    edition = editions.in_force(catalog)
    origin = p.source or ""
    if edition:
        origin = f"{edition['name']}" + (f" ({edition['decision']})" if edition["decision"] else "")
    out: dict[str, dict[str, Any]] = {}
    for f in EDITABLE_FIELDS:
        if f in _META_FIELDS:
            continue
        entry = last.get(f) or last.get("*")
        by_staff = (entry is not None and entry.actor != "system"
                    and (not entry.batch or entry.batch.startswith("edit-")))
        if f == "level":
            prov = source_provenance(p.level_source)
        elif f == "online_level":
            prov = source_provenance(p.online_source)
        elif not getattr(p, f):
            prov = "unknown"
        else:
            prov = "staff" if by_staff else "official"
        out[f] = {
            "provenance": prov,
            "source": f"staff: {entry.actor}" if by_staff and entry else origin,
            "changed_on": entry.at.date().isoformat() if entry else None,
        }
    return out

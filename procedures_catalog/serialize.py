"""A procedure row in the forms other code exchanges: JSON for commands and answers,
plain records for exporters."""

from __future__ import annotations

import json
from typing import Any

from .models import Procedure
from .records import ProcedureRecord


def procedure_to_dict(p: Procedure, *, with_aliases: bool = True) -> dict[str, Any]:
    """The JSON form of a procedure (`catalog show --json`)."""
    data: dict[str, Any] = {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "level": p.level,
        "online_level": p.online_level,
        "agency": p.agency,
        "processing_time": p.processing_time,
        "processing": {"amount": p.processing_days, "unit": p.processing_unit},
        "fees": p.fees,
        "fee": {"free": p.fee_free, "min_vnd": p.fee_min_vnd, "max_vnd": p.fee_max_vnd},
        "documents": list(p.documents or []),
        "steps": p.steps,
        "legal_basis": p.legal_basis,
        "result": p.result,
        "requirements": p.requirements,
        "issuing_body": p.issuing_body,
        "detail_url": p.detail_url,
        "portal_url": p.detail_url,
        "level_source": p.level_source,
        "online_source": p.online_source,
        "level_portal": p.level_portal,
        "online_portal": p.online_portal,
        "source": p.source,
        "status": p.status,
        "updated_at": p.updated_at.isoformat() if p.updated_at else None,
    }
    if with_aliases:
        data["aliases"] = [a.text for a in p.aliases]
    return data


def record_from_procedure(p: Procedure) -> ProcedureRecord:
    """A procedure row as the plain record exporters write."""
    return ProcedureRecord(
        code=p.code, name=p.name, level=p.level, online_level=p.online_level, field=p.field,
        agency=p.agency, processing_time=p.processing_time, fees=p.fees,
        documents=list(p.documents or []), steps=p.steps, legal_basis=p.legal_basis,
        result=p.result, requirements=p.requirements, issuing_body=p.issuing_body,
        detail_url=p.detail_url, level_source=p.level_source, online_source=p.online_source,
        level_portal=p.level_portal, online_portal=p.online_portal,
    )


def dump_json(data: Any) -> str:
    """JSON the way every command prints it (UTF-8, not ASCII-escaped)."""
    return json.dumps(data, ensure_ascii=False)

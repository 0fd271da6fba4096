"""The portal API's records: a line of its procedure list, and a procedure's detail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...normalize import fold
from ..base import RawRow, pick
from .common import (
    _API_CURRENCIES,
    _API_FEE_KINDS,
    _API_LEVEL_FLAGS,
    _API_TIME_UNITS,
    _METHOD_LABELS,
    DETAIL_URL,
    _documents,
    _group_by_method,
    _join,
    _legal_line,
    _level_fields,
    _list_defaults,
    _number,
    _one_line,
    _put,
    _require,
    _text,
)


def _from_catalog_line(item: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    """A line of the API's list: code, name, field, agency, issuing body, link."""
    values: dict[str, Any] = {}
    _put(values, "code", pick(item, "code", "codeNotation"))
    _put(values, "name", _one_line(item.get("name")))
    _require(values, row, source)
    _put(values, "field", _join(item.get("categories") or []))
    _put(values, "agency", _join(item.get("departments") or []))
    _put(values, "issuing_body", _one_line(item.get("departmentPromulgate")))
    if item.get("id"):
        values["detail_url"] = DETAIL_URL.format(id=item["id"])
    return RawRow(values=values, row=row, defaults=_list_defaults(values))


# --------------------------------------------------------------------------- API detail


def _api_time(method: Mapping[str, Any]) -> str:
    amount = method.get("processingTime")
    unit = _API_TIME_UNITS.get(str(method.get("processingTimeUnit") or ""))
    if isinstance(amount, str):
        stripped = amount.strip().replace(",", ".")
        if re.fullmatch(r"\d+(?:\.\d+)?", stripped):
            amount = float(stripped)
        else:
            return _text(amount)  # the time written out ("Không quá 15 ngày …")
    if isinstance(amount, (int, float)) and amount > 0 and unit:
        return f"{_number(amount)} {unit}"
    # A number with unit OTHER is the portal's placeholder (1.000656 says "1 OTHER"
    # while its cases say 5 working days): not worth showing.
    return ""


def _api_processing_time(data: Mapping[str, Any]) -> str:
    methods = data.get("executionMethods") or []
    pairs = [
        (_METHOD_LABELS.get(str(m.get("submissionMethod")), ""), _api_time(m)) for m in methods
    ]
    by_time: dict[str, set[str]] = {}
    for label, text in pairs:
        if text:
            by_time.setdefault(text, set()).add(label)
    if len(by_time) > 1 and len({frozenset(labels) for labels in by_time.values()}) == 1:
        # Every method lists every time (1.115773: 1 day in ordinary communes, 5 in
        # remote ones): only the descriptions say which applies, so keep them.
        described: dict[str, str] = {}
        for method, (_, text) in zip(methods, pairs, strict=True):
            note = _one_line(method.get("description"))
            if text and text not in described:
                described[text] = f"{text} ({note})" if note and note != text else text
        return "; ".join(described.values())
    text = _group_by_method(pairs, "; ")
    if text:
        return text
    # Fall back on the sub-cases' times ("1.000656.01: 5 ngày làm việc; …").
    pairs = []
    for case in data.get("cases") or []:
        day = case.get("processingDay") or {}
        unit = _API_TIME_UNITS.get(str(day.get("type") or ""))
        qty = day.get("qty")
        if unit and isinstance(qty, (int, float)) and qty > 0:
            pairs.append((_one_line(case.get("code")), f"{_number(qty)} {unit}"))
    if len({text for _, text in pairs}) > 1:
        return "; ".join(f"{code}: {text}" if code else text for code, text in pairs)
    return pairs[0][1] if pairs else ""


def _api_fee(fee: Mapping[str, Any]) -> str:
    kind = _API_FEE_KINDS.get(str(fee.get("type") or ""), "Phí")
    note = _one_line(fee.get("description"))
    value = fee.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        currency = _API_CURRENCIES.get(str(fee.get("currencyId") or ""), "")
        head = f"{kind}: {_number(value)} {currency}".rstrip()
    else:
        head = kind
    return f"{head} ({note})" if note else head


def _api_fees(data: Mapping[str, Any]) -> str:
    pairs = []
    for method in data.get("executionMethods") or []:
        label = _METHOD_LABELS.get(str(method.get("submissionMethod")), "")
        fees = [_api_fee(fee) for fee in method.get("fees") or [] if isinstance(fee, Mapping)]
        pairs.append((label, "; ".join(dict.fromkeys(f for f in fees if f))))
    text = _group_by_method(pairs, "\n")
    if not text:
        fees = [_api_fee(fee) for fee in data.get("fees") or [] if isinstance(fee, Mapping)]
        text = "; ".join(dict.fromkeys(fees))
    return text


def _component(component: Mapping[str, Any]) -> str:
    name = _one_line(component.get("name"))
    if not name:
        return ""
    original = int(component.get("originalQty") or 0)
    copies = int(component.get("copyQty") or 0)
    # split_documents turns this into its one suffix style and drops zero counts.
    return f"{name} ({original} bản chính, {copies} bản sao)"


def _api_documents(data: Mapping[str, Any]) -> list[str]:
    items: list[str] = []
    cases = [case for case in data.get("executionCases") or [] if isinstance(case, Mapping)]
    for case in cases:
        components = case.get("profileComponents") or []
        heading = _one_line(case.get("name"))
        if heading and components:
            items.append(heading)  # "* Giấy tờ phải nộp:", or the case it applies to
        items.extend(_component(c) for c in components if isinstance(c, Mapping))
    if not items:
        components = list(data.get("profileComponents") or [])
        for case in data.get("cases") or []:
            components.extend(case.get("profileComponents") or [])
        items = [_component(c) for c in components if isinstance(c, Mapping)]
    return _documents(items)


def _api_steps(data: Mapping[str, Any]) -> str:
    procedure = fold(_text(data.get("name")))
    parts = []
    for step in data.get("executionSteps") or []:
        title = _one_line(step.get("name"))
        body = _text(step.get("description"))
        # Untitled steps carry "Mặc định" (default) or the procedure's name as a title.
        if fold(title) in ("mac dinh", procedure):
            title = ""
        if title and body:
            parts.append(f"{title} {body}" if title.endswith(":") else f"{title}\n{body}")
        else:
            parts.append(title or body)
    return "\n".join(part for part in parts if part)


def _from_api_detail(data: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    _put(values, "code", pick(data, "code", "codeNotation"))
    _put(values, "name", _one_line(data.get("name")))
    _require(values, row, source)
    categories = data.get("categoriesDetails") or [data.get("category") or {}]
    _put(values, "field", _join(c.get("name") for c in categories if isinstance(c, Mapping)))
    agencies = [d.get("name") for d in data.get("departmentsExecuting") or []]
    _put(values, "agency", _join(agencies) or _one_line(data.get("executingAgencies")))
    _put(values, "processing_time", _api_processing_time(data))
    _put(values, "fees", _api_fees(data))
    _put(values, "documents", _api_documents(data))
    _put(values, "steps", _api_steps(data))
    _put(
        values,
        "legal_basis",
        "\n".join(
            _legal_line(str(b.get("code") or ""), str(b.get("name") or ""))
            for b in data.get("legalBasisesDetails") or []
        ),
    )
    _put(values, "result", _join(r.get("name") for r in data.get("resultsDetails") or []))
    _put(values, "requirements", data.get("requirementsAndConditions"))
    issuing = data.get("departmentPromulgateName") or (
        (data.get("procedureProposal") or {}).get("issuingAgency") or {}
    ).get("name")
    _put(values, "issuing_body", _one_line(issuing))
    if data.get("id"):
        values["detail_url"] = DETAIL_URL.format(id=data["id"])

    _level_fields([code for flag, code in _API_LEVEL_FLAGS if data.get(flag)], values, defaults)

    methods = {str(m.get("submissionMethod")) for m in data.get("executionMethods") or []}
    if data.get("isFullProcess") and not data.get("isOfflineOnly"):
        online = "toan_trinh"
    elif "ONLINE" in methods and not data.get("isOfflineOnly"):
        online = "mot_phan"
    else:
        online = "thong_tin"
    values.update(online_level=online, online_source="portal", online_portal=online)
    return RawRow(values=values, row=row, defaults=defaults)

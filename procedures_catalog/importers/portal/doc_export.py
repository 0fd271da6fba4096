"""A record parsed from the national database's .doc export (``thu_tuc_id``,
``metadata``, ``content``, ``tables``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..base import RawRow
from .common import (
    _documents,
    _group_by_method,
    _legal_line,
    _level_codes,
    _level_fields,
    _one_line,
    _online_from_methods,
    _put,
    _require,
    _text,
)


def _doc_time(text: str) -> str:
    match = re.fullmatch(
        r"(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần)", text, re.IGNORECASE
    )
    return f"{match.group(1)} {match.group(2).lower()}" if match else text


def _doc_quantity(note: str) -> str:
    """Quantity suffix from the export's note ("Bản chính: 1\\nBản sao: 0")."""
    parts = [p for p in _text(note).split("\n") if re.match(r"Bản (chính|sao)\s*:", p)]
    return f" ({', '.join(parts)})" if parts else ""


def _from_doc_export(doc: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    meta = doc.get("metadata") or {}
    content = doc.get("content") or {}
    tables = doc.get("tables") or {}
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    _put(values, "code", _one_line(doc.get("thu_tuc_id") or meta.get("mã_thủ_tục")))
    _put(values, "name", _one_line(meta.get("tên_thủ_tục")))
    _require(values, row, source)
    _put(values, "field", _one_line(meta.get("lĩnh_vực")))
    _put(
        values,
        "agency",
        _one_line(_text(content.get("cơ_quan_thực_hiện")) or content.get("cơ_quan_có_thẩm_quyền")),
    )
    methods = [m for m in tables.get("hinh_thuc_nop") or [] if isinstance(m, Mapping)]
    labels = [_one_line(m.get("hinh_thuc")) for m in methods]
    times = [_doc_time(_one_line(m.get("thoi_han_giai_quyet"))) for m in methods]
    fees = [_one_line(m.get("phi_le_phi")) for m in methods]
    _put(values, "processing_time", _group_by_method(list(zip(labels, times, strict=True)), "; "))
    _put(values, "fees", _group_by_method(list(zip(labels, fees, strict=True)), "\n"))
    _put(
        values,
        "documents",
        _documents(
            _one_line(item.get("ten_giay_to")) + _doc_quantity(str(item.get("ghi_chu") or ""))
            for item in tables.get("thanh_phan_ho_so") or []
            if isinstance(item, Mapping)
        ),
    )
    _put(values, "steps", content.get("trình_tự_thực_hiện"))
    _put(
        values,
        "legal_basis",
        "\n".join(
            _legal_line(str(b.get("so_ky_hieu") or ""), str(b.get("trich_yeu") or ""))
            for b in tables.get("can_cu_phap_ly") or []
            if isinstance(b, Mapping)
        ),
    )
    _put(values, "result", content.get("kết_quả_thực_hiện"))
    _put(values, "requirements", content.get("yêu_cầu_điều_kiện_thực_hiện"))
    _level_fields(_level_codes(_text(meta.get("cấp_thực_hiện"))), values, defaults)
    _online_from_methods(labels, values, defaults)
    return RawRow(values=values, row=row, defaults=defaults)

"""Shared validation for every import format.

Readers turn a file into raw dicts keyed by catalogue field names; :func:`build_record`
cleans and validates one of them and raises :class:`RecordError` naming the row and
the field when a value is wrong. Readers never touch the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..cleaning import clean_name, clean_text, split_documents
from ..normalize import fold
from ..records import LEVELS, ONLINE_LEVELS, ProcedureRecord, RecordError

CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_/]{0,38}$")

_LEVEL_WORDS = {
    "tinh": "tinh", "cap tinh": "tinh", "province": "tinh", "thanh pho": "tinh",
    "huyen": "huyen", "cap huyen": "huyen", "district": "huyen",
    "xa": "xa", "cap xa": "xa", "commune": "xa", "phuong": "xa", "xa phuong": "xa",
}
_ONLINE_WORDS = {
    "thong tin": "thong_tin", "thong_tin": "thong_tin", "chi thong tin": "thong_tin",
    "cung cap thong tin": "thong_tin", "chi cung cap thong tin": "thong_tin",
    "dvc cung cap thong tin": "thong_tin", "dich vu cong cung cap thong tin": "thong_tin",
    "information": "thong_tin", "khong": "thong_tin",
    "mot phan": "mot_phan", "mot_phan": "mot_phan", "partial": "mot_phan",
    "dich vu cong truc tuyen mot phan": "mot_phan", "dvc truc tuyen mot phan": "mot_phan",
    "truc tuyen mot phan": "mot_phan",
    "toan trinh": "toan_trinh", "toan_trinh": "toan_trinh", "full": "toan_trinh",
    "dich vu cong truc tuyen toan trinh": "toan_trinh", "dvc truc tuyen toan trinh": "toan_trinh",
    "truc tuyen toan trinh": "toan_trinh",
}


def parse_level(value: Any) -> str | None:
    """Map a level as staff write it ("Cấp tỉnh", "tinh", "xã") to tinh/huyen/xa."""
    key = fold(str(value or "")).replace("_", " ").strip()
    if key in LEVELS:
        return key
    return _LEVEL_WORDS.get(key)


def parse_online_level(value: Any) -> str | None:
    """Map an online level ("Toàn trình", "mot_phan", …) to its code."""
    key = fold(str(value or "")).strip()
    if key.replace(" ", "_") in ONLINE_LEVELS:
        return key.replace(" ", "_")
    return _ONLINE_WORDS.get(key)


def infer_level_from_agency(agency: str) -> str:
    """Guess the level from the executing agency (for lists that carry no level)."""
    folded = fold(agency)
    if re.search(r"\bcap xa\b|\buy ban nhan dan xa\b|\bubnd xa\b|\bxa phuong\b", folded):
        return "xa"
    # District departments are "Phòng Tư pháp", "Phòng Tài nguyên…" (not "Quốc phòng").
    district_office = r"\bphong (?:tu phap|tai nguyen|kinh te|van hoa|lao dong|noi vu|giao duc|y te|tai chinh|nong nghiep|quan ly do thi|ke hoach|dan toc)"
    if re.search(r"\bcap huyen\b|\buy ban nhan dan huyen\b|\bubnd huyen\b|" + district_office, folded):
        return "huyen"
    return "tinh"


@dataclass
class RawRow:
    """One row of a file before validation.

    Attributes:
        values: field name → raw value (only the fields the format provides).
        row: the row/line/file number to name in errors.
        defaults: values used only when the procedure is new (e.g. an inferred level).
    """

    values: dict[str, Any]
    row: int | str
    defaults: dict[str, Any] = field(default_factory=dict)


_TEXT_FIELDS = (
    "field", "agency", "processing_time", "fees", "steps", "legal_basis", "result",
    "requirements", "issuing_body", "detail_url", "level_source", "online_source",
    "level_portal", "online_portal",
)


def build_record(raw: RawRow, source: str) -> tuple[ProcedureRecord, frozenset[str]]:
    """Clean and validate one raw row.

    Args:
        raw: the row as read from the file.
        source: the file name, used in error messages and provenance.

    Returns:
        The record and the set of fields the file actually provided (so that a
        partial format, such as the portal's list, does not blank other fields).

    Raises:
        RecordError: a required field is missing or a value is outside its set.
    """
    values = dict(raw.defaults)
    values.update({k: v for k, v in raw.values.items()})
    provided = set(raw.values)

    def err(field_name: str, message: str) -> RecordError:
        return RecordError(message, row=raw.row, field=field_name, source=source)

    code = clean_text(str(values.get("code") or "")).strip()
    if not code:
        raise err("code", "missing procedure code")
    if not CODE_RE.match(code):
        raise err("code", f"invalid procedure code {code!r}")
    name = clean_name(values.get("name"))
    if not name:
        raise err("name", "missing procedure name")
    level_raw = values.get("level")
    level = parse_level(level_raw)
    if level is None:
        raise err("level", f"level {level_raw!r} is not one of tinh, huyen, xa")
    online_raw = values.get("online_level")
    online = parse_online_level(online_raw)
    if online is None:
        raise err(
            "online_level",
            f"online level {online_raw!r} is not one of thong_tin, mot_phan, toan_trinh",
        )
    docs_raw = values.get("documents")
    if isinstance(docs_raw, list):
        documents = [clean_text(str(d)).replace("\n", " ") for d in docs_raw if clean_text(str(d))]
    else:
        documents = split_documents(docs_raw)
    texts = {f: clean_text(str(values.get(f) or "")) for f in _TEXT_FIELDS}
    record = ProcedureRecord(
        code=code,
        name=name,
        level=level,
        online_level=online,
        documents=documents,
        origin=f"{source} row {raw.row}",
        **texts,
    )
    return record, frozenset(provided | {"code"})


def pick(mapping: Mapping[str, Any], *keys: str) -> Any:
    """First non-empty value among ``keys`` of ``mapping``."""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None

"""Readers for the files staff download from the National Public Service Portal.

Formats (real examples in ``tests/fixtures/raw_samples/``):

- the "Danh sách TTHC" XLSX export (Mã số, Tên, Cơ quan ban hành, Cơ quan thực hiện,
  Lĩnh vực under a title row): :func:`read_portal_list_xlsx`;
- JSON files holding one record, or a list of records, of any of these kinds:
  the portal API's detail record (``{"code": "OK", "data": {…executionMethods…}}``),
  a detail page scraped to JSON (Vietnamese keys: ``ma_thu_tuc``, ``ten_thu_tuc``…),
  a record parsed from the national database's .doc export (``thu_tuc_id``,
  ``metadata``, ``content``, ``tables``) or a line of the API's list:
  :func:`read_portal_json`;
- the API's list as JSON Lines: :func:`read_portal_jsonl`.

Every reader returns :class:`~.base.RawRow` objects whose ``values`` hold only the
catalogue fields the format really provides (so that importing a partial format does
not blank other fields) and whose ``defaults`` hold guesses used only when the
procedure is new (a level inferred from the agency, "thong_tin" when the format says
nothing about online service). Values are cleaned and validated later by
:func:`~.base.build_record`; bad input raises :class:`RecordError` naming the row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...records import RecordError
from ..base import RawRow
from ..tabular import decode_utf8, read_bytes
from .api import _from_api_detail, _from_catalog_line
from .common import DETAIL_URL
from .doc_export import _from_doc_export
from .page import _from_page_scrape
from .xlsx import read_portal_list_xlsx

__all__ = ["DETAIL_URL", "read_portal_json", "read_portal_jsonl", "read_portal_list_xlsx"]


def _record_from_json(obj: Any, row: int | str, source: str) -> RawRow:
    """Detect the kind of one JSON record and read it."""
    if not isinstance(obj, Mapping):
        raise RecordError("a record must be a JSON object", row=row, source=source)
    if "data" in obj and ("code" in obj or "message" in obj):
        # The API's envelope: {"code": "OK", "data": {...}, "message": "OK"}.
        if not isinstance(obj.get("data"), Mapping):
            status = obj.get("message") or obj.get("code")
            raise RecordError(f"the portal returned no record ({status})", row=row, source=source)
        obj = obj["data"]
    if "executionMethods" in obj or "executionCases" in obj or "isFullProcess" in obj:
        return _from_api_detail(obj, row, source)
    if "ma_thu_tuc" in obj or "ten_thu_tuc" in obj:
        return _from_page_scrape(obj, row, source)
    if "thu_tuc_id" in obj or ("metadata" in obj and "tables" in obj):
        return _from_doc_export(obj, row, source)
    if "name" in obj and ("code" in obj or "codeNotation" in obj):
        return _from_catalog_line(obj, row, source)
    raise RecordError(
        "not a procedure record from the portal (unknown JSON layout)", row=row, source=source
    )


def _load_json(text: str, source: str, row: int | str | None = None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = row if row is not None else f"line {exc.lineno}"
        raise RecordError(f"invalid JSON: {exc.msg}", row=where, source=source) from exc


def read_portal_json(path: Path) -> list[RawRow]:
    """Read a JSON file from the portal: one record, or a list of records.

    Detects per record whether it is an API detail record, a scraped detail page, a
    record from the national database's .doc export or a line of the API's list.

    Args:
        path: the .json file (optionally gzipped).

    Returns:
        One row per record; ``row`` is the file name for a single record and the
        1-based position for a list.

    Raises:
        RecordError: invalid JSON, an unknown layout, or a record without code or name.
    """
    text = decode_utf8(read_bytes(path), path.name)
    data = _load_json(text, path.name)
    if isinstance(data, list):
        return [_record_from_json(item, number, path.name) for number, item in enumerate(data, 1)]
    return [_record_from_json(data, path.name, path.name)]


def read_portal_jsonl(path: Path) -> list[RawRow]:
    """Read the portal API's list as JSON Lines (id, name, code, categories, …).

    Gives code, name, field, agency, issuing body and the portal link; level and
    online level only as ``defaults``, as for the XLSX list. A line holding a full
    detail record is read as one.

    Args:
        path: the .jsonl file (optionally gzipped).

    Returns:
        One row per non-blank line; ``row`` is the line number.

    Raises:
        RecordError: a line that is not valid JSON, or a record without code or name.
    """
    text = decode_utf8(read_bytes(path), path.name)
    out: list[RawRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        out.append(_record_from_json(_load_json(line, path.name, row=number), number, path.name))
    return out

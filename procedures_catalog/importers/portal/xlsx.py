"""The portal's "Danh sách TTHC" XLSX export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...records import RecordError
from ..base import RawRow
from ..tabular import find_header, xlsx_rows
from .common import (
    _join,
    _list_defaults,
    _one_line,
    _put,
    _require,
    _text,
)


def _code_cell(value: Any) -> str:
    # Excel may have turned "1.000650" into the number 1.00065; procedure codes have
    # six decimals, so put the dropped zeros back.
    if isinstance(value, float):
        return f"{value:.6f}"
    return _one_line(value)


def read_portal_list_xlsx(path: Path) -> list[RawRow]:
    """Read a "Danh sách TTHC" export (Mã số, Tên, Cơ quan ban hành, …, Lĩnh vực).

    The list has no level and no online level: they go into ``defaults`` (level
    inferred from the name or agency, ``level_source`` "inferred"; online level
    "thong_tin", ``online_source`` "default").

    Args:
        path: the .xlsx file.

    Returns:
        One row per procedure; ``row`` is the spreadsheet row number.

    Raises:
        RecordError: damaged file, no header row, or a row without code or name.
    """
    rows = xlsx_rows(path)
    found = find_header(rows)
    if found is None:
        raise RecordError("no header row with 'Mã số' and 'Tên' columns", row=1, source=path.name)
    index, keys = found
    out: list[RawRow] = []
    for number, cells in rows[index + 1 :]:
        if not any(_text(cell) for cell in cells):
            continue
        values: dict[str, Any] = {}
        for key, cell in zip(keys, cells, strict=False):
            if key == "code":
                _put(values, "code", _code_cell(cell))
            elif key == "agency":
                # One agency per line in the cell; one line in the catalogue.
                _put(values, "agency", _join(_text(cell).split("\n")))
            elif key in ("name", "issuing_body", "field"):
                _put(values, key, _one_line(cell))
        _require(values, number, path.name)
        out.append(RawRow(values=values, row=number, defaults=_list_defaults(values)))
    return out

"""Write the catalogue in our CSV and XLSX formats (the importers read both back)."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Sequence
from pathlib import Path

from .cleaning import join_documents
from .records import CSV_COLUMNS, ProcedureRecord
from .safe_files import neutralise

# Excel refuses cells longer than this; a longer value would be cut and lost.
XLSX_CELL_LIMIT = 32767
# A value is cut into parts of this size: one character is kept for neutralise()'s "'".
XLSX_PART = XLSX_CELL_LIMIT - 1


def _row(record: ProcedureRecord) -> list[str]:
    data = record.as_dict()
    data["documents"] = join_documents(record.documents)
    return [str(data.get(col, "") or "") for col in CSV_COLUMNS]


def write_csv(path: Path, records: Sequence[ProcedureRecord]) -> None:
    """Write UTF-8 CSV (gzipped when the name ends in .gz)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        # No cell may start a formula where it is opened (read back as it was).
        writer.writerow([neutralise(value) for value in _row(record)])
    data = buffer.getvalue().encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    tmp.replace(path)


def continuation_header(column: str, part: int) -> str:
    """Header of the ``part``-th cell of a value too long for one XLSX cell."""
    return f"{column} ({part})"


def write_xlsx(path: Path, records: Sequence[ProcedureRecord]) -> None:
    """Write an XLSX workbook with one sheet of our columns."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = [_row(record) for record in records]
    # Values longer than a cell are continued in extra columns "<column> (2)", ...
    parts = [
        max([1] + [-(-len(row[i]) // XLSX_PART) for row in rows])
        for i in range(len(CSV_COLUMNS))
    ]
    header: list[str] = []
    for col, n in zip(CSV_COLUMNS, parts):
        header.append(col)
        header.extend(continuation_header(col, k) for k in range(2, n + 1))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Thu tuc")
    ws.append(header)
    for row in rows:
        cells: list[str] = []
        for value, n in zip(row, parts):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            # Every part is neutralised: a continuation cell could start a formula too.
            cells.extend(neutralise(value[k * XLSX_PART : (k + 1) * XLSX_PART]) for k in range(n))
        ws.append(cells)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)

"""Our own tabular formats: CSV (optionally gzipped) and XLSX with the sample's columns.

Both are what `catalog export` writes, so export → import is a no-op.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from ..records import CSV_COLUMNS, RecordError
from ..safe_files import check_xlsx_size, gunzip_limited, restore
from .base import RawRow

csv.field_size_limit(1 << 28)

_CONTINUATION = re.compile(r"^(\w+) \((\d+)\)$")

# Header spellings staff use for our columns (folded, without accents).
HEADER_ALIASES: dict[str, str] = {
    "ma": "code", "ma so": "code", "ma thu tuc": "code", "code": "code",
    "ten": "name", "ten thu tuc": "name", "name": "name",
    "linh vuc": "field", "field": "field",
    "cap": "level", "cap thuc hien": "level", "level": "level",
    "muc do": "online_level", "muc do dvc": "online_level", "muc do truc tuyen": "online_level",
    "online level": "online_level", "online_level": "online_level",
    "co quan thuc hien": "agency", "agency": "agency",
    "thoi han giai quyet": "processing_time", "thoi gian": "processing_time",
    "phi le phi": "fees", "le phi": "fees", "fees": "fees",
    "thanh phan ho so": "documents", "ho so": "documents", "documents": "documents",
    "trinh tu thuc hien": "steps", "steps": "steps",
    "can cu phap ly": "legal_basis", "legal basis": "legal_basis",
    "ket qua": "result", "ket qua thuc hien": "result",
    "yeu cau dieu kien": "requirements", "yeu cau": "requirements",
    "co quan ban hanh": "issuing_body", "issuing body": "issuing_body",
    "duong dan": "detail_url", "link": "detail_url", "url": "detail_url", "detail url": "detail_url",
}


def _header_key(value: Any) -> str | None:
    from ..normalize import fold

    text = str(value or "").strip()
    if text in CSV_COLUMNS:
        return text
    return HEADER_ALIASES.get(fold(text).replace("_", " ")) or HEADER_ALIASES.get(fold(text))


def read_bytes(path: Path) -> bytes:
    """Read a file, transparently un-gzipping ``.gz`` files (up to the unpacked limit)."""
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        raw = gunzip_limited(raw, path.name)
    return raw


def decode_utf8(raw: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM); a wrong encoding names the line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RecordError(
            "the file is not UTF-8 encoded (save it as 'CSV UTF-8')",
            row=f"line {line}" if line > 1 else 1,
            source=source,
        ) from exc


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _encoding_error(raw: bytes, source: str) -> RecordError:
    """Name the row and the column of the first byte that is not UTF-8."""
    message = "the file is not UTF-8 encoded (save it as 'CSV UTF-8')"
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    header: list[str] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if number == 1:
            header = cells
        for i, cell in enumerate(cells):
            if _UNDECODABLE.search(cell):
                key = _header_key(header[i]) if number > 1 and i < len(header) else None
                return RecordError(message, row=number, field=key or f"column {i + 1}",
                                   source=source)
    return RecordError(message, source=source)


def read_csv(path: Path) -> list[RawRow]:
    """Read our CSV format; row numbers count the header as row 1, like a spreadsheet."""
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _encoding_error(raw, path.name) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RecordError("the file is empty", source=path.name) from None
    keys = [_header_key(h) for h in header]
    if "code" not in keys or "name" not in keys:
        raise RecordError(
            "no 'code' and 'name' columns in the header", row=1, source=path.name
        )
    rows: list[RawRow] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(keys):
            raise RecordError(
                f"{len(cells)} cells but the header has {len(keys)} columns",
                row=number, field=f"column {len(keys) + 1}", source=path.name,
            )
        values = {k: restore(v) for k, v in zip(keys, cells) if k}
        rows.append(RawRow(values=values, row=number))
    return rows


def open_workbook(path: Path) -> Any:
    """Open an XLSX read-only; a damaged or truncated file is a clear error."""
    import openpyxl

    check_xlsx_size(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise RecordError(
            f"cannot read the spreadsheet (damaged or truncated XLSX): {exc}", source=path.name
        ) from exc


def xlsx_rows(path: Path, max_rows: int | None = None) -> list[tuple[int, list[Any]]]:
    """The rows of the first sheet (all, or the first ``max_rows``) as (row number, cells)."""
    wb = open_workbook(path)
    try:
        ws = wb.worksheets[0]
        out = []
        try:
            for number, row in enumerate(ws.iter_rows(max_row=max_rows, values_only=True), start=1):
                out.append((number, list(row)))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise RecordError(
                f"cannot read the spreadsheet (damaged or truncated XLSX): {exc}",
                source=path.name,
            ) from exc
        return out
    finally:
        wb.close()


def find_header(rows: list[tuple[int, list[Any]]], limit: int = 15) -> tuple[int, list[str | None]] | None:
    """Locate the header row (the first with code and name columns)."""
    for index, (_, cells) in enumerate(rows[:limit]):
        keys = [_header_key(c) for c in cells]
        if "code" in keys and "name" in keys:
            return index, keys
    return None


def read_xlsx(path: Path) -> list[RawRow]:
    """Read an XLSX with our columns (what `catalog export x.xlsx` writes)."""
    rows = xlsx_rows(path)
    found = find_header(rows)
    if found is None:
        raise RecordError("no header row with 'code' and 'name' columns", source=path.name)
    index, keys = found
    header = [str(c or "") for c in rows[index][1]]
    # "<column> (2)" continues a value longer than one cell (see exporters.write_xlsx).
    for i, text in enumerate(header):
        match = _CONTINUATION.match(text)
        if match and match.group(1) in CSV_COLUMNS:
            keys[i] = match.group(1)
    out: list[RawRow] = []
    for number, cells in rows[index + 1 :]:
        if not any(c not in (None, "") for c in cells):
            continue
        values: dict[str, str] = {}
        for k, c in zip(keys, cells):
            if k:
                values[k] = values.get(k, "") + ("" if c is None else restore(str(c)))
        out.append(RawRow(values=values, row=number))
    return out


def is_our_xlsx(path: Path) -> bool:
    """True when the sheet's header has our level/online_level columns."""
    # Only the header rows: reading the whole sheet here doubled the import time.
    rows = xlsx_rows(path, max_rows=15)
    found = find_header(rows)
    return bool(found and "level" in found[1] and "online_level" in found[1])

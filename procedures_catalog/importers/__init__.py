"""Read any supported catalogue file into validated records.

Supported: our CSV (also ``.csv.gz``) and XLSX (what ``catalog export`` writes), the
portal's "Danh sách TTHC" XLSX export, the portal's JSON detail records (API, page
scrape, database export), the portal's JSONL list, and a folder of such files.
Reading is all-or-nothing: the first bad row raises :class:`RecordError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..records import ProcedureRecord, RecordError
from .base import RawRow, build_record


@dataclass
class ReadResult:
    """The records of one file (or folder) and what each one provides."""

    records: list[ProcedureRecord]
    provided: list[frozenset[str]]
    format: str
    source: str


def _detect(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".xlsx"):
        from .tabular import is_our_xlsx

        return "xlsx" if is_our_xlsx(path) else "portal_xlsx"
    if name.endswith(".jsonl"):
        return "portal_jsonl"
    if name.endswith(".json"):
        return "portal_json"
    raise RecordError(
        "unknown file type (expected .csv, .csv.gz, .xlsx, .json, .jsonl or a folder)",
        source=path.name,
    )


def _raw_rows(path: Path, kind: str) -> list[RawRow]:
    if kind == "csv":
        from .tabular import read_csv

        return read_csv(path)
    if kind == "xlsx":
        from .tabular import read_xlsx

        return read_xlsx(path)
    from . import portal

    if kind == "portal_xlsx":
        return portal.read_portal_list_xlsx(path)
    if kind == "portal_jsonl":
        return portal.read_portal_jsonl(path)
    return portal.read_portal_json(path)


def read_file(path: str | Path) -> ReadResult:
    """Read and validate every record of ``path`` (a file or a folder of files).

    Raises:
        RecordError: naming the file, row and field of the first bad value, or a
            code that appears twice.
    """
    path = Path(path)
    if not path.exists():
        raise RecordError("file not found", source=str(path))
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    records: list[ProcedureRecord] = []
    provided: list[frozenset[str]] = []
    first_seen: dict[str, str] = {}
    kinds = set()
    for file in files:
        if path.is_dir() and file.name.startswith("."):
            continue
        kind = _detect(file)
        kinds.add(kind)
        for raw in _raw_rows(file, kind):
            record, fields = build_record(raw, file.name)
            where = f"{file.name} row {raw.row}"
            if record.code in first_seen:
                raise RecordError(
                    f"duplicate code {record.code} (first seen at {first_seen[record.code]})",
                    row=raw.row, field="code", source=file.name,
                )
            first_seen[record.code] = where
            records.append(record)
            provided.append(fields)
    if not records:
        raise RecordError("no procedures found in the file", source=path.name)
    return ReadResult(records, provided, "+".join(sorted(kinds)), path.name)

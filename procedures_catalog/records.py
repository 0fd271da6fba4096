"""Plain records exchanged between importers, the database and exporters.

A :class:`ProcedureRecord` is what every importer produces and every exporter
consumes: one procedure, with the fields of the shared sample catalogue, already
validated. Keeping this free of SQLAlchemy lets the importers be tested alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

LEVELS: tuple[str, ...] = ("tinh", "huyen", "xa")
ONLINE_LEVELS: tuple[str, ...] = ("thong_tin", "mot_phan", "toan_trinh")

# The one place levels and online levels get their Vietnamese names. Labels head a
# line or a form field (staff workspace, CLI, statistics); words go inside a sentence
# of an answer to a citizen; short forms say plainly what an online level means.
LEVEL_LABELS: dict[str, str] = {"tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã"}
LEVEL_WORDS: dict[str, str] = {key: label[0].lower() + label[1:] for key, label in LEVEL_LABELS.items()}
ONLINE_LABELS: dict[str, str] = {
    "thong_tin": "Chỉ cung cấp thông tin",
    "mot_phan": "Dịch vụ công trực tuyến một phần",
    "toan_trinh": "Dịch vụ công trực tuyến toàn trình",
}
ONLINE_SHORT: dict[str, str] = {
    "toan_trinh": "làm online được hết (toàn trình)",
    "mot_phan": "nộp online được, nhưng vẫn phải đến cơ quan một số bước (một phần)",
    "thong_tin": "chỉ xem hướng dẫn trên mạng, phải đến nộp trực tiếp",
}

# Text fields a staff member may change with `catalog set`, in display order.
TEXT_FIELDS: tuple[str, ...] = (
    "name",
    "field",
    "agency",
    "processing_time",
    "fees",
    "steps",
    "legal_basis",
    "result",
    "requirements",
    "issuing_body",
    "detail_url",
)
# Every editable field; `documents` is a list, levels are enumerations.
EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "field",
    "level",
    "online_level",
    "agency",
    "processing_time",
    "fees",
    "documents",
    "steps",
    "legal_basis",
    "result",
    "requirements",
    "issuing_body",
    "detail_url",
    "level_source",
    "online_source",
    "level_portal",
    "online_portal",
)
REQUIRED_FIELDS: tuple[str, ...] = ("code", "name", "level", "online_level")

# Column order of our CSV format (the shared sample's columns).
CSV_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "field",
    "level",
    "online_level",
    "agency",
    "processing_time",
    "fees",
    "documents",
    "steps",
    "legal_basis",
    "result",
    "requirements",
    "issuing_body",
    "detail_url",
    "level_source",
    "online_source",
    "level_portal",
    "online_portal",
)


class CatalogError(Exception):
    """Base class of the errors the catalogue reports to staff."""


class RecordError(CatalogError):
    """A bad value in an input file; names the row and the field.

    Attributes:
        row: 1-based row (line for CSV/JSONL, spreadsheet row for XLSX, file for JSON).
        field: the column or field whose value is wrong, if known.
        message: what is wrong, in plain words.
        source: the file the row came from.
    """

    def __init__(
        self, message: str, *, row: int | str | None = None, field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.row = row
        self.field = field
        self.message = message
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ProcedureRecord:
    """One procedure as read from a file, cleaned and validated.

    ``documents`` is the ordered checklist of required papers, each item cleaned for
    display. Missing text values are empty strings, never ``None``.
    """

    code: str
    name: str
    level: str
    online_level: str
    field: str = ""
    agency: str = ""
    processing_time: str = ""
    fees: str = ""
    documents: list[str] = dataclasses.field(default_factory=list)
    steps: str = ""
    legal_basis: str = ""
    result: str = ""
    requirements: str = ""
    issuing_body: str = ""
    detail_url: str = ""
    level_source: str = ""
    online_source: str = ""
    level_portal: str = ""
    online_portal: str = ""
    # Where the record was read from ("file.csv row 12"); not a catalogue field.
    origin: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the catalogue fields (without ``origin``) as a plain dict."""
        data = asdict(self)
        data.pop("origin", None)
        return data

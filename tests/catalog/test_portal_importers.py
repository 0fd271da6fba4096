"""Tests for procedures_catalog.importers.portal, on real files from the portal.

The files are unmodified copies kept in tests/fixtures/raw_samples/ (provenance and
checksums there), so these tests run the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from procedures_catalog.cleaning import join_documents, parse_fees, split_documents
from procedures_catalog.importers.base import RawRow, build_record
from procedures_catalog.importers.portal import (
    read_portal_json,
    read_portal_jsonl,
    read_portal_list_xlsx,
)
from procedures_catalog.records import RecordError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "raw_samples"
XLSX = FIXTURES / "portal_list_xlsx" / "danh-sach-tthc-BoTuPhap.xlsx"
JSONL = FIXTURES / "portal_api_catalog_head200.jsonl"
API = FIXTURES / "portal_api_detail"
PAGE = FIXTURES / "portal_page_scrape"
DOC = FIXTURES / "national_db_doc_export"


def _read(path: Path) -> list[RawRow]:
    if path.suffix == ".xlsx":
        return read_portal_list_xlsx(path)
    if path.suffix == ".jsonl":
        return read_portal_jsonl(path)
    return read_portal_json(path)


def _sample_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".xlsx", ".json", ".jsonl"))


def _one(path: Path) -> RawRow:
    rows = read_portal_json(path)
    assert len(rows) == 1
    return rows[0]


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("path", _sample_files(FIXTURES), ids=lambda p: p.name)
def test_every_fixture_reads_and_builds(path: Path) -> None:
    rows = _read(path)
    assert rows
    for raw in rows:
        record, provided = build_record(raw, path.name)
        assert record.code and record.name
        # Readers put only what the source provides into values, guesses into defaults.
        assert not set(raw.values) & set(raw.defaults)
        assert "code" in provided


def test_the_fixtures_cover_every_format_in_volume() -> None:
    rows: dict[str, int] = {}
    for path in _sample_files(FIXTURES):
        rows[path.parent.name] = rows.get(path.parent.name, 0) + len(_read(path))
    # Six ministries' XLSX lists, the JSONL list, and each JSON detail format.
    assert rows == {"portal_list_xlsx": 2639, "raw_samples": 200, "portal_api_detail": 4,
                    "portal_page_scrape": 4, "national_db_doc_export": 10}


# --------------------------------------------------------------------------- XLSX list


def test_xlsx_list_values_rows_and_defaults() -> None:
    rows = read_portal_list_xlsx(XLSX)
    assert len(rows) == 271
    by_code = {r.values["code"]: r for r in rows}
    death = by_code["1.000656"]
    assert death.values == {
        "code": "1.000656",
        "name": "Thủ tục đăng ký khai tử",
        "issuing_body": "Bộ Tư pháp",
        "field": "Hộ tịch",
    }
    assert death.row == 257  # the spreadsheet's own row number
    assert rows[0].row == 3  # title row, header row, then data
    assert by_code["1.001193"].values["agency"] == "Ủy ban nhân dân cấp xã"
    assert by_code["1.001193"].defaults == {
        "level": "xa",
        "level_source": "inferred",
        "online_level": "thong_tin",
        "online_source": "default",
    }
    for raw in rows:
        assert "level" not in raw.values and "online_level" not in raw.values


def test_xlsx_agencies_in_one_cell_become_one_line() -> None:
    by_code = {r.values["code"]: r for r in read_portal_list_xlsx(XLSX)}
    assert by_code["1.014966"].values["agency"] == "Chủ tịch ủy ban nhân dân cấp tỉnh; Sở Tư Pháp"


def test_truncated_xlsx_is_a_record_error(tmp_path: Path) -> None:
    data = XLSX.read_bytes()
    bad = tmp_path / "danh-sach-tthc-cut.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordError) as info:
        read_portal_list_xlsx(bad)
    assert info.value.source == bad.name


def test_xlsx_row_without_code_names_row_and_field(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH THỦ TỤC HÀNH CHÍNH"])
    sheet.append(["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"])
    sheet.append(["1.000656", "Thủ tục đăng ký khai tử", "Bộ Tư pháp", "UBND cấp xã", "Hộ tịch"])
    sheet.append([None, "Thủ tục không mã", "Bộ Tư pháp", "", "Hộ tịch"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    with pytest.raises(RecordError) as info:
        read_portal_list_xlsx(path)
    assert (info.value.row, info.value.field) == (4, "code")


def test_xlsx_without_header_is_a_record_error(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["something", "else"])
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(RecordError):
        read_portal_list_xlsx(path)


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_catalog_lines() -> None:
    rows = read_portal_jsonl(JSONL)
    assert len(rows) == 200
    first = rows[0]
    assert first.row == 1
    assert first.values == {
        "code": "3.000616",
        "name": "Thủ tục Hỗ trợ doanh nghiệp tham gia chuỗi cung ứng bán dẫn",
        "field": "Công nghiệp công nghệ số, công nghệ thông tin, điện tử",
        "agency": "Sở Khoa học và Công nghệ",
        "issuing_body": "UBND Thành phố Huế",
        "detail_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019f6f67-c3a8-7163-8167-02e782ebf1c2",
    }
    assert first.defaults["online_level"] == "thong_tin"
    assert first.defaults["online_source"] == "default"
    assert first.defaults["level_source"] == "inferred"
    assert [r.row for r in rows[:3]] == [1, 2, 3]


def test_jsonl_invalid_line_names_the_line(tmp_path: Path) -> None:
    lines = JSONL.read_text(encoding="utf-8").splitlines()[:3]
    path = tmp_path / "catalog.jsonl"
    path.write_text(
        "\n".join([lines[0], "", lines[1], '{"code": "1.0', lines[2]]) + "\n", encoding="utf-8"
    )
    with pytest.raises(RecordError) as info:
        read_portal_jsonl(path)
    assert info.value.row == 4
    assert info.value.source == "catalog.jsonl"
    assert "invalid JSON" in str(info.value)


def test_jsonl_line_without_code_names_the_field(tmp_path: Path) -> None:
    record = json.loads(JSONL.read_text(encoding="utf-8").splitlines()[0])
    record["code"] = record["codeNotation"] = ""
    path = tmp_path / "catalog.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(RecordError) as info:
        read_portal_jsonl(path)
    assert (info.value.row, info.value.field) == (1, "code")


# --------------------------------------------------------------------------- API detail


def test_api_detail_death_registration() -> None:
    raw = _one(API / "1.000656.json")
    values = raw.values
    assert raw.row == "1.000656.json"
    assert values["code"] == "1.000656"
    assert values["name"] == "Thủ tục đăng ký khai tử"
    assert values["level"] == values["level_portal"] == "xa"
    assert values["level_source"] == "portal"
    # Not fully online, but an ONLINE submission method is listed.
    assert (values["online_level"], values["online_source"]) == ("mot_phan", "portal")
    assert values["field"] == "Hộ tịch"
    assert values["agency"] == "Ủy ban Nhân dân xã, phường, thị trấn."
    assert values["issuing_body"] == "Bộ Tư pháp"
    assert values["result"] == "Trích lục khai tử"
    assert values["detail_url"] == (
        "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fac-7489-b53b-9c6c958f2da4"
    )
    # The methods only carry the "1 OTHER" placeholder: times come from the cases.
    assert values["processing_time"] == (
        "1.000656.01: 5 ngày làm việc; 1.000656.03: 2 ngày; 1.000656.02: 1 ngày"
    )
    assert values["legal_basis"].splitlines()[0].startswith("104/2022/NĐ-CP – Nghị định sửa đổi")
    docs = values["documents"]
    assert docs[0] == "Giấy tờ phải nộp:"
    assert docs[1].startswith("Giấy báo tử hoặc giấy tờ thay Giấy báo tử")
    assert docs[1].endswith("(1 bản chính)")
    assert "Giấy tờ phải xuất trình:" in docs
    # The fee is left to the provincial council: not free, not a known amount.
    assert parse_fees(values["fees"]).free is None
    assert raw.defaults == {}


def test_api_detail_fully_online_with_fees_per_method() -> None:
    values = _one(API / "1.004194.json").values
    assert values["online_level"] == "toan_trinh"
    assert values["processing_time"] == "3 ngày làm việc"
    assert values["fees"].startswith("Trực tuyến: Lệ phí: 7.000 đồng (")
    assert "\nTrực tiếp: Lệ phí: 10.000 đồng (" in values["fees"]
    fees = parse_fees(values["fees"])
    assert (fees.free, fees.min_vnd, fees.max_vnd) == (False, 5_000, 15_000)
    assert values["steps"].startswith("Bước 1: Cá nhân, tổ chức chuẩn bị hồ sơ")


def test_api_detail_without_local_level_infers_a_default() -> None:
    raw = _one(API / "1.001020.json")
    assert "level" not in raw.values
    assert raw.values["level_portal"] == "khac"
    assert raw.defaults == {"level": "tinh", "level_source": "inferred"}
    assert raw.values["fees"] == "Phí: 5 USD (Đăng ký khai sinh)"
    assert raw.values["online_level"] == "thong_tin"
    assert raw.values["documents"][0] == "Giấy tờ phải nộp"
    assert raw.values["documents"][2].endswith("(1 bản chính, 1 bản sao)")


def test_api_detail_times_that_differ_only_by_case_keep_their_description() -> None:
    time = _one(API / "1.115773.json").values["processing_time"]
    assert time.startswith("1 ngày làm việc (Đối với các xã, phường thông thường:")
    assert "; 5 ngày làm việc (Đối với các xã biên giới" in time


def test_api_documents_survive_export_and_import() -> None:
    for path in sorted(API.glob("*.json")):
        docs = _one(path).values["documents"]
        assert split_documents(join_documents(docs)) == docs


def test_json_list_of_records_numbers_rows(tmp_path: Path) -> None:
    records = [
        json.loads((API / name).read_text(encoding="utf-8"))
        for name in ("1.000656.json", "1.004194.json")
    ]
    path = tmp_path / "details.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    rows = read_portal_json(path)
    assert [(r.row, r.values["code"]) for r in rows] == [(1, "1.000656"), (2, "1.004194")]


def test_api_detail_without_name_names_the_field(tmp_path: Path) -> None:
    record = json.loads((API / "1.000656.json").read_text(encoding="utf-8"))
    record["data"]["name"] = ""
    path = tmp_path / "1.000656.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RecordError) as info:
        read_portal_json(path)
    assert (info.value.row, info.value.field, info.value.source) == (
        "1.000656.json",
        "name",
        "1.000656.json",
    )


def test_api_error_envelope_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "9.999999.json"
    path.write_text('{"code": "NOT_FOUND", "data": null, "message": "Not found"}', encoding="utf-8")
    with pytest.raises(RecordError, match="no record"):
        read_portal_json(path)


def test_invalid_json_file_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    text = (API / "1.000656.json").read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 3], encoding="utf-8")
    with pytest.raises(RecordError) as info:
        read_portal_json(path)
    assert info.value.source == "broken.json"
    assert str(info.value.row).startswith("line ")


def test_unknown_json_layout_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(RecordError, match="unknown JSON layout"):
        read_portal_json(path)


# --------------------------------------------------------------------------- page scrape


def test_page_scrape_flattened_tables() -> None:
    raw = _one(PAGE / "1.000129.json")
    values = raw.values
    assert values["code"] == "1.000129"
    assert values["processing_time"] == "15 ngày làm việc"
    assert values["fees"] == "Miễn phí"
    assert values["documents"].startswith("--Tên giấy tờMẫu đơn")  # split by build_record
    record, _ = build_record(raw, "1.000129.json")
    assert record.documents[0].startswith("Báo cáo việc đáp ứng các quy định")
    assert record.documents[0].endswith("(1 bản chính)")
    assert values["legal_basis"] == (
        "Thông tư số 79/2025/TT-NHNN – Thông tư hướng dẫn về quản lý ngoại hối đối với việc "
        "cho vay ra nước ngoài và thu hồi nợ nước ngoài của tổ chức tín dụng, chi nhánh ngân "
        "hàng nước ngoài"
    )
    assert values["result"] == (
        "Công văn xác nhận đăng ký khoản cho vay ra nước ngoài; "
        "Công văn từ chối xác nhận đăng ký khoản cho vay ra nước ngoài"
    )
    # "Cấp bộ" only: the level is a guess; an online method is listed.
    assert values["level_portal"] == "bo"
    assert "level" not in values and raw.defaults["level_source"] == "inferred"
    assert raw.defaults["online_level"] == "mot_phan"


def test_page_scrape_province_level_without_online_method() -> None:
    raw = _one(PAGE / "1.001303.json")
    assert (raw.values["level"], raw.values["level_source"]) == ("tinh", "portal")
    assert (raw.values["online_level"], raw.values["online_source"]) == ("thong_tin", "portal")
    # "Không có thông tin" for time and fee: the fields are simply absent.
    assert "processing_time" not in raw.values and "fees" not in raw.values


def test_page_scrape_several_levels_give_only_a_default() -> None:
    raw = _one(PAGE / "1.008758.json")
    assert raw.values["level_portal"] == "bo|tinh|xa"
    assert "level" not in raw.values
    assert raw.defaults["level"] == "xa"


def test_page_scrape_unreadable_time_and_fee_are_not_guessed() -> None:
    # "Trực tiếp1250 VNĐ": the time and fee digits run together.
    values = _one(PAGE / "2.002797.json").values
    assert "fees" not in values and "processing_time" not in values


# --------------------------------------------------------------------------- .doc export


def test_doc_export_record() -> None:
    raw = _one(DOC / "1.013138.json")
    values = raw.values
    assert values["name"] == "Thủ tục đăng ký nghĩa vụ quân sự tạm vắng"
    assert (values["level"], values["level_source"]) == ("xa", "portal")
    assert values["processing_time"] == "Trực tiếp: 1 ngày làm việc; Trực tuyến: 02 giờ"
    assert values["fees"] == "Phí : 0 Đồng"
    assert values["documents"] == [
        "Bản chụp Giấy chứng nhận đăng ký nghĩa vụ quân sự hoặc Giấy chứng nhận đăng ký quân "
        "nhân dự bị (mang theo bản chính để đối chiếu) (1 bản chính)"
    ]
    assert values["legal_basis"].splitlines() == [
        "Nghị định 13/2016/NĐ-CP",
        "78/2015/QH13 – Nghĩa vụ quân sự",
        "Nghị định số 220/2025/NĐ-CP ngày 07 tháng 8 năm 2025 của Chính phủ sửa đổi, bổ sung "
        "một số điều của một số Nghị định trong lĩnh vực quốc phòng, quân sự khi tổ chức chính "
        "quyền địa phương hai cấp",
    ]
    assert raw.defaults == {"online_level": "mot_phan", "online_source": "inferred"}


def test_doc_export_without_online_method_is_information_only() -> None:
    raw = _one(DOC / "1.013142.json")
    assert raw.values["online_level"] == "thong_tin"
    assert raw.values["level_portal"] == "bo|tinh|xa"
    assert raw.defaults == {"level": "xa", "level_source": "inferred"}


def test_gzipped_json_reads(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "1.000656.json.gz"
    path.write_bytes(gzip.compress((API / "1.000656.json").read_bytes()))
    assert read_portal_json(path)[0].values["code"] == "1.000656"


def test_fixture_copies_are_untouched() -> None:
    # SHA256SUMS was written from the originals when they were copied.
    sums = dict(reversed(line.split(maxsplit=1)) for line in
                (FIXTURES / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert set(sums) == {str(p.relative_to(FIXTURES)) for p in _sample_files(FIXTURES)}
    for name, digest in sums.items():
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name

"""Tests for procedures_catalog.cleaning: display cleaning and fee/time parsing."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from procedures_catalog.cleaning import (
    FeeInfo,
    clean_name,
    clean_text,
    join_documents,
    parse_fees,
    parse_processing_time,
    split_documents,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "procedures_catalog" / "data" / "tien_giang_2024_sample.csv.gz"
# 192 rows of other provinces and ministries from the national listing, whose text the
# cleaner changes (provenance in tests/fixtures/catalog/PROVENANCE.md).
NATIONAL = ROOT / "tests" / "fixtures" / "catalog" / "national_sample.csv.gz"


def _rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 28)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(io.StringIO(handle.read(), newline="")))


@pytest.fixture(scope="module")
def sample_rows() -> list[dict[str, str]]:
    return _rows(SAMPLE)


@pytest.fixture(scope="module")
def national_rows() -> list[dict[str, str]]:
    return _rows(NATIONAL)


# --------------------------------------------------------------------------- clean_text


def test_clean_text_normalises_invisible_characters_and_spaces() -> None:
    raw = "  Đăng k\u200eý\u00a0 khai\tsinh \r\n\r\n\r\nGiấy\xadtờ\u000b- mục\n\n"
    assert clean_text(raw) == "Đăng ký khai sinh\n\nGiấytờ\n- mục"


def test_clean_text_composes_to_nfc() -> None:
    assert clean_text("Tie\u0302\u0301ng Vie\u0323\u0302t") == "Tiếng Việt"


def test_clean_text_turns_word_bullets_into_dashes() -> None:
    assert clean_text("\uf0fc Bản sao") == "- Bản sao"


@pytest.mark.parametrize("value", [None, "", "   ", "\n\n"])
def test_clean_text_of_nothing_is_empty(value: str | None) -> None:
    assert clean_text(value) == ""


# --------------------------------------------------------------------------- clean_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Hòa giải tranh chấp đất đai thuộc thẩm quyền cấp xã\n(1) Trình tự thực hiện:",
            "Hòa giải tranh chấp đất đai thuộc thẩm quyền cấp xã",
        ),
        (
            "Thủ tục điều chỉnh Quyết định chấp thuận nhà đầu tư thuộc thẩm\nquyền của "
            "Chủ tịch Uỷ ban nhân dân cấp tỉnh",
            "Thủ tục điều chỉnh Quyết định chấp thuận nhà đầu tư thuộc thẩm quyền của "
            "Chủ tịch Uỷ ban nhân dân cấp tỉnh",
        ),
        (
            "Cấp lại chứng chỉ hành nghề kiến trúc (do bị mất).",
            "Cấp lại chứng chỉ hành nghề kiến trúc (do bị mất)",
        ),
        ("Thẩm định thiết kế điều chỉnh;", "Thẩm định thiết kế điều chỉnh"),
        ("Thủ tục  đăng ký   khai tử ", "Thủ tục đăng ký khai tử"),
        ("Thẩm định đề án loại IV\nThẩm định đề án loại IV", "Thẩm định đề án loại IV"),
        ("Thủ tục hỗ trợ một (01) lần", "Thủ tục hỗ trợ một (01) lần"),
        ("X (1) Trình tự thực hiện:.", "X"),
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected
    assert clean_name(expected) == expected


# --------------------------------------------------------------------------- documents


def test_split_documents_one_item_per_line() -> None:
    text = "- Tờ khai đăng ký khai sinh (1 bản chính)\n- Giấy chứng sinh (1 bản chính)\n- ----"
    assert split_documents(text) == [
        "Tờ khai đăng ký khai sinh (1 bản chính)",
        "Giấy chứng sinh (1 bản chính)",
    ]


def test_split_documents_splits_flattened_table_rows() -> None:
    text = (
        "c) Văn bản đề nghị;1 bản chínhd) Giấy chứng nhận đăng ký doanh nghiệp;"
        "0 bản chính,1 bản saob) Hóa đơn thương mại.1 bản chính,1 bản sao"
    )
    assert split_documents(text) == [
        "b) Hóa đơn thương mại. (1 bản chính, 1 bản sao)",
        "c) Văn bản đề nghị (1 bản chính)",
        "d) Giấy chứng nhận đăng ký doanh nghiệp (1 bản sao)",
    ]


def test_split_documents_reads_the_portal_table() -> None:
    text = (
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy chứng nhận đoàn viên1 bản chính"
        "Giấy khai sinh (có công chứng).0 bản chính,1 bản sao"
    )
    assert split_documents(text) == [
        "Giấy chứng nhận đoàn viên (1 bản chính)",
        "Giấy khai sinh (có công chứng). (1 bản sao)",
    ]


def test_split_documents_keeps_case_headings_of_the_portal_table() -> None:
    text = (
        "a) Đối với cấp mớiTên giấy tờMẫu đơn, tờ khaiSố lượng- Đơn đề nghị1 bản chính"
        "b) Đối với cấp lạiTên giấy tờMẫu đơn, tờ khaiSố lượng- Đơn đề nghị cấp lại1 bản chính"
    )
    assert split_documents(text) == [
        "a) Đối với cấp mới",
        "Đơn đề nghị (1 bản chính)",
        "b) Đối với cấp lại",
        "Đơn đề nghị cấp lại (1 bản chính)",
    ]


def test_split_documents_headings_lose_their_bullet() -> None:
    text = (
        "* Giấy tờ phải nộp:\n- Giấy báo tử (Bản chính: 1)\n* Giấy tờ phải xuất trình:\n- Hộ chiếu"
    )
    assert split_documents(text) == [
        "Giấy tờ phải nộp:",
        "Giấy báo tử (1 bản chính)",
        "Giấy tờ phải xuất trình:",
        "Hộ chiếu",
    ]


def test_split_documents_sorts_shuffled_letters() -> None:
    # As in the sample (1.000016): b), d), đ), a), c).
    text = "- b) B (1 bản chính)\n- d) D\n- đ) Đ\n- a) A\n- c) C"
    assert split_documents(text) == ["a) A", "b) B (1 bản chính)", "c) C", "d) D", "đ) Đ"]


def test_split_documents_keeps_order_when_letters_repeat() -> None:
    text = "- b) Hai\n- a) Một\n- b) Ba\n- a) Bốn"
    assert split_documents(text) == ["b) Hai", "a) Một", "b) Ba", "a) Bốn"]


def test_split_documents_sorts_each_run_on_its_own() -> None:
    text = "1. Trường hợp một:\nb) Hai\na) Một\n2. Trường hợp hai:\nc) Ba\na) Một"
    assert split_documents(text) == [
        "1. Trường hợp một:",
        "a) Một",
        "b) Hai",
        "2. Trường hợp hai:",
        "a) Một",
        "c) Ba",
    ]


def test_split_documents_quantity_suffixes_take_one_style() -> None:
    text = (
        "- A (0 bản chính,1 bản sao)\n- B (Bản chính: 1, Bản sao: 1)\n- C (0 bản chính)\n"
        "- D (Bản sao: 2)\n- E (01 bản sao)"
    )
    assert split_documents(text) == [
        "A (1 bản sao)",
        "B (1 bản chính, 1 bản sao)",
        "C",
        "D (2 bản sao)",
        "E (1 bản sao)",
    ]


def test_split_documents_returns_digits_glued_to_a_quantity() -> None:
    # "Mẫu số 18" + "1 bản chính,1 bản sao": table quantities are single digits.
    text = "Đơn theo Mẫu số 181 bản chính,1 bản saoGiấy tờ khác0 bản chính,1 bản sao"
    assert split_documents(text) == [
        "Đơn theo Mẫu số 18 (1 bản chính, 1 bản sao)",
        "Giấy tờ khác (1 bản sao)",
    ]


def test_split_documents_leaves_quantities_inside_sentences() -> None:
    text = "- Giấy phép nhập khẩu: 01 bản chính, 01 bản sao; nộp 01 bản chính để đối chiếu"
    assert split_documents(text) == [
        "Giấy phép nhập khẩu: 01 bản chính, 01 bản sao; nộp 01 bản chính để đối chiếu"
    ]


@pytest.mark.parametrize("value", [None, "", "----", "- (01 bản chính)", "Không có thông tin"])
def test_split_documents_drops_empty_and_junk(value: str | None) -> None:
    assert split_documents(value) == []


def _assert_round_trip(rows: list[dict[str, str]]) -> None:
    failures = []
    for row in rows:
        items = split_documents(row["documents"])
        if split_documents(join_documents(items)) != items:
            failures.append(row["code"])
        for item in items:
            if not item or "\n" in item:
                failures.append(row["code"])
        name = clean_name(row["name"])
        if clean_name(name) != name or "\n" in name:
            failures.append(row["code"])
        for field in ("steps", "legal_basis", "fees", "processing_time", "agency"):
            text = clean_text(row[field])
            if clean_text(text) != text:
                failures.append(row["code"])
    assert not failures, f"not idempotent for {sorted(set(failures))[:20]}"


def test_cleaning_is_idempotent_on_every_sample_row(sample_rows: list[dict[str, str]]) -> None:
    assert len(sample_rows) == 1787
    _assert_round_trip(sample_rows)


def test_cleaning_is_idempotent_on_every_national_row(
    national_rows: list[dict[str, str]],
) -> None:
    assert len(national_rows) == 192
    _assert_round_trip(national_rows)


def test_sample_parse_rates_do_not_regress(sample_rows: list[dict[str, str]]) -> None:
    fees = sum(1 for r in sample_rows if parse_fees(r["fees"]) != FeeInfo())
    times = sum(1 for r in sample_rows if parse_processing_time(r["processing_time"])[0])
    documents = sum(1 for r in sample_rows if split_documents(r["documents"]))
    # Measured: 805 / 1203 non-empty fees, 1128 / 1259 times, 1328 / 1328 lists.
    assert fees >= 800
    assert times >= 1120
    assert documents == sum(1 for r in sample_rows if r["documents"].strip())


# --------------------------------------------------------------------------- fees


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Miễn phí", FeeInfo(True, 0, 0)),
        ("Không thu", FeeInfo(True, 0, 0)),
        ("0 đồng", FeeInfo(True, 0, 0)),
        ("Không có", FeeInfo(True, 0, 0)),
        ("Miễn phí(Không quy định.)", FeeInfo(True, 0, 0)),
        ("Phí : 0 Đồng (Không quy định)", FeeInfo(True, 0, 0)),
        (
            "Dịch vụ bưu chính/Trực tiếp: Miễn phí\nTrực tuyến: Không có thông tin",
            FeeInfo(True, 0, 0),
        ),
        ("Miễn phí05 (năm) ngày làm việc kể từ ngày nhận hồ sơ hợp lệ.", FeeInfo(True, 0, 0)),
        ("50.000 đồng", FeeInfo(False, 50_000, 50_000)),
        ("Lệ phí: 100.000 đồng/giấy", FeeInfo(False, 100_000, 100_000)),
        ("1.000.000 VNĐ", FeeInfo(False, 1_000_000, 1_000_000)),
        ("50,000 (đồng)", FeeInfo(False, 50_000, 50_000)),
        ("Từ 50.000 đến 200.000 đồng/hồ sơ", FeeInfo(False, 50_000, 200_000)),
        ("50.000 - 100.000 đồng", FeeInfo(False, 50_000, 100_000)),
        ("Lệ phí: 2 triệu đồng", FeeInfo(False, 2_000_000, 2_000_000)),
        (
            "Trực tuyến: Lệ phí: 10.000 Việt Nam Đồng\nTrực tiếp: Lệ phí: 20.000 Việt Nam Đồng",
            FeeInfo(False, 10_000, 20_000),
        ),
        # The portal's headline in thousands, the note in full.
        ("150 VNĐ(150.000 đồng/lần/thẻ.)", FeeInfo(False, 150_000, 150_000)),
        ("Phí: 5 USD (Đăng ký khai sinh)", FeeInfo(False, None, None)),
        # A 0 or "Miễn phí" above a note that hands the amount to someone else.
        ("Phí: 0 đồng (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.)", FeeInfo()),
        ("Miễn phí(do Ủy ban nhân dân cấp tỉnh quy định.)", FeeInfo()),
        ("Lệ phí (Chi tiết tại văn bản kèm theo)", FeeInfo()),
        ("Không có thông tin", FeeInfo()),
        ("Theo quy định", FeeInfo()),
        ("", FeeInfo()),
        (None, FeeInfo()),
    ],
)
def test_parse_fees(text: str | None, expected: FeeInfo) -> None:
    assert parse_fees(text) == expected


# --------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 Ngày làm việc", (15.0, "working_day")),
        ("05 ngày", (5.0, "day")),
        ("03 tháng", (3.0, "month")),
        ("02 Giờ", (2.0, "hour")),
        ("0.5 Giờ", (0.5, "hour")),
        ("16,5 ngày làm việc", (16.5, "working_day")),
        ("Không quá 05 (năm) ngày làm việc", (5.0, "working_day")),
        ("1 năm", (12.0, "month")),
        ("Trong ngày", (1.0, "same_day")),
        ("Ngay trong ngày làm việc", (1.0, "same_day")),
        ("Trả kết quả ngay sau khi nhận đủ hồ sơ", (1.0, "same_day")),
        ("Trực tuyến: 3 ngày làm việc; Trực tiếp: 5 ngày làm việc", (3.0, "working_day")),
        ("1.000656.01: 5 ngày làm việc; 1.000656.03: 2 ngày", (5.0, "working_day")),
        ("Trực tuyến: 1 (không ghi đơn vị); Trực tiếp: 15 ngày", (15.0, "day")),
        ("Kể từ ngày 01 tháng 8 năm 2024: 10 ngày", (10.0, "day")),
        # A number without a unit is the portal's placeholder: no guess.
        ("1 (không ghi đơn vị)", (None, None)),
        ("10-25", (None, None)),
        ("0 Giờ", (None, None)),
        ("Chậm nhất là ngay trước khi tàu rời cảng", (None, None)),
        ("Trực tiếp: Nộp trực tiếp tại Trung tâm Phục vụ hành chính công", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_processing_time(text: str | None, expected: tuple[float | None, str | None]) -> None:
    assert parse_processing_time(text) == expected

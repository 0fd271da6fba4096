"""The dashboard's SVG charts and the Vietnamese error messages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from procedures_catalog.records import RecordError
from procedures_catalog.service import InvalidChange, NotFound
from staff import charts
from staff.errors import error_vi

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_charts_are_well_formed_svg_with_escaped_labels() -> None:
    columns = _parse(charts.stacked_columns(["01/11", "02/11"], [("Web chat", [3, 0]), ("<Zalo>", [1, 5])],
                                            title="Số câu hỏi"))
    assert columns.tag == f"{SVG}svg" and columns.get("role") == "img"
    bars = [r for r in columns.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 3
    assert any("<Zalo>: 5 câu hỏi" in (b.find(f"{SVG}title").text or "") for b in bars)
    hbars = _parse(charts.horizontal_bars([("Đăng ký khai sinh & khai tử", 12), ("Kết hôn", 3)], title="Top"))
    assert "Đăng ký khai sinh & khai tử" in ET.tostring(hbars, encoding="unicode").replace("&amp;", "&")
    ring = _parse(charts.donut([("Trả lời được", 3, "#2fb344"), ("Không", 1, "#d63939")], title="Tỉ lệ",
                               center="4"))
    assert "75%" in ET.tostring(ring, encoding="unicode")
    assert _parse(charts.donut([("A", 0, "#000")], title="trống")) is not None
    assert "Chưa có dữ liệu" in str(charts.horizontal_bars([], title="trống"))


def test_numbers_the_vietnamese_way() -> None:
    assert charts.number(1787) == "1.787"
    assert charts.percent(1, 8) == "12,5%" and charts.percent(1, 4) == "25%" and charts.percent(1, 0) == "0%"
    assert charts.nice_max(37) == (40.0, 10.0) and charts.nice_max(0) == (4.0, 1.0)


def test_errors_name_file_row_and_field_in_vietnamese() -> None:
    exc = RecordError("level 'tỉnh thành' is not one of tinh, huyen, xa", row=4, field="level", source="ds.csv")
    assert error_vi(exc) == ("Tệp ds.csv, dòng 4, trường “Cấp thực hiện” (level): cấp thực hiện 'tỉnh thành' "
                             "không hợp lệ; phải là cấp tỉnh (tinh), cấp huyện (huyen) hoặc cấp xã (xa)")
    dup = RecordError("duplicate code 1.001193 (first seen at ds.csv row 2)", row=7, field="code", source="ds.csv")
    assert error_vi(dup) == "Tệp ds.csv, dòng 7, trường “Mã thủ tục” (code): mã 1.001193 bị trùng (đã có ở ds.csv row 2)"
    enc = RecordError("the file is not UTF-8 encoded (save it as 'CSV UTF-8')", row="line 9", field="column 3",
                      source="x.csv")
    assert error_vi(enc).startswith("Tệp x.csv, dòng 9, trường cột số 3: tệp không lưu bằng mã UTF-8")
    assert error_vi(InvalidChange("a reason is required for every change (--reason TEXT)")) == "Cần ghi lý do thay đổi"
    assert error_vi(NotFound("no procedure with code '9.999999'")) == "Không có thủ tục mã 9.999999"
    assert error_vi(InvalidChange("something new")) == "Lỗi: something new"
    assert "Đã có lỗi" in error_vi(RuntimeError("boom"))

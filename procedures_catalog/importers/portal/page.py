"""A procedure's portal page scraped to JSON (Vietnamese keys: ``ma_thu_tuc``...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...cleaning import clean_text
from ..base import RawRow
from .common import (
    _group_by_method,
    _join,
    _legal_line,
    _level_codes,
    _level_fields,
    _one_line,
    _online_from_methods,
    _put,
    _require,
    _text,
)

_PAGE_METHOD = re.compile(r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)(?=\d|Không có thông tin)")
_PAGE_TIME = re.compile(
    r"^(?:(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần)?|Không có thông tin)",
    re.IGNORECASE,
)
_PAGE_FEE = re.compile(
    r"^(?:Miễn phí|Không có thông tin|[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|Đồng|USD))", re.IGNORECASE
)
_CURRENCY_START = re.compile(r"^\s*(?:Việt Nam Đồng|VNĐ|Đồng|USD)", re.IGNORECASE)


def _balanced_note(text: str) -> str:
    """The "(…)" group at the start of ``text``, brackets included, or ""."""
    if not text.startswith("("):
        return ""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[: index + 1]
    return text


def _page_methods(text: str) -> list[tuple[str, str, str]]:
    """Parse the flattened "Cách thức thực hiện" table into (method, time, fee).

    The page's cells run together: "Trực tuyến15 Ngày làm việcMiễn phíDịch vụ bưu
    chính15 Ngày làm việcMiễn phí…", each row optionally followed by a description.
    """
    text = re.sub(r"^Hình thức nộp\s*Thời gian\s*Phí, lệ phí\s*Mô tả", "", clean_text(text))
    parts = _PAGE_METHOD.split(text)
    rows = []
    for label, cell in zip(parts[1::2], parts[2::2], strict=True):
        time_match = _PAGE_TIME.match(cell)
        rest = cell[time_match.end() :] if time_match else cell
        time_text = ""
        if time_match and time_match.group(1):
            if time_match.group(2):
                time_text = f"{time_match.group(1)} {time_match.group(2).lower()}"
            elif _CURRENCY_START.match(rest):
                # "Trực tiếp1250 VNĐ": time and fee digits run together and cannot be
                # told apart; state neither rather than guess.
                rows.append((label, "", ""))
                continue
        fee_match = _PAGE_FEE.match(rest)
        fee_text = ""
        if fee_match and fee_match.group(0).lower() != "không có thông tin":
            note = _balanced_note(rest[fee_match.end() :].lstrip())
            fee_text = f"{fee_match.group(0)} {note}".strip()
        rows.append((label, time_text, fee_text))
    return rows


_LEGAL_HEADER = re.compile(r"^Tên văn bản pháp lý\s*Mã văn bản")
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
# The start of a capitalised Vietnamese word: a valid onset, then a vowel. This is what
# tells "…/TT-NHNN" + "Thông tư…" from "…/TT-BNNMT" + "sửa đổi" ("Tsửa" is no word).
_TITLE_WORD = (
    rf"(?:(?:Ngh|Gh|Gi|Kh|Ng|Nh|Ph|Qu|Th|Tr|Ch|[BCDĐGHKLMNPRSTVX])[{_VOWELS}]"
    rf"|[{_VOWELS.upper()}][a-zđ{_VOWELS}])"
)
# A document code glued to the next title: "…/TT-NHNNThông tư…", "…/NĐ-CPQuy định…".
_LEGAL_BOUNDARY = re.compile(rf"(\d+/\d{{4}}/[A-ZĐ][\wĐđ\-]*?(?:\([A-Z0-9]+\))?)(?={_TITLE_WORD})")
# The code column repeating the code that ends the title: "Luật 54/2014/QH1354/2014/QH13".
_LEGAL_REPEAT = re.compile(r"(\d+/\d{4}/\S+?)\1$")
_LEGAL_CODE_AT_END = re.compile(
    r"(?:(?:Thông tư|Nghị định|Luật|Quyết định|Nghị quyết|Pháp lệnh)(?: liên tịch)?"
    r"(?: số)?\s*)?\d+/\d{4}/\S+$"
)


def _page_legal_basis(text: str) -> str:
    """Turn the flattened "Căn cứ pháp lý" table into one document per line."""
    text = _LEGAL_HEADER.sub("", _one_line(text))
    lines = []
    for line in _LEGAL_BOUNDARY.sub(r"\1\n", text).split("\n"):
        line = _LEGAL_REPEAT.sub(r"\1", line)
        match = _LEGAL_CODE_AT_END.search(line)
        title = line[: match.start()] if match else ""
        # Only a title that names no other document is surely the code's own title.
        if match and title and not re.search(r"\d+/\d{4}/", title):
            lines.append(_legal_line(match.group(0), title))
        elif line.strip():
            lines.append(line.strip())
    return "\n".join(lines)


def _page_result(text: str) -> str:
    """Result names from "…Mã: KQ.G19.000006…Từ khóa…" (the page's result block)."""
    text = _one_line(text).split("Từ khóa")[0]
    return _join(re.split(r"Mã:\s*[A-Z]+(?:\.[A-Z]*\d+)+", text))


def _from_page_scrape(page: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    _put(values, "code", _one_line(page.get("ma_thu_tuc")))
    _put(values, "name", _one_line(page.get("ten_thu_tuc")))
    _require(values, row, source)
    _put(values, "field", _one_line(page.get("linh_vuc")))
    _put(
        values,
        "agency",
        _one_line(_text(page.get("co_quan_thuc_hien")) or page.get("co_quan_co_tham_quyen")),
    )
    methods = _page_methods(_text(page.get("cach_thuc_thuc_hien")))
    _put(values, "processing_time", _group_by_method([(m, t) for m, t, _ in methods], "; "))
    _put(values, "fees", _group_by_method([(m, f) for m, _, f in methods], "\n"))
    _put(values, "documents", _text(page.get("thanh_phan_ho_so")))
    _put(values, "steps", page.get("trinh_tu_thuc_hien"))
    _put(values, "legal_basis", _page_legal_basis(_text(page.get("can_cu_phap_ly"))))
    _put(values, "result", _page_result(_text(page.get("ket_qua_xu_ly"))))
    _put(values, "requirements", page.get("yeu_cau_dieu_kien"))
    _put(values, "detail_url", _one_line(page.get("detail_url")))
    _level_fields(_level_codes(_text(page.get("cap_thuc_hien"))), values, defaults)
    _online_from_methods((m for m, _, _ in methods), values, defaults)
    return RawRow(values=values, row=row, defaults=defaults)

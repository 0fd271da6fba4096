"""Readers for the files staff download from the National Public Service Portal.

Formats (real examples in ``tests/fixtures/raw_samples/``):

- the "Danh sách TTHC" XLSX export (Mã số, Tên, Cơ quan ban hành, Cơ quan thực hiện,
  Lĩnh vực under a title row): :func:`read_portal_list_xlsx`;
- JSON files holding one record, or a list of records, of any of these kinds:
  the portal API's detail record (``{"code": "OK", "data": {…executionMethods…}}``),
  a detail page scraped to JSON (Vietnamese keys: ``ma_thu_tuc``, ``ten_thu_tuc``…),
  a record parsed from the national database's .doc export (``thu_tuc_id``,
  ``metadata``, ``content``, ``tables``) or a line of the API's list:
  :func:`read_portal_json`;
- the API's list as JSON Lines: :func:`read_portal_jsonl`.

Every reader returns :class:`~.base.RawRow` objects whose ``values`` hold only the
catalogue fields the format really provides (so that importing a partial format does
not blank other fields) and whose ``defaults`` hold guesses used only when the
procedure is new (a level inferred from the agency, "thong_tin" when the format says
nothing about online service). Values are cleaned and validated later by
:func:`~.base.build_record`; bad input raises :class:`RecordError` naming the row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..cleaning import clean_text, join_documents, split_documents
from ..normalize import fold
from ..records import RecordError
from .base import RawRow, infer_level_from_agency, pick
from .tabular import decode_utf8, find_header, read_bytes, xlsx_rows

DETAIL_URL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/{id}"

# The portal's own words for "nothing here"; treated as an absent value.
_NO_INFO = {"khong co thong tin", "khong co du lieu", "chua co thong tin"}

_METHOD_LABELS = {"ONLINE": "Trực tuyến", "DIRECT": "Trực tiếp", "POSTAL": "Dịch vụ bưu chính"}
_API_TIME_UNITS = {
    "WORKING_DAY": "ngày làm việc",
    "DAY": "ngày",
    "HOUR": "giờ",
    "MONTH": "tháng",
    "YEAR": "năm",
    "WEEK": "tuần",
}
_API_FEE_KINDS = {"FEE": "Lệ phí", "SERVICE_FEE": "Phí", "PRICE_LEVEL": "Giá"}
# Currency ids of the portal API. The first is what the portal shows as "Việt Nam
# Đồng"; the second is what it shows as USD (1.001020, consular fees). An empty id is
# đồng too. Unknown ids get no currency word rather than a guess.
_API_CURRENCIES = {
    "": "đồng",
    "019b3fb2-b5b8-70ac-85e2-9409ec1eaffa": "đồng",
    "019b3fb2-dee2-76ab-aa53-22d4d903a2bb": "USD",
}
# Level flags of an API record, in the order level_portal lists them.
_API_LEVEL_FLAGS = (
    ("isMinistry", "bo"),
    ("isProvince", "tinh"),
    ("isWard", "xa"),
    ("isOtherAgency", "khac"),
)


# --------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    """Clean text of a scalar value; "" for None and the portal's "no information"."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = clean_text(str(value))
    return "" if fold(text) in _NO_INFO else text


def _one_line(value: Any) -> str:
    return " ".join(_text(value).split())


def _join(values: Iterable[Any], sep: str = "; ") -> str:
    """Join non-empty distinct values in order."""
    seen: list[str] = []
    for value in values:
        text = _one_line(value)
        if text and text not in seen:
            seen.append(text)
    return sep.join(seen)


def _put(values: dict[str, Any], key: str, value: Any) -> None:
    """Set a field only when the source has something for it."""
    if isinstance(value, list):
        if value:
            values[key] = value
        return
    text = _text(value)
    if text:
        values[key] = text


def _number(value: float) -> str:
    """A quantity as Vietnamese text: 16.5 → "16,5", 7000 → "7.000"."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return str(value).replace(".", ",")


def _group_by_method(pairs: list[tuple[str, str]], sep: str) -> str:
    """Render per-method texts, naming the methods only where they differ.

    ``[("Trực tuyến", "3 ngày"), ("Trực tiếp", "5 ngày")]`` →
    "Trực tuyến: 3 ngày; Trực tiếp: 5 ngày"; identical texts collapse to one.
    """
    groups: dict[str, list[str]] = {}
    for label, text in pairs:
        if text:
            labels = groups.setdefault(text, [])
            if label and label not in labels:
                labels.append(label)
    if not groups:
        return ""
    label_sets = {tuple(labels) for labels in groups.values()}
    if len(groups) == 1 or len(label_sets) == 1:
        return sep.join(groups)
    return sep.join(
        f"{'/'.join(labels)}: {text}" if labels else text for text, labels in groups.items()
    )


def _level_codes(text: str) -> list[str]:
    """Levels named in a "Cấp thực hiện" text ("Cấp Bộ, Cấp Tỉnh, Cấp Xã" → bo, tinh, xa)."""
    folded = fold(text)
    codes: list[str] = []
    for match in re.finditer(r"\b(bo|tinh|huyen|xa)\b", folded):
        if match.group(1) not in codes:
            codes.append(match.group(1))
    return codes or (["khac"] if folded else [])


_NAME_LEVEL = re.compile(r"\((?:[^()]*\s)?cấp (tỉnh|huyện|xã)\)", re.IGNORECASE)


def _infer_level(agency: str, name: str) -> str:
    """Guess the level of a procedure whose source states none.

    A name such as "… (thực hiện tại cấp tỉnh)" says it outright; otherwise the
    executing agency decides (:func:`~.base.infer_level_from_agency`).
    """
    match = _NAME_LEVEL.search(name)
    if match:
        return {"tinh": "tinh", "huyen": "huyen", "xa": "xa"}[fold(match.group(1))]
    return infer_level_from_agency(agency)


def _level_fields(codes: list[str], values: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Fill the level fields from the levels a source lists.

    One local level (tỉnh, huyện or xã) is a fact: it goes into ``values``. Several
    (a procedure done both at the province and at the commune) need a choice: the
    lowest, where citizens usually go, as a default only. None (ministry-level or other
    agencies only) leaves the level to :func:`_infer_level`.
    """
    if codes:
        values["level_portal"] = "|".join(codes)
    local = [code for code in ("xa", "huyen", "tinh") if code in codes]
    if len(local) == 1:
        values["level"] = local[0]
        values["level_source"] = "portal"
    elif local:
        defaults["level"] = local[0]
        defaults["level_source"] = "inferred"
    else:
        defaults["level"] = _infer_level(values.get("agency", ""), values.get("name", ""))
        defaults["level_source"] = "inferred"


def _list_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Defaults for list formats that carry no level and no online level."""
    return {
        "level": _infer_level(values.get("agency", ""), values.get("name", "")),
        "level_source": "inferred",
        "online_level": "thong_tin",
        "online_source": "default",
    }


def _documents(items: Iterable[str]) -> list[str]:
    """Normalise checklist items exactly as an export → import round trip would."""
    return split_documents(join_documents([_one_line(item) for item in items if _one_line(item)]))


def _require(values: Mapping[str, Any], row: int | str, source: str) -> None:
    for field_name, label in (("code", "procedure code"), ("name", "procedure name")):
        if not values.get(field_name):
            raise RecordError(f"missing {label}", row=row, field=field_name, source=source)


# --------------------------------------------------------------------------- XLSX list


def _code_cell(value: Any) -> str:
    # Excel may have turned "1.000650" into the number 1.00065; procedure codes have
    # six decimals, so put the dropped zeros back.
    if isinstance(value, float):
        return f"{value:.6f}"
    return _one_line(value)


def read_portal_list_xlsx(path: Path) -> list[RawRow]:
    """Read a "Danh sách TTHC" export (Mã số, Tên, Cơ quan ban hành, …, Lĩnh vực).

    The list has no level and no online level: they go into ``defaults`` (level
    inferred from the name or agency, ``level_source`` "inferred"; online level
    "thong_tin", ``online_source`` "default").

    Args:
        path: the .xlsx file.

    Returns:
        One row per procedure; ``row`` is the spreadsheet row number.

    Raises:
        RecordError: damaged file, no header row, or a row without code or name.
    """
    rows = xlsx_rows(path)
    found = find_header(rows)
    if found is None:
        raise RecordError("no header row with 'Mã số' and 'Tên' columns", row=1, source=path.name)
    index, keys = found
    out: list[RawRow] = []
    for number, cells in rows[index + 1 :]:
        if not any(_text(cell) for cell in cells):
            continue
        values: dict[str, Any] = {}
        for key, cell in zip(keys, cells, strict=False):
            if key == "code":
                _put(values, "code", _code_cell(cell))
            elif key == "agency":
                # One agency per line in the cell; one line in the catalogue.
                _put(values, "agency", _join(_text(cell).split("\n")))
            elif key in ("name", "issuing_body", "field"):
                _put(values, key, _one_line(cell))
        _require(values, number, path.name)
        out.append(RawRow(values=values, row=number, defaults=_list_defaults(values)))
    return out


# --------------------------------------------------------------------------- API list


def _from_catalog_line(item: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    """A line of the API's list: code, name, field, agency, issuing body, link."""
    values: dict[str, Any] = {}
    _put(values, "code", pick(item, "code", "codeNotation"))
    _put(values, "name", _one_line(item.get("name")))
    _require(values, row, source)
    _put(values, "field", _join(item.get("categories") or []))
    _put(values, "agency", _join(item.get("departments") or []))
    _put(values, "issuing_body", _one_line(item.get("departmentPromulgate")))
    if item.get("id"):
        values["detail_url"] = DETAIL_URL.format(id=item["id"])
    return RawRow(values=values, row=row, defaults=_list_defaults(values))


# --------------------------------------------------------------------------- API detail


def _api_time(method: Mapping[str, Any]) -> str:
    amount = method.get("processingTime")
    unit = _API_TIME_UNITS.get(str(method.get("processingTimeUnit") or ""))
    if isinstance(amount, str):
        stripped = amount.strip().replace(",", ".")
        if re.fullmatch(r"\d+(?:\.\d+)?", stripped):
            amount = float(stripped)
        else:
            return _text(amount)  # the time written out ("Không quá 15 ngày …")
    if isinstance(amount, (int, float)) and amount > 0 and unit:
        return f"{_number(amount)} {unit}"
    # A number with unit OTHER is the portal's placeholder (1.000656 says "1 OTHER"
    # while its cases say 5 working days): not worth showing.
    return ""


def _api_processing_time(data: Mapping[str, Any]) -> str:
    methods = data.get("executionMethods") or []
    pairs = [
        (_METHOD_LABELS.get(str(m.get("submissionMethod")), ""), _api_time(m)) for m in methods
    ]
    by_time: dict[str, set[str]] = {}
    for label, text in pairs:
        if text:
            by_time.setdefault(text, set()).add(label)
    if len(by_time) > 1 and len({frozenset(labels) for labels in by_time.values()}) == 1:
        # Every method lists every time (1.115773: 1 day in ordinary communes, 5 in
        # remote ones): only the descriptions say which applies, so keep them.
        described: dict[str, str] = {}
        for method, (_, text) in zip(methods, pairs, strict=True):
            note = _one_line(method.get("description"))
            if text and text not in described:
                described[text] = f"{text} ({note})" if note and note != text else text
        return "; ".join(described.values())
    text = _group_by_method(pairs, "; ")
    if text:
        return text
    # Fall back on the sub-cases' times ("1.000656.01: 5 ngày làm việc; …").
    pairs = []
    for case in data.get("cases") or []:
        day = case.get("processingDay") or {}
        unit = _API_TIME_UNITS.get(str(day.get("type") or ""))
        qty = day.get("qty")
        if unit and isinstance(qty, (int, float)) and qty > 0:
            pairs.append((_one_line(case.get("code")), f"{_number(qty)} {unit}"))
    if len({text for _, text in pairs}) > 1:
        return "; ".join(f"{code}: {text}" if code else text for code, text in pairs)
    return pairs[0][1] if pairs else ""


def _api_fee(fee: Mapping[str, Any]) -> str:
    kind = _API_FEE_KINDS.get(str(fee.get("type") or ""), "Phí")
    note = _one_line(fee.get("description"))
    value = fee.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        currency = _API_CURRENCIES.get(str(fee.get("currencyId") or ""), "")
        head = f"{kind}: {_number(value)} {currency}".rstrip()
    else:
        head = kind
    return f"{head} ({note})" if note else head


def _api_fees(data: Mapping[str, Any]) -> str:
    pairs = []
    for method in data.get("executionMethods") or []:
        label = _METHOD_LABELS.get(str(method.get("submissionMethod")), "")
        fees = [_api_fee(fee) for fee in method.get("fees") or [] if isinstance(fee, Mapping)]
        pairs.append((label, "; ".join(dict.fromkeys(f for f in fees if f))))
    text = _group_by_method(pairs, "\n")
    if not text:
        fees = [_api_fee(fee) for fee in data.get("fees") or [] if isinstance(fee, Mapping)]
        text = "; ".join(dict.fromkeys(fees))
    return text


def _component(component: Mapping[str, Any]) -> str:
    name = _one_line(component.get("name"))
    if not name:
        return ""
    original = int(component.get("originalQty") or 0)
    copies = int(component.get("copyQty") or 0)
    # split_documents turns this into its one suffix style and drops zero counts.
    return f"{name} ({original} bản chính, {copies} bản sao)"


def _api_documents(data: Mapping[str, Any]) -> list[str]:
    items: list[str] = []
    cases = [case for case in data.get("executionCases") or [] if isinstance(case, Mapping)]
    for case in cases:
        components = case.get("profileComponents") or []
        heading = _one_line(case.get("name"))
        if heading and components:
            items.append(heading)  # "* Giấy tờ phải nộp:", or the case it applies to
        items.extend(_component(c) for c in components if isinstance(c, Mapping))
    if not items:
        components = list(data.get("profileComponents") or [])
        for case in data.get("cases") or []:
            components.extend(case.get("profileComponents") or [])
        items = [_component(c) for c in components if isinstance(c, Mapping)]
    return _documents(items)


def _api_steps(data: Mapping[str, Any]) -> str:
    procedure = fold(_text(data.get("name")))
    parts = []
    for step in data.get("executionSteps") or []:
        title = _one_line(step.get("name"))
        body = _text(step.get("description"))
        # Untitled steps carry "Mặc định" (default) or the procedure's name as a title.
        if fold(title) in ("mac dinh", procedure):
            title = ""
        if title and body:
            parts.append(f"{title} {body}" if title.endswith(":") else f"{title}\n{body}")
        else:
            parts.append(title or body)
    return "\n".join(part for part in parts if part)


def _legal_line(code: str, name: str) -> str:
    """One legal document: "code – title", or the title alone when it names the code."""
    code, name = _one_line(code), _one_line(name)
    if not code or fold(code) in fold(name) or code.isdigit():
        return name or code
    return f"{code} – {name}" if name else code


def _from_api_detail(data: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    _put(values, "code", pick(data, "code", "codeNotation"))
    _put(values, "name", _one_line(data.get("name")))
    _require(values, row, source)
    categories = data.get("categoriesDetails") or [data.get("category") or {}]
    _put(values, "field", _join(c.get("name") for c in categories if isinstance(c, Mapping)))
    agencies = [d.get("name") for d in data.get("departmentsExecuting") or []]
    _put(values, "agency", _join(agencies) or _one_line(data.get("executingAgencies")))
    _put(values, "processing_time", _api_processing_time(data))
    _put(values, "fees", _api_fees(data))
    _put(values, "documents", _api_documents(data))
    _put(values, "steps", _api_steps(data))
    _put(
        values,
        "legal_basis",
        "\n".join(
            _legal_line(str(b.get("code") or ""), str(b.get("name") or ""))
            for b in data.get("legalBasisesDetails") or []
        ),
    )
    _put(values, "result", _join(r.get("name") for r in data.get("resultsDetails") or []))
    _put(values, "requirements", data.get("requirementsAndConditions"))
    issuing = data.get("departmentPromulgateName") or (
        (data.get("procedureProposal") or {}).get("issuingAgency") or {}
    ).get("name")
    _put(values, "issuing_body", _one_line(issuing))
    if data.get("id"):
        values["detail_url"] = DETAIL_URL.format(id=data["id"])

    _level_fields([code for flag, code in _API_LEVEL_FLAGS if data.get(flag)], values, defaults)

    methods = {str(m.get("submissionMethod")) for m in data.get("executionMethods") or []}
    if data.get("isFullProcess") and not data.get("isOfflineOnly"):
        online = "toan_trinh"
    elif "ONLINE" in methods and not data.get("isOfflineOnly"):
        online = "mot_phan"
    else:
        online = "thong_tin"
    values.update(online_level=online, online_source="portal", online_portal=online)
    return RawRow(values=values, row=row, defaults=defaults)


# --------------------------------------------------------------------------- page scrape

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


def _online_from_methods(
    labels: Iterable[str], values: dict[str, Any], defaults: dict[str, Any]
) -> None:
    """Online level from the submission methods a page or export lists.

    No "Trực tuyến" method is the portal saying "information only". An online method
    says at least partly online; whether fully online is not stated, so that is only
    a default.
    """
    labels = list(labels)
    if "Trực tuyến" in labels:
        defaults.update(online_level="mot_phan", online_source="inferred")
    elif labels:
        values.update(online_level="thong_tin", online_source="portal", online_portal="thong_tin")
    else:
        defaults.update(online_level="thong_tin", online_source="default")


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


# --------------------------------------------------------------------------- .doc export


def _doc_time(text: str) -> str:
    match = re.fullmatch(
        r"(\d+(?:[.,]\d+)?)\s*(Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần)", text, re.IGNORECASE
    )
    return f"{match.group(1)} {match.group(2).lower()}" if match else text


def _doc_quantity(note: str) -> str:
    """Quantity suffix from the export's note ("Bản chính: 1\\nBản sao: 0")."""
    parts = [p for p in _text(note).split("\n") if re.match(r"Bản (chính|sao)\s*:", p)]
    return f" ({', '.join(parts)})" if parts else ""


def _from_doc_export(doc: Mapping[str, Any], row: int | str, source: str) -> RawRow:
    meta = doc.get("metadata") or {}
    content = doc.get("content") or {}
    tables = doc.get("tables") or {}
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    _put(values, "code", _one_line(doc.get("thu_tuc_id") or meta.get("mã_thủ_tục")))
    _put(values, "name", _one_line(meta.get("tên_thủ_tục")))
    _require(values, row, source)
    _put(values, "field", _one_line(meta.get("lĩnh_vực")))
    _put(
        values,
        "agency",
        _one_line(_text(content.get("cơ_quan_thực_hiện")) or content.get("cơ_quan_có_thẩm_quyền")),
    )
    methods = [m for m in tables.get("hinh_thuc_nop") or [] if isinstance(m, Mapping)]
    labels = [_one_line(m.get("hinh_thuc")) for m in methods]
    times = [_doc_time(_one_line(m.get("thoi_han_giai_quyet"))) for m in methods]
    fees = [_one_line(m.get("phi_le_phi")) for m in methods]
    _put(values, "processing_time", _group_by_method(list(zip(labels, times, strict=True)), "; "))
    _put(values, "fees", _group_by_method(list(zip(labels, fees, strict=True)), "\n"))
    _put(
        values,
        "documents",
        _documents(
            _one_line(item.get("ten_giay_to")) + _doc_quantity(str(item.get("ghi_chu") or ""))
            for item in tables.get("thanh_phan_ho_so") or []
            if isinstance(item, Mapping)
        ),
    )
    _put(values, "steps", content.get("trình_tự_thực_hiện"))
    _put(
        values,
        "legal_basis",
        "\n".join(
            _legal_line(str(b.get("so_ky_hieu") or ""), str(b.get("trich_yeu") or ""))
            for b in tables.get("can_cu_phap_ly") or []
            if isinstance(b, Mapping)
        ),
    )
    _put(values, "result", content.get("kết_quả_thực_hiện"))
    _put(values, "requirements", content.get("yêu_cầu_điều_kiện_thực_hiện"))
    _level_fields(_level_codes(_text(meta.get("cấp_thực_hiện"))), values, defaults)
    _online_from_methods(labels, values, defaults)
    return RawRow(values=values, row=row, defaults=defaults)


# --------------------------------------------------------------------------- JSON files


def _record_from_json(obj: Any, row: int | str, source: str) -> RawRow:
    """Detect the kind of one JSON record and read it."""
    if not isinstance(obj, Mapping):
        raise RecordError("a record must be a JSON object", row=row, source=source)
    if "data" in obj and ("code" in obj or "message" in obj):
        # The API's envelope: {"code": "OK", "data": {...}, "message": "OK"}.
        if not isinstance(obj.get("data"), Mapping):
            status = obj.get("message") or obj.get("code")
            raise RecordError(f"the portal returned no record ({status})", row=row, source=source)
        obj = obj["data"]
    if "executionMethods" in obj or "executionCases" in obj or "isFullProcess" in obj:
        return _from_api_detail(obj, row, source)
    if "ma_thu_tuc" in obj or "ten_thu_tuc" in obj:
        return _from_page_scrape(obj, row, source)
    if "thu_tuc_id" in obj or ("metadata" in obj and "tables" in obj):
        return _from_doc_export(obj, row, source)
    if "name" in obj and ("code" in obj or "codeNotation" in obj):
        return _from_catalog_line(obj, row, source)
    raise RecordError(
        "not a procedure record from the portal (unknown JSON layout)", row=row, source=source
    )


def _load_json(text: str, source: str, row: int | str | None = None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = row if row is not None else f"line {exc.lineno}"
        raise RecordError(f"invalid JSON: {exc.msg}", row=where, source=source) from exc


def read_portal_json(path: Path) -> list[RawRow]:
    """Read a JSON file from the portal: one record, or a list of records.

    Detects per record whether it is an API detail record, a scraped detail page, a
    record from the national database's .doc export or a line of the API's list.

    Args:
        path: the .json file (optionally gzipped).

    Returns:
        One row per record; ``row`` is the file name for a single record and the
        1-based position for a list.

    Raises:
        RecordError: invalid JSON, an unknown layout, or a record without code or name.
    """
    text = decode_utf8(read_bytes(path), path.name)
    data = _load_json(text, path.name)
    if isinstance(data, list):
        return [_record_from_json(item, number, path.name) for number, item in enumerate(data, 1)]
    return [_record_from_json(data, path.name, path.name)]


def read_portal_jsonl(path: Path) -> list[RawRow]:
    """Read the portal API's list as JSON Lines (id, name, code, categories, …).

    Gives code, name, field, agency, issuing body and the portal link; level and
    online level only as ``defaults``, as for the XLSX list. A line holding a full
    detail record is read as one.

    Args:
        path: the .jsonl file (optionally gzipped).

    Returns:
        One row per non-blank line; ``row`` is the line number.

    Raises:
        RecordError: a line that is not valid JSON, or a record without code or name.
    """
    text = decode_utf8(read_bytes(path), path.name)
    out: list[RawRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        out.append(_record_from_json(_load_json(line, path.name, row=number), number, path.name))
    return out

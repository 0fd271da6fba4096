"""What the portal readers share: the portal's words for levels, methods and units,
and small helpers that put a cleaned value in a record (package-internal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...cleaning import clean_text, join_documents, split_documents
from ...normalize import fold
from ...records import RecordError
from ..base import infer_level_from_agency

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


def _legal_line(code: str, name: str) -> str:
    """One legal document: "code – title", or the title alone when it names the code."""
    code, name = _one_line(code), _one_line(name)
    if not code or fold(code) in fold(name) or code.isdigit():
        return name or code
    return f"{code} – {name}" if name else code


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

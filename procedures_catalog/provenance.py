"""How sure each stated fact is, and the words that say so (no database, no Rasa).

The catalogue marks where a procedure's level and online level come from
(``level_source`` / ``online_source``): the national portal or an official list
(``official``), a staff verification (``staff``), or a value arranged or inferred for
the catalogue (``estimate``). Answers state official and staff-verified values plainly,
hedge estimates ("ước tính", and where to check), prefer the portal's own value
(``level_portal`` / ``online_portal``) when it is known and differs from an estimate,
and end with a freshness line. A procedure that an edition dated before the 2025
reform places at district level gets the reform caveat instead of a district office.

The procedure dict is :func:`procedures_catalog.service.procedure_to_dict`'s, optionally
enriched by :meth:`procedures_catalog.service.Catalog.procedure_facts` with
``provenance``, ``verified_on``, ``edition`` and ``contacts`` (offices by key).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .province import province
from .records import LEVEL_WORDS, ONLINE_SHORT

PROVENANCES = ("official", "staff", "estimate", "unknown")
# Said on a line of its own under every sample phone number.
SAMPLE_PHONE = "(Số điện thoại mẫu: cần kiểm tra lại.)"
HEDGED = ("estimate", "unknown")

# level_source / online_source values → provenance. Importers write "portal"
# (the portal's own flag), "inferred" (guessed from the name or agency) or "default";
# the sample writes "assigned" (arranged to match published totals); staff edits write
# "staff"; an official edition writes "official".
_SOURCE_PROVENANCE = {
    "portal": "official", "official": "official", "staff": "staff",
    "assigned": "estimate", "inferred": "estimate", "default": "estimate",
}


def source_provenance(source: str | None) -> str:
    """The provenance (one of :data:`PROVENANCES`) of a ``*_source`` value."""
    return _SOURCE_PROVENANCE.get((source or "").strip().lower(), "unknown")


def provenance_of(p: Mapping[str, Any]) -> dict[str, str]:
    """``{"level": S, "online_level": S}`` for the payload (enriched value first)."""
    given = p.get("provenance")
    if isinstance(given, Mapping) and given.get("level") in PROVENANCES:
        return {"level": str(given["level"]), "online_level": str(given["online_level"])}
    return {"level": source_provenance(p.get("level_source")),
            "online_level": source_provenance(p.get("online_source"))}


def vn_date(value: str | date | None) -> str:
    """``2025-07-01`` → ``01/07/2025`` (empty for None)."""
    if value is None:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y")


# ------------------------------------------------------------------ the values stated
def stated_level(p: Mapping[str, Any]) -> tuple[str, str]:
    """The level to state and its provenance, preferring the portal over an estimate.

    Returns:
        (level, provenance): level is ``tinh``, ``huyen``, ``xa`` or ``tinh|xa`` (the
        portal lists some procedures at both).
    """
    prov = provenance_of(p)["level"]
    portal = (p.get("level_portal") or "").strip()
    if prov in HEDGED and portal and portal != p["level"]:
        return portal, "portal"
    return p["level"], prov


def stated_online(p: Mapping[str, Any]) -> tuple[str, str]:
    """The online level to state and its provenance, preferring the portal's own value."""
    prov = provenance_of(p)["online_level"]
    portal = (p.get("online_portal") or "").strip()
    if prov in HEDGED and portal in ONLINE_SHORT and portal != p["online_level"]:
        return portal, "portal"
    return p["online_level"], prov


def level_words(level: str) -> str:
    """``tinh|xa`` → "cấp tỉnh hoặc cấp xã"."""
    return " hoặc ".join(LEVEL_WORDS.get(part, part) for part in level.split("|"))


def reform_applies(p: Mapping[str, Any], today: date | None = None) -> bool:
    """Whether the catalogue places the procedure at a district level that no longer exists.

    Only a list from before the reform can (its edition dated before it); a later
    list with a district level is wrong, and the caveat is the truthful answer too.
    """
    return p["level"] == "huyen" and (today or date.today()) >= province().two_tier_from


def _hedge(prov: str) -> str:
    return " (ước tính, chưa xác nhận)" if prov == "estimate" else " (chưa rõ nguồn)"


def level_short(p: Mapping[str, Any]) -> str:
    """The overview's "Nơi giải quyết" value, hedged when needed."""
    if reform_applies(p):
        return "nay là UBND xã/phường hoặc Trung tâm Phục vụ hành chính công tỉnh (xem lưu ý)"
    level, prov = stated_level(p)
    if prov == "portal":
        return f"{level_words(level)} (theo Cổng DVC quốc gia)"
    return level_words(level) + (_hedge(prov) if prov in HEDGED else "")


def online_short(p: Mapping[str, Any]) -> str:
    """The overview's "Làm online" value, hedged when needed."""
    online, prov = stated_online(p)
    text = ONLINE_SHORT.get(online, online)
    if prov == "portal":
        return f"{text} (theo Cổng DVC quốc gia)"
    return text + (_hedge(prov) if prov in HEDGED else "")


def _office_name(p: Mapping[str, Any], key: str, fallback: str) -> str:
    contacts = p.get("contacts") or {}
    office = contacts.get(key) or {}
    return str(office.get("name") or fallback)


def check_where(p: Mapping[str, Any]) -> str:
    """Where a citizen checks a hedged value: the procedure's portal page or the hotline."""
    hotline = (p.get("contacts") or {}).get("hotline") or {}
    phone = f" hoặc gọi {hotline['phone']}" if hotline.get("phone") else ""
    sample = "\n" + SAMPLE_PHONE if phone and hotline.get("is_sample") else ""
    return f"Bạn kiểm tra trên {province().portal_host}{phone} trước khi đi nhé.{sample}"


def level_sentence(p: Mapping[str, Any]) -> str:
    """The level aspect's first sentence: plain, attributed to the portal, or hedged."""
    level, prov = stated_level(p)
    if prov == "portal":
        return f"Theo Cổng Dịch vụ công quốc gia, thủ tục này do {level_words(level)} giải quyết."
    if prov in HEDGED:
        return (f"Danh mục ghi thủ tục này do {level_words(level)} giải quyết, nhưng đây là "
                f"{'ước tính' if prov == 'estimate' else 'thông tin chưa rõ nguồn'}, "
                f"chưa được xác nhận. {check_where(p)}")
    return f"Thủ tục này do {level_words(level)} giải quyết."


def online_sentence(p: Mapping[str, Any], plain: Mapping[str, str]) -> str:
    """The online aspect's first sentence (``plain`` = the confident wording per level)."""
    online, prov = stated_online(p)
    if prov == "portal":
        return "Theo Cổng Dịch vụ công quốc gia: " + plain.get(online, online)
    if prov in HEDGED:
        return (f"Danh mục ước tính thủ tục này {ONLINE_SHORT.get(online, online)}, "
                f"chưa được xác nhận. Bạn xem trang của thủ tục trên Cổng Dịch vụ công để chắc chắn.")
    return plain.get(online, online)


def online_possible(p: Mapping[str, Any]) -> bool:
    """Whether the stated online level lets citizens submit online at all."""
    return stated_online(p)[0] in ("toan_trinh", "mot_phan")


# ----------------------------------------------------------------------- the reform
def reform_caveat(p: Mapping[str, Any]) -> str:
    """What is certain about a former district-level procedure, and how to check.

    Nothing is said about the procedure's new placement unless the portal lists it.
    """
    facts = province()
    edition = p.get("edition") or {}
    listed = f"Danh mục {edition['name']}" if edition.get("name") else "Danh mục cũ"
    lines = [
        f"⚠ {listed} xếp thủ tục này ở cấp huyện. Từ {vn_date(facts.two_tier_from)} không còn "
        f"cấp huyện: các thủ tục này nay do UBND xã/phường hoặc "
        f"{_office_name(p, 'tinh', 'Trung tâm Phục vụ hành chính công tỉnh')} giải quyết.",
    ]
    portal = (p.get("level_portal") or "").strip()
    if portal and "huyen" not in portal:
        lines.append(f"Cổng Dịch vụ công quốc gia hiện ghi: {level_words(portal)}.")
    lines.append(f"Bạn hỏi Bộ phận Một cửa UBND xã/phường nơi bạn ở, hoặc tra trên "
                 f"{facts.portal_host}.")
    hotline = (p.get("contacts") or {}).get("hotline") or {}
    if hotline.get("phone"):
        lines.append(f"☎ {hotline.get('name') or 'Tổng đài'}: {hotline['phone']}")
        if hotline.get("is_sample"):
            lines.append(SAMPLE_PHONE)
    return "\n".join(lines)


def reform_note(p: Mapping[str, Any]) -> str:
    """A one-line reminder of the reform for aspects that do not say where to go."""
    return (f"⚠ Lưu ý: từ {vn_date(province().two_tier_from)} không còn cấp huyện; thủ tục này "
            f"nay làm ở UBND xã/phường hoặc {_office_name(p, 'tinh', 'Trung tâm Phục vụ hành chính công tỉnh')}. "
            f"Gõ “nộp ở đâu” để biết cách kiểm tra.")


def two_tier_offices(p: Mapping[str, Any]) -> list[str]:
    """The commune desk and the provincial centre (a former district-level procedure,
    or one the portal lists at both levels)."""
    return [f"🏢 {_office_name(p, 'xa', 'Bộ phận Một cửa UBND xã, phường nơi bạn ở')}",
            f"🏢 {_office_name(p, 'tinh', 'Trung tâm Phục vụ hành chính công tỉnh')}"]


# --------------------------------------------------------------------- freshness
def edition_ref(p: Mapping[str, Any]) -> dict[str, Any] | None:
    """The payload's ``edition``: ``{"id", "name", "effective_from"}`` or None."""
    edition = p.get("edition")
    if not edition:
        return None
    return {"id": edition.get("id"), "name": edition.get("name"),
            "effective_from": edition.get("effective_from")}


def freshness_line(p: Mapping[str, Any]) -> str:
    """"Theo danh mục …, cập nhật ngày …" (empty when nothing is known)."""
    edition = p.get("edition") or {}
    parts = []
    if edition.get("name"):
        since = f", từ {vn_date(edition['effective_from'])}" if edition.get("effective_from") else ""
        parts.append(f"Theo danh mục {edition['name']}{since}")
    verified = p.get("verified_on")
    if verified:
        parts.append(f"cán bộ kiểm tra ngày {vn_date(verified)}")
    elif parts:
        parts.append("chưa được cán bộ kiểm tra lại")
    return ("🗓 " + "; ".join(parts) + ".") if parts else ""

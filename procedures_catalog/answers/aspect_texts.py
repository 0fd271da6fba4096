"""The text of each aspect's answer, built only from catalogue facts.

A fact the catalogue lacks is never guessed: the answer says it is missing and whom to
ask. Since the 2025 reform a procedure once handled by a district never sends anyone
there (:mod:`..provenance` says when the reform applies and how to say it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import provenance as prov
from ..records import LEVEL_WORDS
from .messages import MAX_CHARS, shorten, split_message

PORTAL_URL = "https://dichvucong.gov.vn"

# What each online level means for the citizen, as the "online" answer says it.
ONLINE_PLAIN = {
    "toan_trinh": (
        "Thủ tục này làm online toàn trình: bạn nộp hồ sơ, đóng phí và nhận kết quả "
        "đều trên mạng, không cần đến cơ quan."
    ),
    "mot_phan": (
        "Thủ tục này làm online một phần: bạn nộp hồ sơ trên mạng được, nhưng vẫn phải "
        "đến cơ quan cho một số bước (như nộp bản gốc, đóng phí hoặc nhận kết quả)."
    ),
    "thong_tin": (
        "Thủ tục này chỉ có hướng dẫn trên mạng: bạn đọc trước cách làm online, rồi "
        "mang hồ sơ đến cơ quan để nộp."
    ),
}


def office_lines(office: Mapping[str, Any] | None) -> list[str]:
    """An office's name, address, hours and phone, one line each (none without an office)."""
    if not office:
        return []
    lines = [f"🏢 {office['name']}"]
    if office.get("address"):
        lines.append(f"📍 {office['address']}")
    if office.get("hours"):
        lines.append(f"🕐 {office['hours']}")
    if office.get("phone"):
        lines.append(f"☎ {office['phone']}")
    if office.get("is_sample"):
        lines.append("(Thông tin mẫu: nên gọi hỏi trước khi đi.)")
    return lines


def _missing(what: str, p: Mapping[str, Any], office: Mapping[str, Any] | None) -> str:
    if prov.reform_applies(p):
        where = "UBND xã/phường nơi bạn ở"
    else:
        where = office["name"] if office else f"cơ quan {LEVEL_WORDS.get(p['level'], '')}".strip()
    return f"Danh mục chưa ghi {what} của thủ tục này. Bạn hỏi {where} để biết chính xác nhé."


def _fees_text(p: Mapping[str, Any]) -> str | None:
    fee = p.get("fee") or {}
    fees = (p.get("fees") or "").strip()
    if not fees:
        return None
    if fee.get("free"):
        return "Không mất phí (miễn phí)."
    return shorten(fees, 420)


_CASE_CODE = re.compile(r"\b\d\.\d{6}\.\d{1,3}\s*:\s*")


def _time_text(p: Mapping[str, Any]) -> str | None:
    text = (p.get("processing_time") or "").strip()
    if not text:
        return None
    # Per-case times come as "1.000656.01: 5 ngày làm việc; 1.000656.03: 2 ngày".
    if _CASE_CODE.search(text):
        text = "tùy trường hợp: " + _CASE_CODE.sub("", text)
    return shorten(text, 300)


def _steps_items(steps: str) -> list[str]:
    items = []
    for line in steps.split("\n"):
        line = re.sub(r"^[-+•*]\s*", "", line.strip())
        if line:
            items.append(line)
    return items


def aspect_texts(p: Mapping[str, Any], aspect: str, office: Mapping[str, Any] | None) -> list[str]:
    """The text of one aspect's answer (one or more messages' worth)."""
    name = p["name"]
    reform = prov.reform_applies(p)
    if reform:
        office = None  # the district desks are gone: never send anyone "lên huyện"
    portal = p.get("detail_url") or PORTAL_URL
    texts: list[str] = []
    if aspect == "overview":
        lines = [f"📌 {shorten(name, 200)}", f"• Nơi giải quyết: {prov.level_short(p)}",
                 f"• Làm online: {prov.online_short(p)}"]
        time_text = _time_text(p)
        if time_text:
            lines.append(f"• Thời hạn: {shorten(time_text, 90)}")
        fees_text = _fees_text(p)
        if fees_text:
            lines.append(f"• Lệ phí: {shorten(fees_text, 120)}")
        lines.append("Bạn muốn biết thêm gì? Bấm nút bên dưới nhé.")
        texts.append("\n".join(lines))
    elif aspect == "documents":
        docs = list(p.get("documents") or [])
        if not docs:
            texts.append(_missing("giấy tờ cần nộp", p, office))
        else:
            body = [f"📄 Giấy tờ cho: {shorten(name, 120)}"]
            n = 0
            for item in docs:
                if len("\n".join(body)) > 2 * MAX_CHARS - 250:
                    break
                if item.rstrip().endswith(":") and len(item) < 80:
                    body.append(item)  # a heading such as "Giấy tờ phải nộp:"
                    continue
                n += 1
                body.append(f"{n}. {shorten(item, 170)}")
            items = [d for d in docs if not (d.rstrip().endswith(":") and len(d) < 80)]
            if n < len(items):
                body.append(f"…còn {len(items) - n} mục nữa, xem đủ tại: {portal}")
            texts.extend(split_message("\n".join(body))[:3])
    elif aspect == "fees":
        fees_text = _fees_text(p)
        texts.append(f"💰 Lệ phí: {fees_text}" if fees_text else _missing("lệ phí", p, office))
    elif aspect == "time":
        time_text = _time_text(p)
        texts.append(f"⏱ Thời hạn giải quyết: {time_text}" if time_text else _missing("thời hạn giải quyết", p, office))
    elif aspect in ("where", "level"):
        level, source = prov.stated_level(p)
        if reform:
            lines = [prov.reform_caveat(p), "Bạn nộp hồ sơ tại một trong hai nơi:", *prov.two_tier_offices(p)]
        elif source in prov.HEDGED or source == "portal":
            lines = [prov.level_sentence(p)]
            if level != p["level"]:  # the portal's level: its office, if configured
                office = (p.get("contacts") or {}).get(level)
            if office:
                lines += ["Bạn nộp hồ sơ tại:", *office_lines(office)]
            elif "|" in level:  # the portal lists both levels
                lines += ["Tùy trường hợp, bạn nộp hồ sơ tại:", *prov.two_tier_offices(p)]
        else:
            level_word = prov.level_words(level)
            lines = [f"{prov.level_sentence(p)} Bạn nộp hồ sơ tại:", *office_lines(office)]
            if not office:
                lines.append(f"Bộ phận Một cửa {level_word} nơi bạn ở.")
        agency = shorten(p.get("agency") or "", 160)
        if agency:
            lines.append(f"Cơ quan giải quyết: {agency}")
        if prov.online_possible(p):
            lines.append(f"Hoặc nộp online: {portal}")
        texts.append("\n".join(lines))
    elif aspect == "online":
        lines = [prov.online_sentence(p, ONLINE_PLAIN), f"Trang của thủ tục: {portal}"]
        if prov.online_possible(p):
            lines.append("Cần giúp đăng ký tài khoản hay đăng nhập VNeID? Gõ “hướng dẫn dịch vụ công”.")
        texts.append("\n".join(line for line in lines if line))
    elif aspect == "steps":
        items = _steps_items(p.get("steps") or "")
        if not items:
            texts.append(_missing("các bước thực hiện", p, office))
        else:
            body = ["📋 Các bước thực hiện:"] + [shorten(item, 200) for item in items[:6]]
            if len(items) > 6:
                body.append(f"Xem đủ các bước tại: {portal}")
            texts.extend(split_message("\n".join(body))[:2])
    return texts

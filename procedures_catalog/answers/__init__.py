"""Citizen-facing answers, in short plain Vietnamese, built only from catalogue facts.

Every function returns a list of :class:`Reply` — text (never over
:data:`MAX_CHARS` characters), buttons and an optional machine-readable payload —
that the Rasa actions send as they are. Nothing here imports Rasa.

Payload contracts (used by the channels, tests and benchmarks):
    * an answer about a procedure carries ``{"procedure": {"code", "name", "level",
      "online_level", "portal_url"}, "aspect": A}`` with A in :data:`ASPECTS`;
    * a choice question carries ``{"choices": [codes in the order shown]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import provenance as prov
from .records import LEVEL_LABELS, LEVEL_WORDS

MAX_CHARS = 600
ASPECTS = ("overview", "level", "where", "online", "documents", "fees", "time", "steps")
# Who decides a procedure is where a citizen goes: one text ("Thủ tục này do cấp xã giải
# quyết. Bạn nộp hồ sơ tại: …") answers both questions, and the payload says so.
SAME_ANSWER = {"level": "where", "where": "level"}
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

# Buttons for the next question; payloads are Rasa intents.
NEXT_BUTTONS: list[tuple[str, str, str]] = [
    ("documents", "📄 Giấy tờ", "/ask_documents"),
    ("fees", "💰 Lệ phí", "/ask_fees"),
    ("where", "📍 Nộp ở đâu", "/ask_where"),
    ("online", "🌐 Làm online", "/ask_online"),
    ("time", "⏱ Bao lâu", "/ask_time"),
    ("steps", "📋 Các bước", "/ask_steps"),
]
OTHER_BUTTON = {"title": "🔎 Hỏi thủ tục khác", "payload": "/ask_other"}
CARD_BUTTON = {"title": "🖼 Gửi ảnh danh sách", "payload": "/ask_card"}
# Citizens rate an answer; the staff dashboard shows the ratings.
RATING_PROMPT = "Câu trả lời có giúp được bạn không?"
RATING_BUTTONS = [
    {"title": "👍", "payload": '/rate_answer{"rating":"up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating":"down"}'},
]


@dataclass
class Reply:
    """One message: text with optional buttons, or a custom payload."""

    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


def split_message(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters.

    Breaks at blank lines, then lines, then sentence ends, then spaces; a single word
    longer than the limit is cut.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        joiner = "\n" if current else ""
        if len(current) + len(joiner) + len(piece) <= limit:
            current += joiner + piece
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        while len(line) > limit:
            cut = max(line.rfind(". ", 0, limit), line.rfind("; ", 0, limit))
            if cut < limit // 3:
                cut = line.rfind(" ", 0, limit)
            if cut < limit // 3:
                cut = limit - 1
            out.append(line[: cut + 1].strip())
            line = line[cut + 1 :].strip()
        if line:
            out.append(line)
    return out


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary and add an ellipsis if it is longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(",;: ") + "…"


def procedure_payload(p: Mapping[str, Any], aspect: str) -> dict[str, Any]:
    """The custom payload of an answer about ``p``."""
    return {
        "procedure": {
            "code": p["code"],
            "name": p["name"],
            "level": p["level"],
            "online_level": p["online_level"],
            "portal_url": p.get("detail_url") or PORTAL_URL,
        },
        "aspect": aspect,
        "provenance": prov.provenance_of(p),
        "verified_on": p.get("verified_on"),
        "edition": prov.edition_ref(p),
    }


def next_buttons(current: str | Sequence[str] | None, *, card: bool = False) -> list[dict[str, str]]:
    """Buttons for the next questions (the aspects just answered left out), then "other".

    With ``card``, the checklist card's button comes first (after a documents list).
    """
    answered = {current} if isinstance(current, str) or current is None else set(current)
    buttons = [{"title": t, "payload": pl} for a, t, pl in NEXT_BUTTONS if a not in answered][:4]
    if card:
        buttons = [CARD_BUTTON, *buttons[:3]]
    return buttons + [OTHER_BUTTON]


def _office_lines(office: Mapping[str, Any] | None) -> list[str]:
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


def answer(p: Mapping[str, Any], aspect: str, office: Mapping[str, Any] | None = None) -> list[Reply]:
    """Answer one aspect of a procedure (see :func:`answer_aspects`)."""
    return answer_aspects(p, [aspect], office)


def answer_aspects(p: Mapping[str, Any], aspects: Sequence[str],
                   office: Mapping[str, Any] | None = None) -> list[Reply]:
    """Answer one or more aspects of a procedure, naming it so a switch is visible.

    Args:
        p: the procedure as :func:`procedures_catalog.service.procedure_to_dict` gives it.
        aspects: aspects from :data:`ASPECTS`, the one asked first first (unknown
            ones read as ``overview``; duplicates are dropped).
        office: the office for the procedure's level (``Office.as_dict()``), if known.

    Returns:
        The messages to send: the procedure payload first (``aspect`` is the first
        aspect answered; ``aspects`` lists them when there are several), then text
        (no message over :data:`MAX_CHARS`); the last text carries the buttons.
    """
    wanted = list(dict.fromkeys(a if a in ASPECTS else "overview" for a in aspects)) or ["overview"]
    texts: list[str] = []
    for n, aspect in enumerate(wanted):
        if aspect in SAME_ANSWER and SAME_ANSWER[aspect] in wanted[:n]:
            continue  # already answered by its twin's text
        body = _aspect_texts(p, aspect, office)
        if body and n == 0 and not body[0].startswith(("📌", "📄 Giấy tờ cho:")):
            # Every answer names its procedure, so a wrong switch can be seen.
            body[0] = f"📌 {shorten(p['name'], 90)}\n{body[0]}"
        texts.extend(body)
    if prov.reform_applies(p):
        # Once per answer: the caveat with an overview, else a short note (the level
        # and where answers carry the caveat themselves).
        if "overview" in wanted:
            texts.append(prov.reform_caveat(p))
        elif any(a not in ("level", "where") for a in wanted):
            texts.append(prov.reform_note(p))
    fresh = prov.freshness_line(p)
    if fresh and texts:
        texts[-1] = f"{texts[-1]}\n{fresh}"
    for aspect in list(wanted):
        if aspect in SAME_ANSWER and SAME_ANSWER[aspect] not in wanted:
            wanted.append(SAME_ANSWER[aspect])
    payload = procedure_payload(p, wanted[0])
    if len(wanted) > 1:
        payload["aspects"] = wanted
    replies = [Reply(custom=payload)]
    # Office details and agencies vary in length: no message may pass MAX_CHARS.
    replies += [Reply(text=part) for t in texts if t for part in split_message(t)]
    # Next questions, then 👍/👎, and "another procedure" last (Zalo, which shows five
    # buttons at most, sends the 👍/👎 in a message of their own).
    buttons = next_buttons(wanted, card="documents" in wanted and bool(p.get("documents")))
    replies[-1].buttons = buttons[:-1] + RATING_BUTTONS + buttons[-1:]
    return replies


def _aspect_texts(p: Mapping[str, Any], aspect: str, office: Mapping[str, Any] | None) -> list[str]:
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
                lines += ["Bạn nộp hồ sơ tại:", *_office_lines(office)]
            elif "|" in level:  # the portal lists both levels
                lines += ["Tùy trường hợp, bạn nộp hồ sơ tại:", *prov.two_tier_offices(p)]
        else:
            level_word = prov.level_words(level)
            lines = [f"{prov.level_sentence(p)} Bạn nộp hồ sơ tại:", *_office_lines(office)]
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


def _choice_button(n: int, hit: Mapping[str, Any]) -> dict[str, str]:
    """The numbered button that picks ``hit`` (a choice question or the alternatives)."""
    return {"title": f"{n}. {shorten(hit['name'], 60)}",
            "payload": "/choose_procedure" + json.dumps({"procedure_code": hit["code"]})}


def choice_question(hits: Sequence[Mapping[str, Any]], intro: str | None = None) -> list[Reply]:
    """Ask which of the top procedures the citizen means (buttons + payload)."""
    shown = list(hits)[:3]
    lines = [intro or "Bạn hỏi thủ tục nào? Bấm chọn, hoặc gõ số (1, 2, 3):"]
    buttons = []
    for n, hit in enumerate(shown, 1):
        # The district level ended on 1 July 2025: never state it as today's office.
        level = ("trước 7/2025 thuộc cấp huyện" if hit["level"] == "huyen"
                 else LEVEL_WORDS.get(hit["level"], hit["level"]))
        lines.append(f"{n}. {shorten(hit['name'], 150)} ({level})")
        buttons.append(_choice_button(n, hit))
    buttons.append({"title": "Không phải các thủ tục trên", "payload": "/ask_other"})
    text = "\n".join(lines)
    if len(text) > MAX_CHARS:
        text = shorten(text, MAX_CHARS)
    return [Reply(custom={"choices": [h["code"] for h in shown]}), Reply(text=text, buttons=buttons)]


def alternatives(hits: Sequence[Mapping[str, Any]]) -> list[Reply]:
    """Under an answer the search was not sure of: the next procedures, one tap away."""
    shown = list(hits)[:2]
    if not shown:
        return []
    buttons = [_choice_button(n, hit) for n, hit in enumerate(shown, 1)]
    return [Reply(custom={"choices": [h["code"] for h in shown]}),
            Reply(text="Nếu không đúng thủ tục bạn cần, có thể là:", buttons=buttons)]


def _n(value: int) -> str:
    """A count the Vietnamese way (1.787)."""
    return f"{value:,}".replace(",", ".")


def stats_answer(stats: Mapping[str, Any], *, level: str | None = None, online: str | None = None,
                 field_name: str | None = None, field_count: int | None = None,
                 edition: Mapping[str, Any] | None = None) -> list[Reply]:
    """Figures from the catalogue: totals, by level, by online level (or one field).

    With ``edition`` (the edition in force) the figures say which list they count.
    """
    total = stats["total"]
    if field_name is not None and field_count is not None:
        text = f"Lĩnh vực “{field_name}” có {_n(field_count)} thủ tục (trên tổng số {_n(total)})."
    elif level:
        n = stats["by_level"].get(level, 0)
        text = f"{LEVEL_LABELS[level]} có {_n(n)} thủ tục (trên tổng số {_n(total)})."
    elif online:
        n = stats["by_online_level"].get(online, 0)
        label = {"toan_trinh": "làm online toàn trình", "mot_phan": "làm online một phần",
                 "thong_tin": "chỉ cung cấp thông tin trên mạng"}[online]
        text = f"Có {_n(n)} thủ tục {label} (trên tổng số {_n(total)})."
    else:
        bl, bo = stats["by_level"], stats["by_online_level"]
        text = (
            f"Tỉnh có {_n(total)} thủ tục hành chính:\n"
            f"• Cấp tỉnh {_n(bl.get('tinh', 0))}, cấp huyện {_n(bl.get('huyen', 0))}, "
            f"cấp xã {_n(bl.get('xa', 0))}\n"
            f"• Online toàn trình {_n(bo.get('toan_trinh', 0))}, online một phần "
            f"{_n(bo.get('mot_phan', 0))}, chỉ thông tin {_n(bo.get('thong_tin', 0))}"
        )
    fresh = prov.freshness_line({"edition": edition}) if edition else ""
    if fresh:
        text += "\n" + fresh.removesuffix("; chưa được cán bộ kiểm tra lại.").rstrip(".") + "."
    return [Reply(text=text, buttons=[OTHER_BUTTON])]


def ask_which() -> list[Reply]:
    """Ask the citizen to name or describe the procedure."""
    return [Reply(text=(
        "Bạn muốn hỏi thủ tục nào? Gõ tên thủ tục hoặc kể việc bạn cần làm, "
        "ví dụ: “làm căn cước cho con”, “sang tên sổ đỏ”, “mở quán tạp hóa”."
    ))]


def not_found() -> list[Reply]:
    """The search found nothing worth offering."""
    return [Reply(text=(
        "Mình chưa tìm ra thủ tục hợp với câu hỏi của bạn. Bạn kể rõ hơn việc cần làm "
        "nhé, ví dụ: “làm giấy khai sinh cho con”, “xin giấy phép cất nhà”."
    ), buttons=[
        {"title": "💻 Hướng dẫn dịch vụ công", "payload": "/portal_help"},
        {"title": "☎ Gặp cán bộ", "payload": "/human_handoff"},
    ])]


def not_understood() -> list[Reply]:
    """The first misunderstanding: say so kindly and show what the bot can do."""
    return [Reply(text=(
        "Xin lỗi, mình chưa hiểu ý bạn. Mình giúp được về thủ tục hành chính: giấy tờ, "
        "lệ phí, nộp ở đâu, làm online. Bạn nói lại giúp mình nhé?"
    ), buttons=[
        {"title": "🔎 Hỏi một thủ tục", "payload": "/ask_other"},
        {"title": "💻 Hướng dẫn dịch vụ công", "payload": "/portal_help"},
        {"title": "☎ Gặp cán bộ", "payload": "/human_handoff"},
    ])]


def handoff(offices: Mapping[str, Mapping[str, Any]], *, after_misunderstanding: bool = False,
            level: str | None = None) -> list[Reply]:
    """Offer a person: the hotline and the office for the level (or the commune desk)."""
    hotline = offices.get("hotline")
    if level not in ("tinh", "xa"):
        level = None  # no district desks since the 2025 reform: the commune desk helps
    office = offices.get(level or "xa") or offices.get("xa")
    lines = [
        "Mình chưa giúp được bạn, xin lỗi nhé. Bạn liên hệ cán bộ để được hướng dẫn trực tiếp:"
        if after_misunderstanding
        else "Dạ, bạn liên hệ cán bộ để được hướng dẫn trực tiếp:"
    ]
    if hotline:
        phone = hotline.get("phone") or ""
        hours = f" ({hotline['hours']})" if hotline.get("hours") else ""
        lines.append(f"☎ {hotline['name']}: {phone}{hours}".strip())
        if hotline.get("is_sample"):
            lines.append(prov.SAMPLE_PHONE)
    if office:
        lines.extend(_office_lines(office))
    contacts = {key: dict(value) for key, value in offices.items()
                if key in ("hotline", level or "xa")}
    return [Reply(custom={"handoff": contacts}),
            Reply(text=shorten("\n".join(lines), MAX_CHARS) if len("\n".join(lines)) > MAX_CHARS else "\n".join(lines),
                  buttons=[OTHER_BUTTON])]

"""Replies about no one procedure: catalogue figures, asking which one, "not found",
"not understood" and the offer of a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import provenance as prov
from ..records import LEVEL_LABELS
from .aspect_texts import office_lines
from .buttons import OTHER_BUTTON
from .messages import MAX_CHARS, Reply, shorten


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
        lines.extend(office_lines(office))
    contacts = {key: dict(value) for key, value in offices.items()
                if key in ("hotline", level or "xa")}
    return [Reply(custom={"handoff": contacts}),
            Reply(text=shorten("\n".join(lines), MAX_CHARS) if len("\n".join(lines)) > MAX_CHARS else "\n".join(lines),
                  buttons=[OTHER_BUTTON])]

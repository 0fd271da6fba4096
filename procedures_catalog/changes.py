"""Answers to "Thủ tục này có gì thay đổi?" and "từ khi sáp nhập thì làm ở đâu?".

Built only from the difference between the edition in force and the one before it
(:func:`procedures_catalog.editions.procedure_changes`) and the dated reform facts of
the province file; with a single edition nothing is claimed about what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import provenance as prov
from .answers import OTHER_BUTTON, Reply, procedure_payload, shorten, split_message
from .province import province
from .records import ONLINE_SHORT

_FIELD_LABELS = {"level": "Nơi giải quyết", "online_level": "Làm online", "fees": "Lệ phí",
                 "processing_time": "Thời hạn", "name": "Tên thủ tục"}


def _value(field: str, value: Any) -> str:
    if field == "level":
        return prov.level_words(str(value or ""))
    if field == "online_level":
        return ONLINE_SHORT.get(str(value or ""), str(value or ""))
    return shorten(str(value or "") or "(chưa ghi)", 90)


def _edition(e: Mapping[str, Any]) -> str:
    return f"danh mục {e['name']} (từ {prov.vn_date(e['effective_from'])})"


def merger_facts() -> str:
    """What is certain about the 2025 merger and the two-tier set-up."""
    facts = province()
    former = " và ".join(facts.former_names) or facts.name
    units = sum(facts.units.values())
    return (f"Từ {prov.vn_date(facts.merged_on)}, {former} hợp thành tỉnh {facts.name}"
            + (f" ({units} xã, phường)" if units else "")
            + f"; chính quyền còn hai cấp là tỉnh và xã/phường, không còn cấp huyện. "
            f"Nộp online qua {facts.portal_host}.")


def changes_answer(p: Mapping[str, Any], changes: Mapping[str, Any], *,
                   merger: bool = False) -> list[Reply]:
    """What changed for one procedure between the last two editions.

    Args:
        p: the procedure as :meth:`Catalog.procedure_facts` gives it.
        changes: :func:`procedures_catalog.editions.procedure_changes` for it.
        merger: the question was about the 2025 merger ("từ khi sáp nhập…").
    """
    lines = [f"🔄 {shorten(p['name'], 150)}"]
    status = changes["status"]
    current: Mapping[str, Any] = changes.get("current") or {}
    before: Mapping[str, Any] = changes.get("previous") or {}
    if status in ("no_editions", "first_edition"):
        if current:
            lines.append(f"Mình chỉ có {_edition(current)}, chưa có danh mục mới hơn để so sánh, "
                         f"nên chưa biết thủ tục này thay đổi gì.")
        if merger or prov.reform_applies(p):
            lines.append(merger_facts())
        lines.append(prov.reform_caveat(p) if prov.reform_applies(p) else prov.level_sentence(p))
        if not prov.reform_applies(p):
            lines.append(prov.check_where(p))
    elif status == "added":
        lines.append(f"Thủ tục này mới có trong {_edition(current)}; {_edition(before)} chưa có.")
    elif status == "unchanged":
        lines.append(f"{_edition(current).capitalize()} giữ nguyên nơi giải quyết, mức làm online, "
                     f"lệ phí và thời hạn so với {_edition(before)}.")
        if merger:
            lines.append(merger_facts())
    else:
        lines.append(f"So với {_edition(before)}, {_edition(current)} thay đổi:")
        for ch in changes["changes"]:
            lines.append(f"• {_FIELD_LABELS.get(ch['field'], ch['field'])}: "
                         f"{_value(ch['field'], ch['old'])} → {_value(ch['field'], ch['new'])}")
        if merger:
            lines.append(merger_facts())
    fresh = prov.freshness_line(p)
    if fresh:
        lines.append(fresh)
    replies = [Reply(custom=procedure_payload(p, "changes"))]
    replies += [Reply(text=part) for part in split_message("\n".join(lines))]
    replies[-1].buttons = [{"title": "📍 Nộp ở đâu", "payload": "/ask_where"}, OTHER_BUTTON]
    return replies


def merger_answer() -> list[Reply]:
    """The merger question with no procedure named: the certain facts and how to ask."""
    text = (merger_facts() + " Bạn hỏi về thủ tục nào? Gõ tên thủ tục, mình xem danh mục "
            "có ghi thay đổi gì không.")
    return [Reply(text=text, buttons=[OTHER_BUTTON])]

"""Read-only lists: every alias, the audit trail, and what citizens asked.
"""

from __future__ import annotations

from typing import Any

from procedures_catalog.answers import shorten
from procedures_catalog.models import Alias, AuditEntry, Turn

from ..i18n import ACTION_LABELS, CHANNEL_LABELS, FIELD_LABELS, OUTCOME_LABELS
from .base import StaffModelView, VietnameseFilter


def _alias_procedure(model: Any, attribute: Any) -> str:
    p = model.procedure
    return f"{p.code} — {shorten(p.name, 70)}" if p else ""


class AliasView(StaffModelView, model=Alias):
    """Every alias, searchable; they are added and removed from a procedure's page."""

    name = "tên gọi khác"
    name_plural = "Tên gọi khác"
    icon = "fa-solid fa-tags"
    can_edit = False
    column_list = [Alias.text, Alias.procedure, Alias.origin, Alias.created_by, Alias.created_at]
    column_details_list = [Alias.text, Alias.procedure, Alias.origin, Alias.created_by, Alias.created_at]
    column_searchable_list = [Alias.text]
    column_sortable_list = [Alias.text, Alias.created_at]
    column_default_sort = [(Alias.created_at, True)]
    column_formatters = {Alias.procedure: _alias_procedure}
    column_formatters_detail = {Alias.procedure: _alias_procedure}
    column_labels = {**FIELD_LABELS, "text": "Tên gọi", "procedure": "Thủ tục", "origin": "Nguồn",
                     "created_by": "Người thêm"}

    def search_placeholder(self) -> str:
        return "tên gọi"


class AuditView(StaffModelView, model=AuditEntry):
    """The audit trail of every change, newest first."""

    name = "thay đổi"
    name_plural = "Nhật ký thay đổi"
    icon = "fa-solid fa-clock-rotate-left"
    can_edit = False
    column_list = [AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity_key,
                   AuditEntry.field, AuditEntry.reason]
    column_details_list = [AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
                           AuditEntry.entity_key, AuditEntry.field, AuditEntry.old_value,
                           AuditEntry.new_value, AuditEntry.reason, AuditEntry.batch]
    column_searchable_list = [AuditEntry.entity_key, AuditEntry.actor, AuditEntry.reason]
    column_sortable_list = [AuditEntry.at, AuditEntry.actor]
    column_default_sort = [(AuditEntry.id, True)]
    column_filters = [VietnameseFilter(AuditEntry.action, list(ACTION_LABELS.items()), title="Thao tác")]
    column_formatters = {
        AuditEntry.action: lambda m, a: ACTION_LABELS.get(m.action, m.action),
        AuditEntry.field: lambda m, a: FIELD_LABELS.get(m.field, m.field),
        AuditEntry.reason: lambda m, a: shorten(m.reason or "", 80),
    }
    column_labels = {"at": "Lúc", "actor": "Người thực hiện", "action": "Thao tác", "entity": "Loại",
                     "entity_key": "Mã", "field": "Trường", "old_value": "Giá trị cũ",
                     "new_value": "Giá trị mới", "reason": "Lý do", "batch": "Đợt nhập"}

    def search_placeholder(self) -> str:
        return "mã thủ tục, người thực hiện, lý do"


class TurnView(StaffModelView, model=Turn):
    """What citizens asked (personal data masked) and what the assistant did."""

    name = "câu hỏi"
    name_plural = "Câu hỏi của người dân"
    icon = "fa-solid fa-comments"
    can_edit = False
    column_list = [Turn.at, Turn.channel, Turn.text, Turn.outcome, Turn.procedure_code, Turn.score]
    column_details_list = [Turn.at, Turn.channel, Turn.conversation, Turn.text, Turn.intent,
                           Turn.intent_confidence, Turn.outcome, Turn.procedure_code, Turn.score,
                           Turn.aspect]
    column_searchable_list = [Turn.text, Turn.procedure_code]
    column_sortable_list = [Turn.at, Turn.score]
    column_default_sort = [(Turn.at, True)]
    column_filters = [VietnameseFilter(Turn.outcome, list(OUTCOME_LABELS.items()), title="Kết quả")]
    column_formatters = {
        Turn.outcome: lambda m, a: OUTCOME_LABELS.get(m.outcome, m.outcome),
        Turn.channel: lambda m, a: CHANNEL_LABELS.get(m.channel, m.channel),
        Turn.text: lambda m, a: shorten(m.text or "", 90),
        Turn.score: lambda m, a: "" if m.score is None else f"{m.score:.2f}",
    }
    column_labels = {"at": "Lúc", "channel": "Kênh", "conversation": "Cuộc trò chuyện (đã mã hóa)",
                     "text": "Câu hỏi (đã che dữ liệu cá nhân)", "intent": "Ý định", "intent_confidence":
                     "Độ tin cậy ý định", "outcome": "Kết quả", "procedure_code": "Thủ tục",
                     "score": "Độ khớp", "aspect": "Nội dung hỏi"}

    def search_placeholder(self) -> str:
        return "nội dung câu hỏi, mã thủ tục"

"""The workspace's pages: sqladmin model views plus the catalogue's own pages.

Lists, details, filters and edit forms come from sqladmin; every change is written
through :class:`procedures_catalog.service.Catalog` (``set_field``, ``add_alias``,
``set_office``, ``set_status``, ``import_records``), never by sqladmin's generic
CRUD, so each one lands in the audit trail with who, when and why.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from markupsafe import Markup
from sqladmin import BaseView, ModelView, expose
from sqladmin.authorization import Action, AuthorizationBackend
from sqladmin.filters import StaticValuesFilter
from sqladmin.flash import Flash
from sqlalchemy import Select, case, false
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from procedures_catalog import dashboard as dash
from procedures_catalog.answers import shorten
from procedures_catalog.cleaning import join_documents
from procedures_catalog.masking import MASKS
from procedures_catalog.models import Alias, AuditEntry, Office, Procedure, Turn
from procedures_catalog.records import EDITABLE_FIELDS, LEVEL_LABELS, ONLINE_LABELS, CatalogError
from procedures_catalog.service import OFFICE_FIELDS, Catalog, FieldChange, ImportPlan

from . import charts
from .dates import local_time, short_day
from .errors import error_vi, field_vi
from .i18n import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    FIELD_LABELS,
    LEVEL_CHOICES,
    OFFICE_NAMES,
    ONLINE_CHOICES,
    OUTCOME_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    WTFormsTranslations,
)
from .security import CSRF_FIELD, ContextCSRF, current_user, require_editor

IMPORT_SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".json", ".jsonl")
IMPORT_DIR = Path(tempfile.gettempdir()) / "tthc-staff-imports"
PREVIEW_ROWS = 100


def catalog_of(request: Request) -> Catalog:
    """The catalogue the app serves (put on the app's state by ``create_app``)."""
    return request.app.state.catalog  # type: ignore[no-any-return]


class ChangeRefused(Exception):
    """A change staff asked for was refused; the message is Vietnamese, for them."""


# --------------------------------------------------------------------------- auth


class RoleAuthorization(AuthorizationBackend):
    """Viewers read (lists, details, export); editors may also change."""

    READ = frozenset({Action.LIST, Action.DETAILS, Action.EXPORT})

    def has_permission(self, request: Request, identity: str, action: str, obj: Any = None) -> bool:
        user = current_user(request)
        if user is None:
            return False
        return action in self.READ or user.is_editor


class StaffForm(Form):
    """Base of every edit form: CSRF token, Vietnamese messages, a required reason."""

    class Meta:
        csrf = True
        csrf_class = ContextCSRF
        csrf_field_name = CSRF_FIELD

        def get_translations(self, form: Any) -> WTFormsTranslations:
            return WTFormsTranslations()

    reason = TextAreaField(
        FIELD_LABELS["reason"],
        validators=[InputRequired(message="Cần ghi lý do thay đổi."), Length(max=500)],
        description="Bắt buộc. Ghi rõ vì sao sửa, ví dụ: “theo Quyết định 123/QĐ-UBND ngày 01/03/2025”. "
                    "Lý do được lưu trong lịch sử thay đổi.",
        render_kw={"rows": 2},
    )


class VietnameseFilter(StaticValuesFilter):
    """A fixed-values filter whose "all" entry is Vietnamese."""

    async def lookups(self, request: Request, model: Any, run_query: Any) -> list[tuple[str, str]]:
        return [("__all", "Tất cả"), *self.values]


def _datetime(value: datetime) -> Markup:
    return Markup('<span class="text-nowrap">{}</span>').format(local_time(value))


class StaffModelView(ModelView):
    """Defaults shared by the workspace's model views."""

    form_base_class = StaffForm
    can_create = False
    can_delete = False
    can_export = False
    page_size = 25
    page_size_options = [25, 50, 100]
    search_auto_submit = False
    column_type_formatters = {**ModelView.column_type_formatters, datetime: _datetime}
    column_labels: ClassVar[dict[Any, str]] = dict(FIELD_LABELS)


# --------------------------------------------------------------------------- procedures


def _level(model: Any, attribute: Any) -> str:
    return LEVEL_LABELS.get(model.level, model.level)


def _online(model: Any, attribute: Any) -> str:
    return ONLINE_LABELS.get(model.online_level, model.online_level)


def _status(model: Any, attribute: Any) -> Markup:
    color = "green" if model.status == "active" else "secondary"
    return Markup('<span class="badge bg-{}-lt">{}</span>').format(
        color, STATUS_LABELS.get(model.status, model.status))


def _short_name(model: Any, attribute: Any) -> Markup:
    return Markup('<span title="{}">{}</span>').format(model.name, shorten(model.name, 60))


_CODE_QUERY = re.compile(r"^\d[\d.]*$")


class ProcedureView(StaffModelView, model=Procedure):
    """Procedures: search as the bot does, read, edit with a reason, aliases, history."""

    name = "thủ tục"
    name_plural = "Thủ tục hành chính"
    icon = "fa-solid fa-file-lines"
    column_list = [Procedure.code, Procedure.name, Procedure.level, Procedure.online_level, Procedure.status]
    column_searchable_list = [Procedure.name, Procedure.code]
    column_sortable_list = [Procedure.code, Procedure.name, Procedure.level, Procedure.online_level,
                            Procedure.updated_at]
    column_default_sort = [(Procedure.code, False)]
    column_filters = [
        VietnameseFilter(Procedure.level, LEVEL_CHOICES, title="Cấp"),
        VietnameseFilter(Procedure.online_level, ONLINE_CHOICES, title="Mức độ"),
        VietnameseFilter(Procedure.status, list(STATUS_LABELS.items()), title="Trạng thái"),
    ]
    column_formatters = {Procedure.level: _level, Procedure.online_level: _online,
                         Procedure.status: _status, Procedure.name: _short_name}
    column_details_list = ["code", *EDITABLE_FIELDS, "aliases", "source", "status", "updated_at"]
    form_columns = list(EDITABLE_FIELDS)
    form_overrides = {"level": SelectField, "online_level": SelectField, "documents": TextAreaField,
                      "detail_url": StringField, "level_source": StringField,
                      "online_source": StringField, "level_portal": StringField,
                      "online_portal": StringField}
    form_args = {
        "name": {"validators": [InputRequired(message="Tên thủ tục không được để trống.")]},
        "level": {"choices": LEVEL_CHOICES,
                  "validators": [InputRequired(message="Chọn cấp thực hiện.")]},
        "online_level": {"choices": ONLINE_CHOICES,
                         "validators": [InputRequired(message="Chọn mức độ trực tuyến.")]},
        "documents": {"description": "Mỗi dòng một giấy tờ, bắt đầu bằng “- ”."},
        "fees": {"description": "Bot trả lời lệ phí bằng đúng nội dung này."},
    }
    form_widget_args = {
        "name": {"rows": 2}, "documents": {"rows": 10}, "steps": {"rows": 8},
        "fees": {"rows": 3}, "processing_time": {"rows": 2}, "legal_basis": {"rows": 5},
        "requirements": {"rows": 4}, "result": {"rows": 2}, "agency": {"rows": 2},
        "issuing_body": {"rows": 2}, "field": {"rows": 1},
    }
    edit_template = "staff/procedure_edit.html"
    details_template = "staff/procedure_details.html"

    def search_placeholder(self) -> str:
        return "gõ như người dân hỏi (vd: làm giấy khai sinh cho con) hoặc mã thủ tục"

    def search_query(self, stmt: Select, term: str) -> Select:
        """Rank by the assistant's own search, so staff see what citizens get."""
        term = term.strip()
        if _CODE_QUERY.match(term):
            return stmt.where(Procedure.code.startswith(term))
        hits = Catalog(self.session_maker.kw["bind"]).search(term, limit=30)
        codes: list[str] = []
        for hit in hits:
            # Same-named procedures at other levels ("also") follow their group's hit.
            for code in (hit.code, *(str(other.get("code")) for other in hit.also)):
                if code not in codes:
                    codes.append(code)
        if not codes:
            return stmt.where(false())
        rank = case({code: i for i, code in enumerate(codes)}, value=Procedure.code)
        return stmt.where(Procedure.code.in_(codes)).order_by(None).order_by(rank)

    async def get_form_data_for_edit(self, obj: Any) -> dict[str, Any]:
        data = await super().get_form_data_for_edit(obj)
        data["documents"] = join_documents(list(obj.documents or []))
        return data

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        """Apply the changed fields through the catalogue, all checked first, one reason."""
        user = require_editor(request)
        reason = str(data.get("reason") or "").strip()
        if not reason:
            raise ChangeRefused("Cần ghi lý do thay đổi.")
        catalog = catalog_of(request)

        def apply() -> tuple[str, list[str]]:
            with catalog.session() as s:
                p = s.get(Procedure, int(pk))
                if p is None:
                    raise ChangeRefused("Không tìm thấy thủ tục này.")
                current = {f: getattr(p, f) for f in EDITABLE_FIELDS}
                code = p.code
            changes: list[tuple[str, Any]] = []
            problems: list[str] = []
            for f in EDITABLE_FIELDS:
                if f not in data:
                    continue
                try:
                    new = Catalog.validate_value(f, data[f])
                except CatalogError as exc:
                    problems.append(f"{field_vi(f)}: {error_vi(exc)}")
                    continue
                try:
                    old = Catalog.validate_value(f, current[f])
                except CatalogError:
                    old = current[f]
                if new != old and new != current[f]:
                    changes.append((f, new))
            if problems:
                raise ChangeRefused("Chưa lưu. " + " ".join(problems))
            # One transaction and one audit group: a failure midway saves nothing.
            return code, catalog.set_fields(code, dict(changes), by=user.username, reason=reason)

        code, changed = await run_in_threadpool(apply)
        if changed:
            labels = ", ".join(FIELD_LABELS.get(f, f) for f in changed)
            Flash.success(request, f"Đã lưu thủ tục {code}: {labels}. Trợ lý dùng nội dung mới ngay.")
        else:
            Flash.info(request, f"Thủ tục {code}: không có gì thay đổi.")
        with catalog.session() as s:
            return s.get(Procedure, int(pk))

    async def details_context(self, request: Request) -> dict[str, Any]:
        return {"status_labels": STATUS_LABELS, "level_labels": LEVEL_LABELS,
                "online_labels": ONLINE_LABELS, "field_labels": FIELD_LABELS}

    @expose("/history/{code}")
    async def history(self, request: Request) -> Response:
        """Who changed what, when and why (procedure and its aliases)."""
        catalog = catalog_of(request)
        code = request.path_params["code"]
        procedure = await run_in_threadpool(catalog.get, code)
        if procedure is None:
            raise HTTPException(404, detail="Không có thủ tục này.")
        entries = await run_in_threadpool(catalog.history, code)
        rows = [{
            "at": local_time(e.at, with_seconds=True), "actor": e.actor,
            "action": ACTION_LABELS.get(e.action, e.action),
            "field": FIELD_LABELS.get(e.field, e.field) if e.field else "",
            "old": e.old_value, "new": e.new_value, "reason": e.reason, "batch": e.batch,
        } for e in reversed(entries)]
        return await self.templates.TemplateResponse(request, "staff/history.html", {
            "title": f"Lịch sử thay đổi — {procedure.code}", "procedure": procedure,
            "rows": rows, "model_view": self,
        })

    @expose("/aliases/{code}", methods=["POST"])
    async def aliases(self, request: Request) -> Response:
        """Add or remove one alias (with a reason)."""
        user = require_editor(request)
        catalog = catalog_of(request)
        code = request.path_params["code"]
        form = await request.form()
        text, reason = str(form.get("text") or "").strip(), str(form.get("reason") or "").strip()
        op = str(form.get("op") or "add")
        procedure = await run_in_threadpool(catalog.get, code)
        if procedure is None:
            raise HTTPException(404, detail="Không có thủ tục này.")
        try:
            if not reason:
                raise ChangeRefused("Cần ghi lý do thay đổi.")
            if op == "remove":
                done = await run_in_threadpool(
                    lambda: catalog.remove_alias(code, text, by=user.username, reason=reason))
                message = f"Đã bỏ tên gọi “{text}”." if done else f"Thủ tục không có tên gọi “{text}”."
            else:
                _check_alias_text(text)
                done = await run_in_threadpool(
                    lambda: catalog.add_alias(code, text, by=user.username, reason=reason))
                message = f"Đã thêm tên gọi “{text}”." if done else f"Thủ tục đã có tên gọi “{text}”."
            (Flash.success if done else Flash.info)(request, message)
        except (ChangeRefused, CatalogError) as exc:
            Flash.error(request, str(exc) if isinstance(exc, ChangeRefused) else error_vi(exc))
        return RedirectResponse(request.url_for("admin:details", identity=self.identity,
                                                pk=str(procedure.id)), status_code=303)

    @expose("/status/{code}", methods=["POST"])
    async def status(self, request: Request) -> Response:
        """Retire a procedure (kept in history) or restore it, with a reason."""
        user = require_editor(request)
        catalog = catalog_of(request)
        code = request.path_params["code"]
        form = await request.form()
        status, reason = str(form.get("status") or ""), str(form.get("reason") or "").strip()
        procedure = await run_in_threadpool(catalog.get, code)
        if procedure is None:
            raise HTTPException(404, detail="Không có thủ tục này.")
        try:
            changed = await run_in_threadpool(
                lambda: catalog.set_status(code, status, by=user.username, reason=reason))
            label = STATUS_LABELS.get(status, status).lower()
            Flash.success(request, f"Thủ tục {code}: {label}." if changed else f"Thủ tục {code} vốn đã {label}.")
        except CatalogError as exc:
            Flash.error(request, error_vi(exc))
        return RedirectResponse(request.url_for("admin:details", identity=self.identity,
                                                pk=str(procedure.id)), status_code=303)


def _check_alias_text(text: str) -> None:
    if not text.strip():
        raise ChangeRefused("Tên gọi khác không được để trống.")
    if any(mask in text for mask in MASKS):
        raise ChangeRefused("Bỏ phần dữ liệu cá nhân đã che (như [SĐT]) khỏi tên gọi trước khi thêm.")
    if len(text) > 200:
        raise ChangeRefused("Tên gọi khác dài quá 200 ký tự.")


# --------------------------------------------------------------------------- offices


def _office_key(model: Any, attribute: Any) -> str:
    return OFFICE_NAMES.get(model.key, model.key)


class OfficeView(StaffModelView, model=Office):
    """Where citizens go for each level, and the hotline; edited with a reason."""

    name = "nơi tiếp nhận"
    name_plural = "Nơi tiếp nhận hồ sơ"
    icon = "fa-solid fa-building"
    column_list = [Office.key, Office.name, Office.address, Office.hours, Office.phone, Office.is_sample]
    column_details_list = [Office.key, *OFFICE_FIELDS, Office.updated_at]
    column_formatters = {Office.key: _office_key}
    column_formatters_detail = {Office.key: _office_key}
    form_columns = list(OFFICE_FIELDS)
    form_overrides = {"phone": StringField, "email": StringField, "website": StringField}
    form_args = {"name": {"validators": [InputRequired(message="Tên nơi tiếp nhận không được để trống.")]},
                 "is_sample": {"description": "Bot nhắc người dân gọi hỏi trước khi đi."}}
    form_widget_args = {"name": {"rows": 2}, "address": {"rows": 2}, "hours": {"rows": 2}, "note": {"rows": 2}}
    edit_template = "staff/edit.html"

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        user = require_editor(request)
        reason = str(data.get("reason") or "").strip()
        catalog = catalog_of(request)

        def apply() -> list[str]:
            with catalog.session() as s:
                office = s.get(Office, int(pk))
                if office is None:
                    raise ChangeRefused("Không tìm thấy nơi tiếp nhận này.")
                key = office.key
            changed = []
            for f in OFFICE_FIELDS:
                if f in data and catalog.set_office(key, f, data[f], by=user.username, reason=reason):
                    changed.append(f)
            return changed

        try:
            changed = await run_in_threadpool(apply)
        except CatalogError as exc:
            raise ChangeRefused(error_vi(exc)) from exc
        if changed:
            Flash.success(request, "Đã lưu: " + ", ".join(FIELD_LABELS.get(f, f) for f in changed) + ".")
        else:
            Flash.info(request, "Không có gì thay đổi.")
        with catalog.session() as s:
            return s.get(Office, int(pk))


# --------------------------------------------------------------------------- read-only logs


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


# --------------------------------------------------------------------------- dashboard


class DashboardView(BaseView):
    """What citizens ask: volumes, outcomes, ratings, and questions to fix."""

    name = "Tổng quan"
    icon = "fa-solid fa-chart-column"

    @expose("/dashboard", identity="dashboard")
    async def dashboard(self, request: Request) -> Response:
        try:
            days = min(max(int(request.query_params.get("ngay", 30)), 1), 365)
        except ValueError:
            days = 30
        catalog = catalog_of(request)
        board = await run_in_threadpool(dash.build, catalog.engine, days=days)
        suggestions = await run_in_threadpool(_suggestions, catalog, board.questions)
        channels = list(board.per_channel)
        days_list = list(board.per_day)
        per_day_chart = charts.stacked_columns(
            [short_day(d) for d in days_list],
            [(CHANNEL_LABELS.get(ch, ch), [board.per_day_channel[d].get(ch, 0) for d in days_list])
             for ch in channels] or [("Câu hỏi", [0] * len(days_list))],
            title=f"Số câu hỏi mỗi ngày theo kênh, {days} ngày gần nhất",
        )
        outcome_chart = charts.donut(
            [(CATEGORY_LABELS[k], board.categories.get(k, 0), color) for k, color in
             zip(dash.CATEGORIES, ("#2fb344", "#f59f00", "#d63939", "#206bc4"))],
            title="Tỉ lệ trả lời được, chưa chắc, không trả lời được, chuyển cán bộ",
            center=charts.number(board.total),
        )
        ratings_chart = charts.donut(
            [("Hữu ích", board.ratings.get("up", 0), "#2fb344"),
             ("Chưa được", board.ratings.get("down", 0), "#d63939")],
            title="Đánh giá của người dân", center=charts.number(sum(board.ratings.values())),
        )
        reasons_chart = charts.horizontal_bars(
            [(REASON_LABELS.get(k, k), v) for k, v in sorted(board.rating_reasons.items(), key=lambda kv: -kv[1])],
            title="Lý do chưa hài lòng", color="#d63939", unit="lượt", width=470, label_chars=24,
        )
        top_chart = charts.horizontal_bars(
            [(f"{t['code']} · {t['name']}", t["count"]) for t in board.top_procedures],
            title="Thủ tục được hỏi nhiều nhất",
        )
        return await self.templates.TemplateResponse(request, "staff/dashboard.html", {
            "title": "Tổng quan: người dân hỏi gì", "board": board, "days": days,
            "per_day_chart": per_day_chart, "outcome_chart": outcome_chart,
            "ratings_chart": ratings_chart, "reasons_chart": reasons_chart, "top_chart": top_chart,
            "suggestions": suggestions, "channel_labels": CHANNEL_LABELS,
            "outcome_labels": OUTCOME_LABELS, "category_labels": CATEGORY_LABELS,
            "percent": charts.percent, "number": charts.number, "local_time": local_time,
            "low_score": dash.LOW_SCORE, "user": current_user(request),
        })

    @expose("/dashboard/alias", methods=["POST"], identity="dashboard_alias")
    async def dashboard_alias(self, request: Request) -> Response:
        """One step: a citizen's wording becomes an alias of the right procedure."""
        user = require_editor(request)
        catalog = catalog_of(request)
        form = await request.form()
        text = str(form.get("text") or "").strip()
        code = str(form.get("other_code") or "").strip() or str(form.get("code") or "").strip()
        reason = str(form.get("reason") or "").strip()
        back = str(request.url_for("admin:view-dashboard"))
        if str(form.get("ngay") or "").isdigit():
            back += f"?ngay={form.get('ngay')}"
        try:
            if not code:
                raise ChangeRefused("Chọn thủ tục đúng cho câu hỏi này.")
            if not reason:
                raise ChangeRefused("Cần ghi lý do thay đổi.")
            _check_alias_text(text)
            added = await run_in_threadpool(
                lambda: catalog.add_alias(code, text, by=user.username, reason=reason, origin="dashboard"))
            if added:
                Flash.success(request, f"Đã thêm “{text}” làm tên gọi khác của thủ tục {code}. "
                                       "Trợ lý hiểu câu này ngay.")
            else:
                Flash.info(request, f"Thủ tục {code} đã có tên gọi “{text}”.")
        except ChangeRefused as exc:
            Flash.error(request, str(exc))
        except CatalogError as exc:
            Flash.error(request, error_vi(exc))
        return RedirectResponse(back, status_code=303)


def _suggestions(catalog: Catalog, questions: list[dash.Question]) -> dict[str, list[dict[str, Any]]]:
    """The procedures the search offers for each listed question (to pick from)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for q in questions:
        hits = []
        try:
            hits = [{"code": h.code, "name": h.name, "score": h.score} for h in catalog.search(q.text, limit=3)]
        except Exception:  # noqa: BLE001 - a suggestion is a convenience only
            hits = []
        if q.procedure_code and all(h["code"] != q.procedure_code for h in hits):
            p = catalog.get(q.procedure_code)
            if p is not None:
                hits.insert(0, {"code": p.code, "name": p.name, "score": q.score})
        out[q.text] = hits
    return out


# --------------------------------------------------------------------------- import / export


def _clean_old_uploads(max_age_seconds: int = 24 * 3600) -> None:
    if not IMPORT_DIR.exists():
        return
    for folder in IMPORT_DIR.iterdir():
        try:
            if time.time() - folder.stat().st_mtime > max_age_seconds:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _safe_name(filename: str) -> str:
    name = Path(filename or "").name
    name = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._") or "upload"
    return name[-120:]


def _plan_rows(plan: ImportPlan) -> dict[str, Any]:
    def changes(items: list[FieldChange]) -> list[dict[str, str]]:
        return [{"field": FIELD_LABELS.get(ch.field, ch.field),
                 "old": shorten(_text(ch.old), 160), "new": shorten(_text(ch.new), 160)} for ch in items]

    return {
        "created": plan.created[:PREVIEW_ROWS],
        "updated": [(code, changes(items)) for code, items in list(plan.updated.items())[:PREVIEW_ROWS]],
        "retired": plan.retired[:PREVIEW_ROWS],
        "restored": plan.restored[:PREVIEW_ROWS],
    }


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


class ImportExportView(BaseView):
    """Import an official list (preview, then all-or-nothing) and export the catalogue."""

    name = "Nhập / xuất danh sách"
    icon = "fa-solid fa-file-import"

    @expose("/import", methods=["GET", "POST"], identity="import_catalogue")
    async def import_catalogue(self, request: Request) -> Response:
        context: dict[str, Any] = {"title": "Nhập danh sách thủ tục", "user": current_user(request),
                                   "suffixes": ", ".join(IMPORT_SUFFIXES)}
        if request.method == "GET":
            return await self.templates.TemplateResponse(request, "staff/import.html", context)
        user = require_editor(request)
        form = await request.form()
        upload = form.get("file")
        reason = str(form.get("reason") or "").strip()
        replace = form.get("replace") == "1"
        context.update(reason=reason, replace=replace)
        if not isinstance(upload, UploadFile) or not upload.filename:
            context["error"] = "Chọn tệp danh sách cần nhập."
            return await self.templates.TemplateResponse(request, "staff/import.html", context, 400)
        if not reason:
            context["error"] = "Cần ghi lý do nhập (ví dụ: “danh mục công bố theo Quyết định …”)."
            return await self.templates.TemplateResponse(request, "staff/import.html", context, 400)
        name = _safe_name(upload.filename)
        if not name.lower().endswith(IMPORT_SUFFIXES):
            context["error"] = f"Tệp {name}: loại tệp không hỗ trợ; chỉ nhận {', '.join(IMPORT_SUFFIXES)}."
            return await self.templates.TemplateResponse(request, "staff/import.html", context, 400)
        await run_in_threadpool(_clean_old_uploads)
        token = secrets.token_urlsafe(16)
        folder = IMPORT_DIR / token
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        with path.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                out.write(chunk)
        request.session.pop("import", None)
        return await self._preview(request, context, user.username, token, path, replace, reason)

    async def _preview(self, request: Request, context: dict[str, Any], username: str, token: str,
                       path: Path, replace: bool, reason: str, note: str = "") -> Response:
        catalog = catalog_of(request)

        def plan() -> tuple[ImportPlan, int, int]:
            from procedures_catalog.importers import read_file

            result = read_file(path)
            revision = catalog.revision()
            return (catalog.import_records(result, by=username, replace=replace, dry_run=True,
                                           reason=reason), len(result.records), revision)

        try:
            preview, n_records, revision = await run_in_threadpool(plan)
        except CatalogError as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            context["error"] = "Không nhập được, danh mục chưa thay đổi gì. " + error_vi(exc)
            return await self.templates.TemplateResponse(request, "staff/import.html", context, 400)
        request.session["import"] = {"token": token, "name": path.name, "replace": replace,
                                     "reason": reason, "revision": revision}
        context.update(title="Xem trước thay đổi", plan=preview, rows=_plan_rows(preview),
                       records=n_records, token=token, name=path.name, note=note,
                       preview_rows=PREVIEW_ROWS)
        return await self.templates.TemplateResponse(request, "staff/import_preview.html", context)

    @expose("/import/apply", methods=["POST"], identity="import_apply")
    async def import_apply(self, request: Request) -> Response:
        """Apply the import previewed in this session (all or nothing)."""
        user = require_editor(request)
        catalog = catalog_of(request)
        form = await request.form()
        pending = request.session.get("import") or {}
        token = str(form.get("token") or "")
        if not pending or not secrets.compare_digest(token, str(pending.get("token", ""))):
            Flash.error(request, "Không còn bản xem trước nào; hãy chọn tệp và xem trước lại.")
            return RedirectResponse(request.url_for("admin:view-import_catalogue"), status_code=303)
        path = IMPORT_DIR / pending["token"] / pending["name"]
        context: dict[str, Any] = {"title": "Nhập danh sách thủ tục", "user": user,
                                   "suffixes": ", ".join(IMPORT_SUFFIXES)}
        if form.get("cancel"):
            request.session.pop("import", None)
            shutil.rmtree(path.parent, ignore_errors=True)
            Flash.info(request, "Đã hủy, danh mục không thay đổi.")
            return RedirectResponse(request.url_for("admin:view-import_catalogue"), status_code=303)
        if not path.exists():
            request.session.pop("import", None)
            Flash.error(request, "Tệp xem trước đã bị xóa; hãy chọn tệp lại.")
            return RedirectResponse(request.url_for("admin:view-import_catalogue"), status_code=303)
        current = await run_in_threadpool(catalog.revision)
        if current != pending["revision"]:
            # Someone changed the catalogue since the preview: show the new plan first.
            return await self._preview(request, context, user.username, pending["token"], path,
                                       pending["replace"], pending["reason"],
                                       note="Danh mục vừa có thay đổi khác sau khi bạn xem trước. "
                                            "Đây là bản xem trước mới; hãy xem lại rồi áp dụng.")

        def apply() -> ImportPlan:
            from procedures_catalog.importers import read_file

            return catalog.import_records(read_file(path), by=user.username,
                                          replace=pending["replace"], reason=pending["reason"])

        try:
            plan = await run_in_threadpool(apply)
        except CatalogError as exc:
            context["error"] = "Không nhập được, danh mục chưa thay đổi gì. " + error_vi(exc)
            return await self.templates.TemplateResponse(request, "staff/import.html", context, 400)
        finally:
            request.session.pop("import", None)
        shutil.rmtree(path.parent, ignore_errors=True)
        Flash.success(request, f"Đã nhập {pending['name']}: thêm {len(plan.created)}, sửa {len(plan.updated)}, "
                               f"bãi bỏ {len(plan.retired)}, khôi phục {len(plan.restored)} thủ tục.")
        context.update(title="Đã nhập xong", plan=plan, rows=_plan_rows(plan), name=pending["name"],
                       applied=True, preview_rows=PREVIEW_ROWS)
        return await self.templates.TemplateResponse(request, "staff/import_preview.html", context)

    @expose("/export", identity="export_catalogue")
    async def export_catalogue(self, request: Request) -> Response:
        """Download the catalogue as CSV or XLSX (the import formats)."""
        fmt = "xlsx" if request.query_params.get("dinh_dang") == "xlsx" else "csv"
        include_retired = request.query_params.get("ca_bai_bo") == "1"
        catalog = catalog_of(request)
        folder = Path(tempfile.mkdtemp(prefix="tthc-export-"))
        stamp = datetime.now(timezone.utc).astimezone(dash.LOCAL_TZ).strftime("%Y-%m-%d")
        path = folder / f"danh-muc-thu-tuc-{stamp}.{fmt}"
        await run_in_threadpool(lambda: catalog.export(path, include_retired=include_retired))
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                 else "text/csv; charset=utf-8")
        return FileResponse(path, filename=path.name, media_type=media,
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

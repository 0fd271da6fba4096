"""Procedures: search as the assistant does, read, edit with a reason, aliases,
retire and restore, history.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup
from sqladmin import expose
from sqladmin.flash import Flash
from sqlalchemy import Select, case, false
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from procedures_catalog.answers import shorten
from procedures_catalog.cleaning import join_documents
from procedures_catalog.models import Procedure
from procedures_catalog.records import EDITABLE_FIELDS, LEVEL_LABELS, ONLINE_LABELS, CatalogError
from procedures_catalog.service import Catalog

from ..dates import local_time
from ..errors import error_vi, field_vi
from ..i18n import ACTION_LABELS, FIELD_LABELS, LEVEL_CHOICES, ONLINE_CHOICES, STATUS_LABELS
from ..security import require_editor
from .base import ChangeRefused, StaffModelView, VietnameseFilter, catalog_of, check_alias_text


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
                check_alias_text(text)
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

"""Offices: where citizens go for each level, and the hotline; edited with a reason.
"""

from __future__ import annotations

from typing import Any

from sqladmin.flash import Flash
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from wtforms import StringField
from wtforms.validators import InputRequired

from procedures_catalog.models import Office
from procedures_catalog.records import CatalogError
from procedures_catalog.service import OFFICE_FIELDS

from ..errors import error_vi
from ..i18n import FIELD_LABELS, OFFICE_NAMES
from ..security import require_editor
from .base import ChangeRefused, StaffModelView, catalog_of


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

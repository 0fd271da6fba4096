"""What every workspace view shares: the catalogue, the role check, the edit form
with its required reason, Vietnamese filters and the model-view defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from markupsafe import Markup
from sqladmin import ModelView
from sqladmin.authorization import Action, AuthorizationBackend
from sqladmin.filters import StaticValuesFilter
from starlette.requests import Request
from wtforms import Form, TextAreaField
from wtforms.validators import InputRequired, Length

from procedures_catalog.masking import MASKS
from procedures_catalog.service import Catalog

from ..dates import local_time
from ..i18n import FIELD_LABELS, WTFormsTranslations
from ..security import CSRF_FIELD, ContextCSRF, current_user


def catalog_of(request: Request) -> Catalog:
    """The catalogue the app serves (put on the app's state by ``create_app``)."""
    return request.app.state.catalog  # type: ignore[no-any-return]


class ChangeRefused(Exception):
    """A change staff asked for was refused; the message is Vietnamese, for them."""


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


def check_alias_text(text: str) -> None:
    if not text.strip():
        raise ChangeRefused("Tên gọi khác không được để trống.")
    if any(mask in text for mask in MASKS):
        raise ChangeRefused("Bỏ phần dữ liệu cá nhân đã che (như [SĐT]) khỏi tên gọi trước khi thêm.")
    if len(text) > 200:
        raise ChangeRefused("Tên gọi khác dài quá 200 ký tự.")

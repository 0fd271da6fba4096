"""Workspace pages for catalogue editions and the verification queue.

Editions: the history with dates, staging a new official list (it takes effect on its
date by itself), the difference between any two editions, and "in force now". The
queue: estimated and stale facts, the most asked procedures first; an editor confirms
them with a reason or opens the edit form to correct them. Everything goes through
:mod:`procedures_catalog.editions` and :mod:`procedures_catalog.verification`.
"""

from __future__ import annotations

import secrets
import shutil
from typing import Any

from sqladmin import BaseView, expose
from sqladmin.flash import Flash
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from procedures_catalog import editions, verification
from procedures_catalog.provenance import level_words, vn_date
from procedures_catalog.records import CatalogError

from ..errors import error_vi
from ..i18n import FIELD_LABELS
from ..security import current_user, require_editor
from .base import catalog_of
from .transfer import IMPORT_DIR, IMPORT_SUFFIXES

STATUS_VI = {"active": "Đang áp dụng", "staged": "Chờ đến ngày hiệu lực", "superseded": "Đã thay thế"}
KIND_VI = {"official": "Chính thức", "sample": "Bản mẫu"}
DIFF_VI = {"level": "Đổi cấp thực hiện", "online_level": "Đổi mức độ trực tuyến", "fees": "Đổi lệ phí",
           "processing_time": "Đổi thời hạn", "name": "Đổi tên"}


class EditionsView(BaseView):
    """Catalogue editions: history, staging, differences, activation."""

    name = "Phiên bản danh mục"
    icon = "fa-solid fa-layer-group"

    @expose("/editions", methods=["GET"], identity="editions")
    async def editions_page(self, request: Request) -> Response:
        rows = await run_in_threadpool(editions.list_editions, catalog_of(request))
        return await self.templates.TemplateResponse(request, "staff/editions.html", {
            "title": "Phiên bản danh mục", "rows": rows, "status_vi": STATUS_VI, "kind_vi": KIND_VI,
            "vn_date": vn_date, "user": current_user(request), "suffixes": ", ".join(IMPORT_SUFFIXES),
        })

    @expose("/editions/diff", methods=["GET"], identity="editions_diff")
    async def diff_page(self, request: Request) -> Response:
        catalog = catalog_of(request)
        try:
            a, b = int(request.query_params["a"]), int(request.query_params["b"])
            d = await run_in_threadpool(editions.diff, catalog, a, b)
        except (KeyError, ValueError):
            Flash.error(request, "Chọn hai phiên bản để so sánh.")
            return RedirectResponse(request.url_for("admin:view-editions"), status_code=303)
        except CatalogError as exc:
            Flash.error(request, error_vi(exc))
            return RedirectResponse(request.url_for("admin:view-editions"), status_code=303)
        return await self.templates.TemplateResponse(request, "staff/edition_diff.html", {
            "title": "So sánh hai phiên bản", "d": d, "diff_vi": DIFF_VI, "vn_date": vn_date,
            "level_words": level_words, "user": current_user(request),
        })

    @expose("/editions/activate", methods=["POST"], identity="editions_activate")
    async def activate(self, request: Request) -> Response:
        user = require_editor(request)
        form = await request.form()
        reason = str(form.get("reason") or "").strip()
        back = RedirectResponse(request.url_for("admin:view-editions"), status_code=303)
        if not reason:
            Flash.error(request, "Cần ghi lý do áp dụng phiên bản.")
            return back
        try:
            edition_id = int(str(form.get("edition") or ""))
            plan = await run_in_threadpool(lambda: editions.activate(
                catalog_of(request), edition_id, by=user.username, reason=reason))
        except ValueError:
            Flash.error(request, "Không rõ phiên bản nào.")
            return back
        except CatalogError as exc:
            Flash.error(request, error_vi(exc))
            return back
        if plan is None:
            Flash.info(request, f"Phiên bản #{edition_id} đang được áp dụng rồi.")
        else:
            Flash.success(request, f"Đã áp dụng phiên bản #{edition_id}: thêm {len(plan.created)}, "
                                   f"sửa {len(plan.updated)}, ngừng {len(plan.retired)} thủ tục. "
                                   "Trợ lý trả lời theo phiên bản này ngay.")
        return back

    @expose("/editions/stage", methods=["POST"], identity="editions_stage")
    async def stage(self, request: Request) -> Response:
        """A new official list: in force now if its date has come, else staged until then."""
        user = require_editor(request)
        form = await request.form()
        back = RedirectResponse(request.url_for("admin:view-editions"), status_code=303)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            Flash.error(request, "Chọn tệp danh sách của phiên bản.")
            return back
        name = "".join(c for c in upload.filename.rsplit("/", 1)[-1] if c.isalnum() or c in "._-") or "upload"
        if not name.lower().endswith(IMPORT_SUFFIXES):
            Flash.error(request, f"Tệp {name}: loại tệp không hỗ trợ; chỉ nhận {', '.join(IMPORT_SUFFIXES)}.")
            return back
        folder = IMPORT_DIR / secrets.token_urlsafe(12)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        with path.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                out.write(chunk)

        def create() -> tuple[dict[str, Any], bool]:
            from procedures_catalog.importers import read_file

            info = editions.EditionInfo(
                name=str(form.get("name") or ""), decision=str(form.get("decision") or ""),
                effective_from=editions.parse_date(str(form.get("effective_from") or "")),
                unit=str(form.get("unit") or ""),
                kind="sample" if form.get("sample") == "1" else "official")
            edition, applied = editions.create(catalog_of(request), read_file(path), info,
                                               by=user.username)
            return edition, applied is not None

        try:
            edition, applied = await run_in_threadpool(create)
        except CatalogError as exc:
            Flash.error(request, "Chưa tạo phiên bản, danh mục không thay đổi. " + error_vi(exc))
            return back
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        when = "đang áp dụng từ hôm nay" if applied else f"sẽ áp dụng từ {vn_date(edition['effective_from'])}"
        Flash.success(request, f"Đã tạo phiên bản #{edition['id']} “{edition['name']}”: {when}.")
        return back


class VerificationView(BaseView):
    """Facts to check: estimates and stale entries, the most asked first."""

    name = "Cần kiểm tra"
    icon = "fa-solid fa-clipboard-check"

    @expose("/verify", methods=["GET"], identity="verify")
    async def queue_page(self, request: Request) -> Response:
        items = await run_in_threadpool(lambda: verification.queue(catalog_of(request), limit=100))
        return await self.templates.TemplateResponse(request, "staff/verify.html", {
            "title": "Thông tin cần kiểm tra", "items": items, "field_labels": FIELD_LABELS,
            "vn_date": vn_date, "level_words": level_words, "user": current_user(request),
        })

    @expose("/verify/confirm", methods=["POST"], identity="verify_confirm")
    async def confirm(self, request: Request) -> Response:
        user = require_editor(request)
        form = await request.form()
        code = str(form.get("code") or "").strip()
        fields = [str(f) for f in form.getlist("field")]
        reason = str(form.get("reason") or "").strip()
        back = RedirectResponse(request.url_for("admin:view-verify"), status_code=303)
        if not reason:
            Flash.error(request, "Cần ghi lý do (ví dụ: đã đối chiếu Quyết định công bố …).")
            return back
        try:
            n = await run_in_threadpool(lambda: verification.verify(
                catalog_of(request), code, fields, by=user.username, reason=reason))
        except CatalogError as exc:
            Flash.error(request, error_vi(exc))
            return back
        labels = ", ".join(FIELD_LABELS.get(f, f) for f in fields)
        Flash.success(request, f"Đã xác nhận {n} thông tin của thủ tục {code}: {labels}.")
        return back

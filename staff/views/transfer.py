"""Import an official list (preview, then all or nothing) and export the catalogue.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqladmin import BaseView, expose
from sqladmin.flash import Flash
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from procedures_catalog import dashboard as dash
from procedures_catalog.answers import shorten
from procedures_catalog.records import CatalogError
from procedures_catalog.service import FieldChange, ImportPlan

from ..errors import error_vi
from ..i18n import FIELD_LABELS
from ..security import current_user, require_editor
from .base import catalog_of

IMPORT_SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".json", ".jsonl")
IMPORT_DIR = Path(tempfile.gettempdir()) / "tthc-staff-imports"
PREVIEW_ROWS = 100


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

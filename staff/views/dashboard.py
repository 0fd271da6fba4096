"""The dashboard: what citizens ask, how it went, and one-step aliases from it.
"""

from __future__ import annotations

from typing import Any

from sqladmin import BaseView, expose
from sqladmin.flash import Flash
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from procedures_catalog import dashboard as dash
from procedures_catalog.records import CatalogError
from procedures_catalog.service import Catalog

from .. import charts
from ..dates import local_time, short_day
from ..errors import error_vi
from ..i18n import CATEGORY_LABELS, CHANNEL_LABELS, OUTCOME_LABELS, REASON_LABELS
from ..security import current_user, require_editor
from .base import ChangeRefused, catalog_of, check_alias_text


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
            check_alias_text(text)
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

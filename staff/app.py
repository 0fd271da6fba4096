"""Build the staff workspace: a Starlette app with sqladmin mounted at ``/admin``.

Usage:
    python -m staff                      # serves on 127.0.0.1:${STAFF_PORT:-8000}
    catalog user add lan --role editor   # the first account (see docs/staff.md)
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqladmin import Admin
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL, FormData, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procedures_catalog.accounts import Accounts
from procedures_catalog.service import Catalog
from procedures_catalog.turnlog import get_or_create_setting

from . import i18n, views
from .dates import local_time
from .security import CsrfMiddleware, StaffAuth, csrf_input, csrf_token, current_user
from .settings import StaffSettings, get_staff_settings
from .throttle import FailureThrottle

TEMPLATES = Path(__file__).resolve().parent / "templates"
SECRET_SETTING = "staff_secret_key"
TITLE = "Quản lý thủ tục hành chính"


class SecurityHeadersMiddleware:
    """Headers every response of the workspace carries (no framing, no caching of pages)."""

    HEADERS = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        # Scripts only from our own files: an injected inline script would not run.
        "Content-Security-Policy": ("default-src 'self'; script-src 'self'; object-src 'none'; "
                                    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"),
    }

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in self.HEADERS.items():
                    headers.setdefault(key, value)
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class StaffAdmin(Admin):
    """sqladmin with the dashboard as home page and "save" leading to the saved record."""

    async def index(self, request: Request) -> Response:
        return RedirectResponse(request.url_for("admin:view-dashboard"), status_code=302)

    @staticmethod
    def get_save_redirect_url(request: Request, form: FormData, model_view: Any, obj: Any) -> str | URL:
        if form.get("save") == "Save":
            return model_view._build_url_for("admin:details", request, obj)
        return Admin.get_save_redirect_url(request, form, model_view, obj)


def secret_key(catalog: Catalog, settings: StaffSettings) -> str:
    """STAFF_SECRET_KEY, or a random key generated once and kept in the database."""
    if settings.secret_key:
        return settings.secret_key
    return get_or_create_setting(catalog.engine, SECRET_SETTING, lambda: secrets.token_urlsafe(48))


def create_app(database_url: str | None = None, *, settings: StaffSettings | None = None,
               catalog: Catalog | None = None, warm_index: bool = True) -> Starlette:
    """Create the workspace app.

    Args:
        database_url: the catalogue (default: ``CATALOG_DATABASE_URL`` or the SQLite file).
        settings: staff settings (default: from the environment).
        catalog: an open catalogue to use instead of opening ``database_url``.
        warm_index: build the search index at start-up rather than on the first search.
    """
    settings = settings or get_staff_settings()
    catalog = catalog or Catalog.open(database_url)
    accounts = Accounts(catalog.engine, max_failed=settings.max_failed_logins,
                        lock_minutes=settings.lockout_minutes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if warm_index:
            # Build the search index before the first search rather than during it.
            await run_in_threadpool(catalog.index)
        await run_in_threadpool(accounts.purge_sessions, max_hours=settings.max_hours)
        yield

    async def home(request: Request) -> Response:
        return RedirectResponse("/admin/", status_code=302)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/", home), Route("/healthz", health)],
        middleware=[
            # A forged Host header never reaches a redirect or a link.
            Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
            Middleware(SessionMiddleware, secret_key=secret_key(catalog, settings),
                       session_cookie="tthc_staff", max_age=settings.max_hours * 3600,
                       same_site="lax", https_only=settings.cookie_secure),
            Middleware(CsrfMiddleware, max_body=settings.upload_max_mb * 1024 * 1024),
            Middleware(SecurityHeadersMiddleware),
        ],
        lifespan=lifespan,
    )
    window = settings.lockout_minutes * 60
    auth = StaffAuth(accounts, idle_minutes=settings.idle_minutes, max_hours=settings.max_hours,
                     by_address=FailureThrottle(settings.login_failures_per_address, window),
                     by_account=FailureThrottle(settings.max_failed_logins, window))
    admin = StaffAdmin(app, engine=catalog.engine, base_url="/admin", title=TITLE,
                       templates_dir=str(TEMPLATES), authentication_backend=auth,
                       authorization_backend=views.RoleAuthorization())
    auth.templates = admin.templates
    i18n.install(admin.templates.env)
    admin.templates.env.globals.update(
        csrf_input=csrf_input, csrf_token=csrf_token, current_user=current_user,
        local_time=local_time, role_labels=i18n.ROLE_LABELS,
        idle_minutes=settings.idle_minutes,
    )
    # Sign-out changes state, so it is a POST with a CSRF token, not sqladmin's GET link.
    admin.admin.router.routes = [
        Route("/logout", endpoint=admin.logout, name="logout", methods=["POST"])
        if getattr(route, "name", None) == "logout" else route
        for route in admin.admin.router.routes
    ]
    for view in views.PAGES:
        admin.add_view(view)
    app.state.catalog = admin.admin.state.catalog = catalog
    app.state.accounts = accounts
    return app


def main() -> None:
    """Serve the workspace with uvicorn on STAFF_HOST:STAFF_PORT."""
    import logging

    import uvicorn

    from procedures_catalog.masking import install_log_masking

    settings = get_staff_settings()
    app = create_app(settings=settings)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_log_masking()
    print(f"Staff workspace: http://localhost:{settings.port}/", flush=True)
    if not app.state.accounts.list():
        print("note: no staff account yet; create one with "
              "`.venv/bin/catalog user add NAME --role editor` (see docs/staff.md)", flush=True)
    # log_config=None: uvicorn's loggers propagate to the root handler, whose filter
    # masks personal data (a search for a phone number shows in the access log).
    # ws="none": the workspace has no websockets, and the action server's pinned
    # websockets package is too old for uvicorn's websocket protocol anyway.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, ws="none",
                proxy_headers=False, server_header=False)

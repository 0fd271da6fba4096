"""Sign-in, sessions, roles and CSRF protection of the staff workspace.

* The session cookie (Starlette's ``SessionMiddleware``, signed with itsdangerous)
  carries only a random session token and the CSRF token; the session itself lives
  in the database (:class:`procedures_catalog.accounts.Accounts`), so signing out and
  the idle timeout end it for good.
* :class:`CsrfMiddleware` refuses every POST/PUT/PATCH/DELETE whose ``csrf_token``
  form field (or ``X-CSRF-Token`` header) does not match the token in the signed
  session cookie — a request without a session has no token and is refused too.
* :class:`StaffAuth` plugs sign-in, lock-out and the timeouts into sqladmin. Failed
  sign-ins are throttled per address (any account names) and an account locks only
  for the address that failed on it (staff/throttle.py); every refusal reads the
  same and takes as long whether or not the account exists.
"""

from __future__ import annotations

import hmac
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

from markupsafe import Markup, escape
from sqladmin.authentication import AuthenticationBackend
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from procedures_catalog.accounts import Accounts, spend_password_check

from .dates import local_time
from .throttle import FailureThrottle

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_current_token: ContextVar[str] = ContextVar("staff_csrf_token", default="")


def csrf_token() -> str:
    """The CSRF token of the current request (for templates and forms)."""
    return _current_token.get()


def csrf_input() -> Markup:
    """The hidden form field every POST form of the workspace carries."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">')


class ContextCSRF(CSRF):
    """WTForms CSRF that uses the request's token, so sqladmin's forms carry it too."""

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return csrf_token()

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        if not field.data or not hmac.compare_digest(str(field.data), csrf_token()):
            raise ValidationError("Mã bảo vệ biểu mẫu không hợp lệ; hãy tải lại trang.")


_REFUSED = """<!doctype html><html lang="vi"><meta charset="utf-8">
<title>Yêu cầu bị từ chối</title>
<body style="font-family:sans-serif;max-width:40rem;margin:4rem auto">
<h1>Yêu cầu bị từ chối</h1>
<p>Biểu mẫu gửi lên thiếu mã bảo vệ hoặc phiên làm việc đã hết hạn.
Hãy <a href="/">tải lại trang</a>, đăng nhập nếu cần, rồi thử lại.</p></body></html>"""


class CsrfMiddleware:
    """Pure ASGI middleware: a CSRF token per session, checked on every unsafe request.

    Must sit inside Starlette's ``SessionMiddleware`` (it reads ``scope["session"]``).

    Args:
        app: the wrapped application.
        max_body: largest request body accepted, in bytes (uploads included).
    """

    def __init__(self, app: ASGIApp, max_body: int = 20 * 1024 * 1024) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.get("session")
        if session is None:
            raise RuntimeError("CsrfMiddleware needs SessionMiddleware outside it")
        token = session.get("csrf")
        if not token:
            token = session["csrf"] = secrets.token_urlsafe(32)
        reset = _current_token.set(token)
        try:
            if scope["method"] in SAFE_METHODS:
                await self.app(scope, receive, send)
                return
            body = await self._read_body(receive)
            if body is None:
                await HTMLResponse("Tệp gửi lên quá lớn.", status_code=413)(scope, receive, send)
                return
            submitted = await self._submitted_token(scope, body)
            if not submitted or not hmac.compare_digest(submitted, token):
                await HTMLResponse(_REFUSED, status_code=403)(scope, receive, send)
                return
            await self.app(scope, _replay(body), send)
        finally:
            _current_token.reset(reset)

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    async def _submitted_token(scope: Scope, body: bytes) -> str:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get(CSRF_HEADER):
            return headers[CSRF_HEADER]
        content_type = headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
                if key == CSRF_FIELD:
                    return value
            return ""
        if content_type.startswith("multipart/form-data"):
            request = Request(scope, _replay(body))
            try:
                form = await request.form()
                field = form.get(CSRF_FIELD)
                return field if isinstance(field, str) else ""
            except Exception:  # noqa: BLE001 - a broken body is simply refused
                return ""
            finally:
                await request.close()
        return ""


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


@dataclass(frozen=True)
class CurrentUser:
    """Who is signed in (read by views and templates from ``request.state.user``)."""

    id: int
    username: str
    display_name: str
    role: str

    @property
    def is_editor(self) -> bool:
        """Whether the person may change the catalogue."""
        return self.role == "editor"

    @property
    def label(self) -> str:
        """The name to show."""
        return self.display_name or self.username


def current_user(request: Request) -> CurrentUser | None:
    """The signed-in user of this request (set by :meth:`StaffAuth.authenticate`)."""
    return getattr(request.state, "user", None)


def require_editor(request: Request) -> CurrentUser:
    """The signed-in editor; a viewer (or nobody) gets 403."""
    user = current_user(request)
    if user is None or not user.is_editor:
        raise HTTPException(status_code=403, detail="Bạn chỉ có quyền xem, không được thay đổi.")
    return user


class StaffAuth(AuthenticationBackend):
    """sqladmin authentication over :class:`Accounts` with lock-out and timeouts.

    The session and CSRF middleware are installed on the outer app (they must wrap
    every route in the right order), so this backend adds none of its own.
    """

    def __init__(self, accounts: Accounts, *, idle_minutes: int, max_hours: int,
                 by_address: FailureThrottle | None = None,
                 by_account: FailureThrottle | None = None) -> None:
        self.middlewares = []
        self.accounts = accounts
        self.idle_minutes = idle_minutes
        self.max_hours = max_hours
        # Failed sign-ins per address (any account), and per account from one address.
        self.by_address = by_address or FailureThrottle(10, 15 * 60)
        self.by_account = by_account or FailureThrottle(5, 15 * 60)
        self.templates: Any = None  # set by the app once sqladmin exists

    async def _login_page(self, request: Request, error: str, status_code: int) -> Response:
        form = await request.form()
        return await self.templates.TemplateResponse(
            request, "sqladmin/login.html",
            {"error": error, "username": str(form.get("username") or "")[:60]},
            status_code=status_code,
        )

    async def _too_many(self, request: Request, wait_seconds: float) -> Response:
        until = local_time(datetime.now(timezone.utc) + timedelta(seconds=max(wait_seconds, 60)))
        return await self._login_page(
            request, f"Đăng nhập sai nhiều lần nên tạm khóa. Thử lại sau {until}, hoặc nhờ quản trị mở khóa.", 429)

    def _unlocked_by_staff(self, name: str) -> bool:
        # The account exists but is not locked although this address used up its tries.
        return self.accounts.get(name) is not None and not self.accounts.is_locked(name)

    async def login(self, request: Request) -> Response | bool:
        """Check the form; every refusal reads and takes the same whether the account exists."""
        form = await request.form()
        username = str(form.get("username") or "")
        password = str(form.get("password") or "")
        address = request.client.host if request.client else "unknown"
        name = username.strip().lower()[:120]
        pair = (name, address)
        if self.by_account.blocked(pair) and await run_in_threadpool(self._unlocked_by_staff, name):
            self.by_account.clear(pair)  # an administrator unlocked it (`catalog user unlock`)
        if self.by_address.blocked(address) or self.by_account.blocked(pair):
            await run_in_threadpool(spend_password_check, password)
            wait = max(self.by_address.retry_after(address), self.by_account.retry_after(pair))
            return await self._too_many(request, wait)
        # An address that never failed on this account signs in even while a stranger's
        # wrong passwords keep the account locked.
        clean = self.by_account.left(pair) == self.by_account.limit
        result = await run_in_threadpool(
            lambda: self.accounts.authenticate(username, password, ignore_lock=clean))
        if result.status == "inactive":
            return await self._login_page(request, "Tài khoản đã bị tắt. Hãy liên hệ quản trị.", 403)
        if not result.ok or result.user is None:
            self.by_address.fail(address)
            self.by_account.fail(pair)
            if result.status == "locked" or self.by_account.blocked(pair):
                wait = self.by_account.retry_after(pair)
                if result.locked_until is not None:
                    wait = max(wait, (result.locked_until - datetime.now(timezone.utc)).total_seconds())
                return await self._too_many(request, wait)
            message = "Tên đăng nhập hoặc mật khẩu không đúng."
            left = self.by_account.left(pair)
            if left <= 2:
                message += f" Còn {left} lần thử trước khi bị tạm khóa."
            return await self._login_page(request, message, 400)
        self.by_account.clear(pair)
        token = await run_in_threadpool(self.accounts.start_session, result.user.id)
        # A new session and a new CSRF token after sign-in (no session fixation).
        request.session.clear()
        request.session["sid"] = token
        request.session["csrf"] = secrets.token_urlsafe(32)
        return True

    async def logout(self, request: Request) -> Response | bool:
        await run_in_threadpool(self.accounts.end_session, request.session.get("sid"))
        request.session.clear()
        return RedirectResponse(str(request.url_for("admin:login")) + "?da_dang_xuat=1", status_code=302)

    async def authenticate(self, request: Request) -> Response | bool:
        token = request.session.get("sid")
        if not token:
            return False
        user = await run_in_threadpool(self.accounts.session_user, token,
                                       idle_minutes=self.idle_minutes, max_hours=self.max_hours)
        if user is None:
            request.session.pop("sid", None)
            return RedirectResponse(str(request.url_for("admin:login")) + "?het_han=1", status_code=302)
        request.state.user = CurrentUser(user.id, user.username, user.display_name, user.role)
        return True

    async def get_user_id(self, request: Request) -> Any:
        user = current_user(request)
        return user.username if user else None

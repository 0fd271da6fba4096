"""The only place the staff workspace reads environment variables.

Every variable has a safe default; they are listed in ``.env.example`` and
``docs/staff.md``. The catalogue database itself comes from the catalogue's settings
(``CATALOG_DATABASE_URL``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int, minimum: int = 1) -> int:
    try:
        return max(int(os.environ.get(name) or default), minimum)
    except ValueError:
        return default


@dataclass(frozen=True)
class StaffSettings:
    """Staff workspace settings.

    Attributes:
        host: interface to listen on (``STAFF_HOST``, default 127.0.0.1).
        port: port (``STAFF_PORT``, default 8000).
        secret_key: signs the session cookie (``STAFF_SECRET_KEY``); empty means a
            random key generated once and kept in the database.
        idle_minutes: a session ends after this long without a request.
        max_hours: a session ends this long after sign-in, however busy.
        max_failed_logins: wrong passwords in a row that lock an account.
        lockout_minutes: how long the lock lasts.
        cookie_secure: send the cookie over HTTPS only (set it behind TLS).
        upload_max_mb: largest import file accepted.
        login_failures_per_address: failed sign-ins one address may make in
            ``lockout_minutes``, whatever the accounts (``STAFF_LOGIN_FAILURES_PER_ADDRESS``).
        allowed_hosts: host names the workspace answers to (``STAFF_ALLOWED_HOSTS``,
            comma-separated); other ``Host`` headers get 400 and never reach a redirect.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    idle_minutes: int = 30
    max_hours: int = 12
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    cookie_secure: bool = False
    upload_max_mb: int = 20
    login_failures_per_address: int = 10
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")


def get_staff_settings() -> StaffSettings:
    """Read the settings from the environment (cheap; call when needed)."""
    return StaffSettings(
        host=os.environ.get("STAFF_HOST") or "127.0.0.1",
        port=_int("STAFF_PORT", 8000),
        secret_key=os.environ.get("STAFF_SECRET_KEY", ""),
        idle_minutes=_int("STAFF_SESSION_IDLE_MINUTES", 30),
        max_hours=_int("STAFF_SESSION_MAX_HOURS", 12),
        max_failed_logins=_int("STAFF_MAX_FAILED_LOGINS", 5),
        lockout_minutes=_int("STAFF_LOCKOUT_MINUTES", 15),
        cookie_secure=os.environ.get("STAFF_COOKIE_SECURE", "0") in ("1", "true", "yes"),
        upload_max_mb=_int("STAFF_UPLOAD_MAX_MB", 20),
        login_failures_per_address=_int("STAFF_LOGIN_FAILURES_PER_ADDRESS", 10),
        allowed_hosts=tuple(h.strip() for h in (os.environ.get("STAFF_ALLOWED_HOSTS") or
                                                "localhost,127.0.0.1,::1").split(",") if h.strip()),
    )

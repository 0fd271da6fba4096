"""Staff accounts of the web workspace: passwords, lock-out and sessions.

Created with ``catalog user add``; the staff app (``staff/``) signs people in through
:class:`Accounts`. Passwords are hashed with scrypt (standard library, memory-hard,
per-password random salt); after :attr:`Accounts.max_failed` wrong passwords in a
row an account is locked for :attr:`Accounts.lock_minutes`. Sessions live in the
database so signing out or timing out ends them for good; the browser only holds a
random token whose SHA-256 is the session's key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, select

from . import db
from .models import StaffSession, StaffUser
from .records import CatalogError

ROLES: tuple[str, ...] = ("viewer", "editor")
MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")

# scrypt cost: 2**14 * 8 * 128 bytes = 16 MiB and ~50 ms per check on one core.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32
# Verified when the username is unknown, so a wrong name costs the same as a wrong password.
_DUMMY_HASH: str | None = None


class AccountError(CatalogError):
    """A staff account cannot be created or changed as asked."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """Hash a password as ``scrypt$N$r$p$salt$hash`` (base64 salt and hash)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R,
                            p=_SCRYPT_P, dklen=_SCRYPT_LEN, maxmem=64 * 1024 * 1024)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Check ``password`` against a hash from :func:`hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                                r=int(r), p=int(p), dklen=len(base64.b64decode(expected)),
                                maxmem=64 * 1024 * 1024)
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


def _dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    verify_password(password, _DUMMY_HASH)


def spend_password_check(password: str) -> None:
    """Take as long as checking a password does, so that refusals reveal nothing by timing."""
    _dummy_verify(password)


def check_password(password: str) -> None:
    """Raise :class:`AccountError` if ``password`` is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.strip():
        raise AccountError("the password must not start or end with spaces")


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def session_key(token: str) -> str:
    """The database key of a session token (its SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class LoginResult:
    """The outcome of a sign-in attempt.

    Attributes:
        status: ``ok``, ``invalid`` (unknown user or wrong password), ``locked`` or
            ``inactive``.
        user: the account when ``status`` is ``ok``.
        locked_until: when a locked account opens again.
        attempts_left: wrong passwords left before the lock (for ``invalid`` on a
            known account; None otherwise).
    """

    status: str
    user: StaffUser | None = None
    locked_until: datetime | None = None
    attempts_left: int | None = None

    @property
    def ok(self) -> bool:
        """True when the person is signed in."""
        return self.status == "ok"


class Accounts:
    """Staff accounts and sessions in one catalogue database.

    Args:
        engine: the catalogue database.
        max_failed: wrong passwords in a row that lock an account.
        lock_minutes: how long a locked account stays locked.
    """

    def __init__(self, engine: Engine, *, max_failed: int = 5, lock_minutes: int = 15) -> None:
        self.engine = engine
        self.max_failed = max_failed
        self.lock_minutes = lock_minutes

    # ---------------------------------------------------------------- accounts
    def add(self, username: str, password: str, role: str, display_name: str = "") -> StaffUser:
        """Create an account.

        Raises:
            AccountError: bad username, unknown role, weak password or taken username.
        """
        username = username.strip().lower()
        if not USERNAME_RE.match(username):
            raise AccountError("username: 2-60 characters, lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        check_password(password)
        with db.session_scope(self.engine) as s:
            if s.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
                raise AccountError(f"the username {username!r} is taken")
            user = StaffUser(username=username, role=role, display_name=display_name.strip(),
                             password_hash=hash_password(password), active=True, failed_logins=0)
            s.add(user)
        return user

    def get(self, username: str) -> StaffUser | None:
        """The account named ``username``, or None."""
        with db.session_scope(self.engine) as s:
            return s.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))

    def by_id(self, user_id: int) -> StaffUser | None:
        """The account with ``user_id``, or None."""
        with db.session_scope(self.engine) as s:
            return s.get(StaffUser, user_id)

    def list(self) -> list[StaffUser]:
        """Every account, by username."""
        with db.session_scope(self.engine) as s:
            return list(s.scalars(select(StaffUser).order_by(StaffUser.username)))

    def _update(self, username: str, **values: object) -> StaffUser:
        with db.session_scope(self.engine) as s:
            user = s.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
            if user is None:
                raise AccountError(f"no account named {username!r}")
            for key, value in values.items():
                setattr(user, key, value)
            return user

    def set_password(self, username: str, password: str) -> None:
        """Change a password (and end the account's sessions)."""
        check_password(password)
        user = self._update(username, password_hash=hash_password(password), failed_logins=0,
                            locked_until=None)
        self.end_user_sessions(user.id)

    def set_role(self, username: str, role: str) -> None:
        """Change an account's role."""
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        self._update(username, role=role)

    def set_active(self, username: str, active: bool) -> None:
        """Enable or disable an account (disabling ends its sessions)."""
        user = self._update(username, active=active)
        if not active:
            self.end_user_sessions(user.id)

    def is_locked(self, username: str, *, now: datetime | None = None) -> bool:
        """Whether the account named ``username`` exists and is locked right now."""
        user = self.get(username)
        locked_until = _aware(user.locked_until) if user is not None else None
        return locked_until is not None and locked_until > (now or datetime.now(timezone.utc))

    def unlock(self, username: str) -> bool:
        """Clear the lock and the wrong-password count. Returns True if it was locked."""
        user = self.get(username)
        if user is None:
            raise AccountError(f"no account named {username!r}")
        was_locked = user.locked_until is not None or user.failed_logins > 0
        self._update(username, failed_logins=0, locked_until=None)
        return was_locked

    # ----------------------------------------------------------------- sign-in
    def authenticate(self, username: str, password: str, *, now: datetime | None = None,
                     ignore_lock: bool = False) -> LoginResult:
        """Check a username and password, counting wrong passwords toward the lock.

        Args:
            username: the account name (any case).
            password: the password typed.
            now: the current time (tests pass their own).
            ignore_lock: check the password even while the account is locked (the
                workspace does so for an address that has not failed on the account:
                a stranger's wrong passwords must not lock the staff out).
        """
        now = now or datetime.now(timezone.utc)
        with db.session_scope(self.engine) as s:
            user = s.scalar(select(StaffUser).where(StaffUser.username == (username or "").strip().lower()))
            if user is None:
                _dummy_verify(password or "")
                return LoginResult("invalid")
            locked_until = _aware(user.locked_until)
            locked = locked_until is not None and locked_until > now
            if locked and not ignore_lock:
                # As slow as a wrong password: a fast answer would tell the account exists.
                verify_password(password or "", user.password_hash)
                return LoginResult("locked", locked_until=locked_until)
            if locked:
                # Only the right password lifts a lock early; a wrong one leaves it.
                if not verify_password(password or "", user.password_hash):
                    return LoginResult("invalid")
            elif locked_until is not None:
                user.locked_until, user.failed_logins = None, 0
            if not locked and not verify_password(password or "", user.password_hash):
                user.failed_logins = (user.failed_logins or 0) + 1
                if user.failed_logins >= self.max_failed:
                    user.locked_until = now + timedelta(minutes=self.lock_minutes)
                    user.failed_logins = 0
                    return LoginResult("locked", locked_until=user.locked_until)
                return LoginResult("invalid", attempts_left=self.max_failed - user.failed_logins)
            if not user.active:
                return LoginResult("inactive")
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            return LoginResult("ok", user=user)

    # ---------------------------------------------------------------- sessions
    def start_session(self, user_id: int, *, now: datetime | None = None) -> str:
        """Open a session for ``user_id``; returns the token to put in the cookie."""
        token = secrets.token_urlsafe(32)
        now = now or datetime.now(timezone.utc)
        with db.session_scope(self.engine) as s:
            s.add(StaffSession(id=session_key(token), user_id=user_id, created_at=now, last_seen_at=now))
        return token

    def session_user(self, token: str | None, *, idle_minutes: int, max_hours: int,
                     now: datetime | None = None) -> StaffUser | None:
        """The active account behind a session token, or None when it ended or timed out.

        A session ends after ``idle_minutes`` without a request or ``max_hours`` after
        sign-in, whichever comes first; an ended session is deleted.
        """
        if not token:
            return None
        now = now or datetime.now(timezone.utc)
        with db.session_scope(self.engine) as s:
            row = s.get(StaffSession, session_key(token))
            if row is None:
                return None
            seen, created = _aware(row.last_seen_at), _aware(row.created_at)
            assert seen is not None and created is not None
            if now - seen > timedelta(minutes=idle_minutes) or now - created > timedelta(hours=max_hours):
                s.delete(row)
                return None
            user = s.get(StaffUser, row.user_id)
            if user is None or not user.active:
                s.delete(row)
                return None
            # Writing on every request would be wasteful: a minute is precise enough.
            if now - seen > timedelta(minutes=1):
                row.last_seen_at = now
            return user

    def end_session(self, token: str | None) -> None:
        """Sign out: delete the session behind ``token``."""
        if token:
            with db.session_scope(self.engine) as s:
                s.execute(delete(StaffSession).where(StaffSession.id == session_key(token)))

    def end_user_sessions(self, user_id: int) -> None:
        """Delete every session of one account."""
        with db.session_scope(self.engine) as s:
            s.execute(delete(StaffSession).where(StaffSession.user_id == user_id))

    def purge_sessions(self, *, max_hours: int, now: datetime | None = None) -> int:
        """Delete sessions older than ``max_hours``. Returns how many."""
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(hours=max_hours)
        with db.session_scope(self.engine) as s:
            result = s.execute(delete(StaffSession).where(StaffSession.created_at < cutoff))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

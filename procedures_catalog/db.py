"""Engines, sessions and schema migrations.

Nothing is created at import time: callers ask :func:`make_engine` for an engine and
:func:`migrate` to bring its schema to the latest Alembic revision.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from . import settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# SQLite keeps uncheckpointed commits in -wal (and its index in -shm) beside the file.
SQLITE_SIDECARS = ("-wal", "-shm")

log = logging.getLogger(__name__)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the action server read while the staff app or CLI writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is safe from corruption and skips an fsync per commit (a turn
    # is logged on every message); only a power cut can lose the last commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def adopt_legacy_database(path: Path, legacy: Path | None) -> bool:
    """Move the catalogue file from ``legacy`` to ``path`` once, if only ``legacy`` exists.

    The default catalogue used to live in ``data/`` beside the NLU data, where
    ``make clean`` deleted it; it now lives in ``var/``. Moving it (never copying,
    never overwriting) keeps a user's staff accounts, edits and audit trail.

    Args:
        path: where the database is expected now.
        legacy: where it may still be; None for "nowhere".

    Returns:
        True if the file was moved by this call.
    """
    if legacy is None or not legacy.is_file():
        return False
    if path.exists():
        log.warning("ignoring the old catalogue %s: %s is the one in use", legacy, path)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # The -wal and -shm files first and the database last: another process that
    # already sees the moved database also sees its uncheckpointed commits.
    for suffix in (*SQLITE_SIDECARS, ""):
        try:
            os.rename(f"{legacy}{suffix}", f"{path}{suffix}")
        except FileNotFoundError:
            continue  # no such sidecar, or another process moved it first
    if not path.exists():
        return False
    log.warning("moved the catalogue database from %s to %s (runtime state now lives in var/)",
                legacy, path)
    return True


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``, creating the SQLite file's folder if needed.

    Args:
        url: any SQLAlchemy URL; a bare ``postgresql://`` URL uses psycopg 3.

    Returns:
        A new engine (callers that want one per process use :func:`get_engine`).
    """
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            if path.resolve() == settings.default_database_path().resolve():
                adopt_legacy_database(path, settings.legacy_database_path())
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def get_engine(url: str) -> Engine:
    """Return the process-wide engine for ``url`` (created on first call)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


def dispose_engines() -> None:
    """Close every cached engine (tests and forked workers call this)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine`` that keeps objects after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Any:
    """Build an Alembic config that runs our migrations on ``engine``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema of ``engine``'s database to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the Alembic revision the database is at, or None if unmigrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

"""Fixtures shared by every test package: the PostgreSQL server and its databases.

The PostgreSQL tests need the server at :data:`PG_ADMIN_URL`. When it is unreachable
they are skipped with the reason, and one line at the end of the run says so, so a
green run without PostgreSQL is never mistaken for a run that tested it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_DATABASE_PREFIX = "tthc_test_"

# Why the PostgreSQL tests were skipped (filled by the pg_server fixture).
_pg_skip_reasons: list[str] = []


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def _drop(name: str) -> None:
    from procedures_catalog import db

    # Cached engines may hold pooled connections to it; FORCE ends any others.
    db.dispose_engines()
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PgDatabases:
    """Creates throw-away databases named tthc_test_<random> and drops them."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self, template: str | None = None) -> str:
        """Create a database (a copy of ``template`` if given) and return its URL."""
        name = PG_DATABASE_PREFIX + uuid.uuid4().hex[:12]
        suffix = f' TEMPLATE "{template}"' if template else ""
        _admin_execute(f'CREATE DATABASE "{name}"{suffix}')
        self.created.append(name)
        return _pg_url(name)

    def drop(self, url: str) -> None:
        """Drop the database of ``url`` (one this object created)."""
        name = url.rsplit("/", 1)[1]
        if name in self.created:
            _drop(name)
            self.created.remove(name)

    def drop_all(self) -> None:
        """Drop every database still left."""
        for name in list(self.created):
            _drop(name)
        self.created.clear()


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URL of the PostgreSQL server; skips the test when it is unreachable."""
    if _pg_skip_reasons:
        pytest.skip(_pg_skip_reasons[0])
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {type(exc).__name__}: {exc}".strip()
        _pg_skip_reasons.append(reason.splitlines()[0])
        pytest.skip(_pg_skip_reasons[0])
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def pg_databases(pg_server: str) -> Iterator[PgDatabases]:
    """Throw-away PostgreSQL databases; whatever is left is dropped at the end."""
    databases = PgDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="module")
def pg_url(pg_databases: PgDatabases) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test module (dropped afterwards)."""
    url = pg_databases.create()
    yield url
    pg_databases.drop(url)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly when the PostgreSQL variants did not run."""
    if _pg_skip_reasons:
        terminalreporter.write_line(
            f"NOTE: PostgreSQL tests were skipped ({_pg_skip_reasons[0]})", yellow=True, bold=True
        )

"""Fixtures shared by every test package: the PostgreSQL and Redis servers.

The PostgreSQL tests need the server at :data:`PG_ADMIN_URL`, the scale-out test also
Redis at :data:`REDIS_ADDRESS`. When one is unreachable its tests are skipped with the
reason and the end of the run says loudly what was not tested, so a green run without
the servers is never mistaken for one that tested them. When ``CI`` is set (CI
machines have both servers) they fail instead.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import NoReturn

import pytest

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_DATABASE_PREFIX = "tthc_test_"
REDIS_ADDRESS = ("127.0.0.1", 6379)

# Why a service's tests were skipped: service name → reason (first failure only).
_unavailable: dict[str, str] = {}
# Prefix of the skip reasons, to count the skipped tests at the end.
_SKIP_PREFIX = "server unavailable: "


def service_unavailable(service: str, reason: str) -> NoReturn:
    """Skip the current test because ``service`` is unreachable; fail it under CI.

    Args:
        service: "PostgreSQL" or "Redis".
        reason: what went wrong when connecting (first line is kept).
    """
    reason = _unavailable.setdefault(service, reason.strip().splitlines()[0] if reason.strip() else "")
    if os.environ.get("CI"):
        pytest.fail(f"{service} is required when CI is set, and it is unreachable: {reason}",
                    pytrace=False)
    pytest.skip(f"{_SKIP_PREFIX}{service}: {reason}")


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
    """The admin URL of the PostgreSQL server (skip, or fail under CI, when unreachable)."""
    if "PostgreSQL" in _unavailable:
        service_unavailable("PostgreSQL", _unavailable["PostgreSQL"])
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        service_unavailable("PostgreSQL", f"{PG_ADMIN_URL}: {type(exc).__name__}: {exc}")
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def redis_server() -> tuple[str, int]:
    """(host, port) of the Redis server (skip, or fail under CI, when unreachable)."""
    if "Redis" in _unavailable:
        service_unavailable("Redis", _unavailable["Redis"])
    host, port = REDIS_ADDRESS
    try:
        with socket.create_connection(REDIS_ADDRESS, timeout=3) as connection:
            connection.sendall(b"PING\r\n")
            answer = connection.recv(64)
        if not answer.startswith(b"+PONG"):
            raise ConnectionError(f"answered {answer[:40]!r} to PING")
    except OSError as exc:
        service_unavailable("Redis", f"{host}:{port}: {type(exc).__name__}: {exc}")
    return host, port


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


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly which tests did not run because a server was unreachable."""
    if not _unavailable or os.environ.get("CI"):
        return  # under CI those tests failed, and the failures say why
    skipped = [_skip_reason(r) for r in terminalreporter.stats.get("skipped", [])]
    terminalreporter.section("NOT TESTED: servers unavailable", sep="!", red=True, bold=True)
    for service, reason in _unavailable.items():
        count = sum(f"{_SKIP_PREFIX}{service}:" in text for text in skipped)
        terminalreporter.write_line(
            f"{count} test(s) needing {service} were SKIPPED: {reason}", red=True, bold=True)
    terminalreporter.write_line(
        "Start the servers to test them; with CI set these tests fail instead of skipping.",
        red=True)

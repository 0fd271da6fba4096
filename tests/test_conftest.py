"""The server fixtures of tests/conftest.py: skip loudly on a laptop, fail under CI.

Runs pytest on a throw-away test file whose conftest is ours with the server
addresses pointed at closed ports, once without and once with ``CI`` set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT, free_port

TESTS = '''
def test_needs_postgres(pg_server):
    pass

def test_needs_postgres_too(pg_server):
    pass

def test_needs_redis(redis_server):
    pass

def test_needs_nothing():
    pass
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A test folder with our conftest, both servers at ports nobody listens on."""
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    pg_port, redis_port = free_port(), free_port()
    for old, new in (("127.0.0.1:5432", f"127.0.0.1:{pg_port}"),
                     ('("127.0.0.1", 6379)', f'("127.0.0.1", {redis_port})')):
        assert old in conftest
        conftest = conftest.replace(old, new)
    (tmp_path / "conftest.py").write_text(conftest, encoding="utf-8")
    (tmp_path / "test_servers.py").write_text(TESTS, encoding="utf-8")
    return tmp_path


def run_pytest(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(folder), str(folder)],
        cwd=folder, env={**base, "PYTHONPATH": str(ROOT), **env}, capture_output=True,
        text=True, timeout=120)


def test_without_ci_absent_servers_are_skipped_and_said_loudly(project: Path) -> None:
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 3 skipped" in result.stdout
    assert "NOT TESTED: servers unavailable" in result.stdout
    assert "2 test(s) needing PostgreSQL were SKIPPED" in result.stdout
    assert "1 test(s) needing Redis were SKIPPED" in result.stdout


def test_with_ci_absent_servers_fail_the_run(project: Path) -> None:
    result = run_pytest(project, CI="true")
    assert result.returncode == 1, result.stdout
    assert "1 passed, 3 errors" in result.stdout
    assert "PostgreSQL is required when CI is set, and it is unreachable" in result.stdout
    assert "Redis is required when CI is set, and it is unreachable" in result.stdout
    assert "skipped" not in result.stdout.lower()

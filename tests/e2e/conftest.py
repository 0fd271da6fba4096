"""A real Rasa server and action server, shared by the end-to-end tests."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procedures_catalog.service import Catalog
from tests.conftest import PgDatabases
from tests.fakes.zalo_api import FakeZaloApi
from tests.servers import ROOT, Servers, model_path, run_servers

pytestmark = pytest.mark.e2e

# The shared servers' Zalo channel (tests/e2e/test_zalo.py runs its own, with other limits).
ZALO_APP_ID, ZALO_SECRET, ZALO_TOKEN = "2553928453557884079", "shared-oa-secret", "shared-access-token"


@pytest.fixture(scope="session")
def e2e_catalogue(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A seeded SQLite catalogue (bundled sample, offices, aliases) for the servers."""
    path = tmp_path_factory.mktemp("e2e-db") / "catalog.sqlite3"
    Catalog.open(f"sqlite:///{path}")
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def pg_catalogue(pg_databases: PgDatabases) -> Iterator[str]:
    """A catalogue (the bundled sample) in a PostgreSQL database of its own, as operators
    run it (skipped, or failed under CI, when PostgreSQL is unreachable)."""
    url = pg_databases.create()
    Catalog.open(url).init()  # explicitly: PostgreSQL is never seeded silently
    yield url
    pg_databases.drop(url)


@pytest.fixture(scope="session")
def zalo_fake() -> Iterator[FakeZaloApi]:
    """The fake Zalo OA API the shared servers' Zalo channel talks to."""
    with FakeZaloApi(ZALO_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, e2e_catalogue: str,
            zalo_fake: FakeZaloApi) -> Iterator[Servers]:
    """The action server and the Rasa server (REST, socket.io and Zalo, which the
    script enables when the ZALO_* variables are set), started once per test session."""
    if model_path() is None:
        pytest.fail("no trained Rasa model: run `make test`, which trains one (or set RASA_MODEL)")
    zalo = {"ZALO_APP_ID": ZALO_APP_ID, "ZALO_OA_SECRET_KEY": ZALO_SECRET,
            "ZALO_ACCESS_TOKEN": ZALO_TOKEN, "ZALO_API_BASE_URL": zalo_fake.url}
    with run_servers(tmp_path_factory.mktemp("servers"), e2e_catalogue, extra_env=zalo) as running:
        yield running


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's hosts, which
# this closed network refuses.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (no browser download), per test module:
    sync Playwright keeps an event loop running, which later asyncio tests must not meet."""
    result = subprocess.run([str(ROOT / "scripts/ensure-chromium.sh")], capture_output=True, text=True)
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.fail("Chromium is needed for the browser tests (`make browsers` installs Debian's "
                    f"chromium): {result.stderr.strip()}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id."""
    return f"test-{uuid.uuid4().hex[:10]}"


def custom_payloads(messages: list[dict]) -> list[dict]:
    """The custom payloads among the bot's messages."""
    return [m["custom"] for m in messages if "custom" in m]


def texts(messages: list[dict]) -> list[str]:
    """The texts among the bot's messages."""
    return [m["text"] for m in messages if m.get("text")]


def procedure_of(messages: list[dict]) -> tuple[str | None, str | None]:
    """(code, aspect) of the procedure answer among the messages, if any."""
    for payload in custom_payloads(messages):
        if "procedure" in payload:
            return payload["procedure"]["code"], payload["aspect"]
    return None, None


def choices_of(messages: list[dict]) -> list[str]:
    """The codes of a choice question among the messages, if any."""
    for payload in custom_payloads(messages):
        if "choices" in payload:
            return list(payload["choices"])
    return []


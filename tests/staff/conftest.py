"""Fixtures of the staff workspace tests: a seeded catalogue copy, accounts, a client.

The bundled sample is seeded once per session (it takes seconds); every test that
changes anything works on its own file copy of it.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from procedures_catalog import db, turnlog
from procedures_catalog.accounts import Accounts
from procedures_catalog.service import Catalog
from procedures_catalog.settings import get_settings

EDITOR, VIEWER = "lan.nguyen", "binh.tran"
PASSWORD = "mat-khau-thu-nghiem-1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def _staff_environment() -> Iterator[None]:
    """Tests see the defaults, whatever CATALOG_/STAFF_/TURNLOG_ variables are set."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("CATALOG_", "STAFF_", "TURNLOG_")):
                mp.delenv(name)
        yield


@pytest.fixture(autouse=True)
def _fresh_turnlog_caches() -> Iterator[None]:
    turnlog.reset_caches()
    yield
    turnlog.reset_caches()


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample seeded once into a SQLite file (checkpointed, closed)."""
    path = tmp_path_factory.mktemp("staff-seed") / "catalog.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    Catalog(engine, get_settings()).ensure_ready()
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def catalog_url(seeded_sqlite: Path, tmp_path: Path) -> str:
    """A private copy of the seeded catalogue."""
    dest = tmp_path / "catalog.sqlite3"
    shutil.copyfile(seeded_sqlite, dest)
    return f"sqlite:///{dest}"


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    """A catalogue on the private copy (its engine is disposed afterwards)."""
    engine = db.make_engine(catalog_url)
    yield Catalog(engine, get_settings())
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[object]:
    """An engine on a migrated but empty database (for the turn log)."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    db.migrate(engine)
    yield engine
    engine.dispose()


@dataclass
class Staff:
    """A signed-out client of the workspace and the accounts behind it."""

    client: object
    catalog: Catalog
    accounts: Accounts

    def csrf(self, path: str = "/admin/login") -> str:
        """The CSRF token of the client's session, read from a page's form."""
        response = self.client.get(path)  # type: ignore[attr-defined]
        match = CSRF_RE.search(response.text)
        assert match, f"no CSRF field on {path}"
        return match.group(1)

    def login(self, username: str = EDITOR, password: str = PASSWORD) -> object:
        """Sign in; returns the final response."""
        return self.client.post(  # type: ignore[attr-defined]
            "/admin/login", data={"username": username, "password": password, "csrf_token": self.csrf()},
            follow_redirects=True,
        )

    def post(self, path: str, data: dict[str, str], *, page: str | None = None, **kwargs: object) -> object:
        """POST a form with the session's CSRF token (read from ``page`` or ``path``)."""
        token = self.csrf(page or "/admin/dashboard")
        return self.client.post(path, data={**data, "csrf_token": token}, **kwargs)  # type: ignore[attr-defined]


@pytest.fixture
def staff(catalog: Catalog) -> Iterator[Staff]:
    """The workspace on a private catalogue, with an editor and a viewer account."""
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

    from staff.app import create_app
    from staff.settings import StaffSettings

    accounts = Accounts(catalog.engine)
    accounts.add(EDITOR, PASSWORD, "editor", "Nguyễn Thị Lan")
    accounts.add(VIEWER, PASSWORD, "viewer", "Trần Văn Bình")
    app = create_app(catalog=catalog, settings=StaffSettings(secret_key="test-secret-key"), warm_index=False)
    with TestClient(app, base_url="http://localhost") as client:
        yield Staff(client, catalog, app.state.accounts)


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """The values a browser would submit from the form ``form_id`` (no submit buttons)."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = False
            self.data: dict[str, str] = {}
            self.textarea: str | None = None
            self.select: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "form":
                self.inside = a.get("id") == form_id
            if not self.inside:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        self.data[a["name"]] = a.get("value") or "y"
                else:
                    self.data[a["name"]] = a.get("value", "")
            elif tag == "textarea":
                self.textarea = a["name"]
                self.data[self.textarea] = ""
            elif tag == "select":
                self.select = a["name"]
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = a.get("value", "")

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.inside = False
            elif tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, data: str) -> None:
            if self.inside and self.textarea:
                self.data[self.textarea] += data

    parser = Parser()
    parser.feed(html)
    assert parser.data, f"no form {form_id!r} on the page"
    # Browsers drop the one newline that follows <textarea>.
    return {k: v.removeprefix("\r").removeprefix("\n") for k, v in parser.data.items()}

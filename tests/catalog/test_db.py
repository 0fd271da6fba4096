"""Where the default catalogue lives: var/, and an old data/catalog.sqlite3 moved there once."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from procedures_catalog import db, settings
from procedures_catalog.accounts import Accounts
from procedures_catalog.service import Catalog


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in project root: the default database paths point into ``tmp_path``."""
    monkeypatch.setattr(settings, "_project_root", lambda: tmp_path)
    db.dispose_engines()
    yield tmp_path
    db.dispose_engines()


def test_the_default_database_is_runtime_state_in_var(project: Path) -> None:
    assert settings.default_database_path() == project / "var" / "catalog.sqlite3"
    assert settings.default_database_url() == f"sqlite:///{project / 'var' / 'catalog.sqlite3'}"
    assert settings.legacy_database_path() == project / "data" / "catalog.sqlite3"


def test_catalog_data_dir_moves_the_default_and_has_no_legacy_file(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_DATA_DIR", str(project / "elsewhere"))
    assert settings.default_database_path() == project / "elsewhere" / "catalog.sqlite3"
    assert settings.legacy_database_path() is None


def test_an_old_catalogue_in_data_is_moved_once_with_its_staff_accounts(
        project: Path, sqlite_template: Path, caplog: pytest.LogCaptureFixture) -> None:
    legacy = project / "data" / "catalog.sqlite3"
    legacy.parent.mkdir()
    shutil.copyfile(sqlite_template, legacy)
    old = Catalog(db.make_engine(f"sqlite:///{legacy}"))
    Accounts(old.engine).add("lan", "mật khẩu đủ dài 123", "editor")
    old.engine.dispose()

    with caplog.at_level(logging.WARNING, logger="procedures_catalog.db"):
        catalog = Catalog.open()
    target = project / "var" / "catalog.sqlite3"
    assert catalog.engine.url.database == str(target)
    assert target.is_file() and not legacy.exists()
    assert Accounts(catalog.engine).get("lan") is not None
    assert catalog.count() == 1787
    assert any("moved the catalogue database" in r.getMessage() for r in caplog.records)


def test_uncheckpointed_commits_move_with_the_file(tmp_path: Path) -> None:
    # A process that stopped without checkpointing leaves commits in the -wal file.
    live = tmp_path / "live.sqlite3"
    connection = sqlite3.connect(live)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE t (x TEXT)")
    connection.execute("INSERT INTO t VALUES ('kept')")
    connection.commit()
    legacy = tmp_path / "data" / "catalog.sqlite3"
    legacy.parent.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{live}{suffix}", f"{legacy}{suffix}")
    connection.close()
    assert Path(f"{legacy}-wal").stat().st_size > 0

    target = tmp_path / "var" / "catalog.sqlite3"
    assert db.adopt_legacy_database(target, legacy)
    assert not any(Path(f"{legacy}{s}").exists() for s in ("", "-wal", "-shm"))
    with sqlite3.connect(target) as moved:
        assert moved.execute("SELECT x FROM t").fetchall() == [("kept",)]


def test_an_existing_database_is_never_overwritten(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    legacy, target = tmp_path / "data" / "c.sqlite3", tmp_path / "var" / "c.sqlite3"
    for path, content in ((legacy, b"old"), (target, b"current")):
        path.parent.mkdir()
        path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="procedures_catalog.db"):
        assert not db.adopt_legacy_database(target, legacy)
    assert target.read_bytes() == b"current" and legacy.read_bytes() == b"old"
    assert "ignoring the old catalogue" in caplog.text
    assert not db.adopt_legacy_database(target, None)
    assert not db.adopt_legacy_database(tmp_path / "var" / "new.sqlite3", tmp_path / "missing")
    assert not (tmp_path / "var" / "new.sqlite3").exists()

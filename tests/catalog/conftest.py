"""Catalogue fixtures: the seeded sample built once, cheap copies, empty catalogues.

Seeding the bundled sample (1,787 procedures, offices, curated aliases) takes
seconds, so it happens once per backend per session. Tests that change the
catalogue get their own copy: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE``
on PostgreSQL. Read-only tests (search, dialogue, answers) share one catalogue and
its search index.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from procedures_catalog import db
from procedures_catalog.importers import ReadResult
from procedures_catalog.records import EDITABLE_FIELDS
from procedures_catalog.search import SearchIndex
from procedures_catalog.service import Catalog, procedure_to_dict, record_from_procedure
from procedures_catalog.settings import DEFAULT_SAMPLE, get_settings

if TYPE_CHECKING:
    from tests.conftest import PgDatabases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"
THREE_PROCEDURES = FIXTURES / "three_procedures.csv"

# The `catalog stats --json` contract for the bundled sample.
SAMPLE_STATS = {
    "total": 1787,
    "by_level": {"tinh": 1480, "huyen": 217, "xa": 90},
    "by_online_level": {"thong_tin": 86, "mot_phan": 486, "toan_trinh": 1215},
}

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session", autouse=True)
def _catalog_environment() -> Iterator[None]:
    """Tests see the defaults, whatever CATALOG_* variables the developer has set."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("CATALOG_"):
                mp.delenv(name)
        yield


def open_catalog(url: str) -> Catalog:
    """A catalogue on its own (uncached) engine; the caller disposes ``engine``."""
    return Catalog(db.make_engine(url), get_settings())


# --------------------------------------------------------------------- SQLite
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded sample as a SQLite file that is only ever copied, never opened again."""
    path = tmp_path_factory.mktemp("seeded") / "c.sqlite3"
    catalog = Catalog.open(f"sqlite:///{path}")
    assert catalog.count() == SAMPLE_STATS["total"]
    # Closing every connection checkpoints the WAL into the file, so a copy is whole.
    catalog.engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def copy_sqlite(template: Path, folder: Path) -> str:
    """Copy the seeded file into ``folder`` and return its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "c.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sample_catalog(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The seeded sample for read-only tests (do not change it)."""
    return Catalog.open(copy_sqlite(sqlite_template, tmp_path_factory.mktemp("shared")))


@pytest.fixture(scope="session")
def sample_index(sample_catalog: Catalog) -> SearchIndex:
    """The search index of the seeded sample, built once."""
    return sample_catalog.index()


@pytest.fixture(scope="session")
def sample_records(sample_catalog: Catalog) -> ReadResult:
    """The seeded sample as import records (what reading the bundled file gives)."""
    provided = frozenset({"code", *EDITABLE_FIELDS})
    records = [record_from_procedure(p) for p in sample_catalog.procedures()]
    return ReadResult(records, [provided] * len(records), "csv", DEFAULT_SAMPLE.name)


# ----------------------------------------------------------------- PostgreSQL
@pytest.fixture(scope="session")
def pg_template(pg_databases: PgDatabases) -> str:
    """Name of a PostgreSQL database holding the seeded sample (a template only)."""
    url = pg_databases.create()
    catalog = Catalog.open(url)
    catalog.init()  # PostgreSQL is never seeded silently: ask for the sample
    assert catalog.count() == SAMPLE_STATS["total"]
    # CREATE DATABASE … TEMPLATE needs the template to have no connections.
    db.dispose_engines()
    return url.rsplit("/", 1)[1]


# ------------------------------------------------------------ per-test copies
@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of a parametrised test."""
    return str(request.param)


def _fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path, *,
               seeded: bool) -> str:
    if backend == "sqlite":
        if seeded:
            return copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "db")
        return f"sqlite:///{tmp_path / 'db' / 'empty.sqlite3'}"
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    return databases.create(request.getfixturevalue("pg_template") if seeded else None)


def _close(request: pytest.FixtureRequest, catalog: Catalog, backend: str) -> None:
    catalog.engine.dispose()
    if backend == "postgres":
        databases: PgDatabases = request.getfixturevalue("pg_databases")
        databases.drop(catalog.engine.url.render_as_string(hide_password=False))


@pytest.fixture
def catalog(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Catalog]:
    """A private copy of the seeded sample, on each backend."""
    catalog = open_catalog(_fresh_url(request, backend, tmp_path, seeded=True))
    yield catalog
    _close(request, catalog, backend)


@pytest.fixture
def empty_catalog(request: pytest.FixtureRequest, backend: str,
                  tmp_path: Path) -> Iterator[Catalog]:
    """A migrated catalogue with no procedures, on each backend."""
    catalog = open_catalog(_fresh_url(request, backend, tmp_path, seeded=False))
    db.migrate(catalog.engine)
    yield catalog
    _close(request, catalog, backend)


@pytest.fixture
def sqlite_copy(sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a private SQLite copy of the seeded sample (for the CLI tests)."""
    return copy_sqlite(sqlite_template, tmp_path / "db")


# ------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Snapshot:
    """What must not move when a change is refused."""

    count: int
    count_all: int
    revision: int
    sample: dict[str, Any]
    stats: dict[str, Any]


def take_snapshot(catalog: Catalog, code: str = "1.001193") -> Snapshot:
    """Record the catalogue's size, revision, one procedure and the stats."""
    return Snapshot(
        count=catalog.count(),
        count_all=catalog.count(include_retired=True),
        revision=catalog.revision(),
        sample=procedure_to_dict(catalog.require(code)),
        stats=catalog.stats(),
    )


@pytest.fixture
def snapshot() -> Callable[..., Snapshot]:
    """``snapshot(catalog, code="1.001193")``: the state a refused change must keep."""
    return take_snapshot


@pytest.fixture
def three_rows() -> list[list[str]]:
    """The rows (header first) of tests/fixtures/catalog/three_procedures.csv, to edit.

    Row 2 and 3 are new procedures (9.000001, 9.000002); row 4 renames 1.001193, so
    an import that is not all-or-nothing visibly changes the seeded sample.
    """
    with THREE_PROCEDURES.open(encoding="utf-8", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    """Rows as CSV text, the way a spreadsheet saves them."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def write_rows(tmp_path: Path) -> Callable[..., Path]:
    """``write_rows(rows, name="import.csv", encoding="utf-8") -> Path`` in tmp_path."""

    def write(rows: Sequence[Sequence[str]], name: str = "import.csv",
              encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(csv_text(rows).encode(encoding))
        return path

    return write

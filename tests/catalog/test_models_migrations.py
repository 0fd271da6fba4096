"""The Alembic migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from procedures_catalog import db
from procedures_catalog.models import Base

TABLES = {"procedures", "aliases", "offices", "audit_entries"}


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (this module's PostgreSQL database is reused)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_url")
    engine = db.make_engine(url)
    # Tests share the module's PostgreSQL database: start each one from nothing.
    command.downgrade(db.alembic_config(engine), "base")
    yield engine
    command.downgrade(db.alembic_config(engine), "base")
    engine.dispose()


def _head(engine: Engine) -> str:
    heads = ScriptDirectory.from_config(db.alembic_config(engine)).get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    return heads[0]


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_from_empty_creates_the_tables(engine: Engine) -> None:
    assert not TABLES & set(inspect(engine).get_table_names())
    assert db.current_revision(engine) is None

    db.migrate(engine)

    inspector = inspect(engine)
    assert TABLES <= set(inspector.get_table_names())
    assert db.current_revision(engine) == _head(engine)
    indexes = inspector.get_indexes("procedures")
    code_index = [ix for ix in indexes if ix["column_names"] == ["code"]]
    assert code_index and code_index[0]["unique"], "procedure codes must be unique"


def test_models_and_migrations_agree(engine: Engine) -> None:
    db.migrate(engine)
    assert _diff(engine) == [], "models.py changed without a migration (or the reverse)"


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    db.migrate(engine)
    command.downgrade(db.alembic_config(engine), "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    assert db.current_revision(engine) is None

    db.migrate(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    assert db.current_revision(engine) == _head(engine)
    assert _diff(engine) == []


def test_migrate_twice_is_harmless(engine: Engine) -> None:
    db.migrate(engine)
    db.migrate(engine)
    assert db.current_revision(engine) == _head(engine)

"""The assistant's cached catalogue: the same answers as the database, changes seen at once."""

from __future__ import annotations

import contextvars
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from procedures_catalog import editions
from procedures_catalog.cached import CachedCatalog, start_look
from procedures_catalog.service import Catalog
from tests.catalog.test_editions import FEES, MOVED, TODAY, stage

CODE = "1.001193"


@pytest.fixture
def cached(catalog: Catalog) -> CachedCatalog:
    """The same database as ``catalog``, read through the cache."""
    return CachedCatalog(catalog.engine, catalog.settings)


def test_reads_are_those_of_the_database(catalog: Catalog, cached: CachedCatalog) -> None:
    for _ in range(2):  # filled, then from memory
        assert cached.procedure_facts(CODE) == catalog.procedure_facts(CODE)
        assert cached.get(CODE).name == catalog.get(CODE).name
        assert cached.get("0.000000") is None
        assert cached.stats() == catalog.stats()
        assert cached.field_counts() == catalog.field_counts()
        assert {k: o.as_dict() for k, o in cached.offices().items()} == \
            {k: o.as_dict() for k, o in catalog.offices().items()}
        assert [h.code for h in cached.index().search("lệ phí khai sinh")] == \
            [h.code for h in catalog.index().search("lệ phí khai sinh")]


def test_a_caller_changing_a_result_changes_nothing_for_the_next(cached: CachedCatalog) -> None:
    facts = cached.procedure_facts(CODE)
    facts["name"] = "sửa bậy"
    facts["contacts"].clear()
    again = cached.procedure_facts(CODE)
    assert again["name"] != "sửa bậy" and again["contacts"]


def test_a_staff_edit_is_read_on_the_next_question(catalog: Catalog, cached: CachedCatalog) -> None:
    assert cached.procedure_facts(CODE)["fees"] != "Lệ phí: 7.000 đồng"
    catalog.set_field(CODE, "fees", "Lệ phí: 7.000 đồng", by="tester", reason="bảng phí mới")
    assert cached.procedure_facts(CODE)["fees"] == "Lệ phí: 7.000 đồng"
    before = cached.offices()["tinh"].phone
    catalog.set_office("tinh", "phone", "0273 3 999 999", by="tester", reason="số mới")
    assert cached.offices()["tinh"].phone == "0273 3 999 999" != before
    catalog.set_status(CODE, "retired", by="tester", reason="bãi bỏ")
    assert cached.procedure_facts(CODE) is None
    assert CODE not in [h.code for h in cached.index().search("lệ phí khai sinh", limit=20)]


def test_a_staged_edition_takes_effect_on_its_date(catalog: Catalog, cached: CachedCatalog,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cached.procedure_facts(MOVED)
    edition = stage(catalog, tmp_path, TODAY + timedelta(days=1))
    assert cached.procedure_facts(MOVED)["level"] == "huyen"  # not its date yet
    monkeypatch.setattr(editions, "today", lambda: TODAY + timedelta(days=1))
    assert cached.procedure_facts(MOVED)["level"] == "xa"
    assert cached.procedure_facts(FEES)["edition"]["id"] == edition["id"]


def test_one_request_checks_for_changes_once(catalog: Catalog, cached: CachedCatalog) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's hook
        statements.append(statement)

    cached.procedure_facts(CODE), cached.index(), cached.get(CODE)  # in memory now
    event.listen(catalog.engine, "before_cursor_execute", count)
    try:
        def turn() -> None:
            start_look()
            cached.index()
            cached.procedure_facts(CODE)
            cached.get(CODE)
            cached.offices()

        contextvars.copy_context().run(turn)
        assert len(statements) == 1
        cached.index()  # outside the request: checked again
        assert len(statements) == 2
    finally:
        event.remove(catalog.engine, "before_cursor_execute", count)

"""Every change leaves a trail: who, when, which field, old and new value, and why.

Runs on SQLite and PostgreSQL, each test on a private copy of the seeded sample.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from procedures_catalog import db
from procedures_catalog.models import AuditEntry
from procedures_catalog.service import Catalog, InvalidChange


def _recent(at: datetime) -> bool:
    # SQLite hands back naive datetimes; they are stored in UTC.
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return abs(datetime.now(timezone.utc) - at) < timedelta(minutes=5)


def _new_entries(catalog: Catalog, since: int) -> list[AuditEntry]:
    return [e for e in reversed(catalog.recent_changes(500)) if e.id > since]


def test_set_field_records_actor_time_field_old_new_and_reason(catalog: Catalog) -> None:
    old = catalog.require("1.001193").fees
    since = catalog.revision()
    catalog.set_field("1.001193", "fees", "Miễn lệ phí", by="chi.lan", reason="Decision 12/2024")

    (entry,) = _new_entries(catalog, since)
    assert (entry.entity, entry.entity_key, entry.action) == ("procedure", "1.001193", "update")
    assert (entry.actor, entry.field, entry.reason) == ("chi.lan", "fees", "Decision 12/2024")
    assert (entry.old_value, entry.new_value) == (old, "Miễn lệ phí")
    assert _recent(entry.at)
    assert catalog.history("1.001193")[-1].id == entry.id


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_change_without_a_reason_is_refused_and_writes_nothing(
    catalog: Catalog, snapshot, reason: str | None
) -> None:
    before = snapshot(catalog)
    history = [e.id for e in catalog.history("1.001193")]
    with pytest.raises(InvalidChange, match="reason"):
        catalog.set_field("1.001193", "fees", "Miễn lệ phí", by="chi.lan", reason=reason)
    with pytest.raises(InvalidChange, match="reason"):
        catalog.set_status("1.001193", "retired", by="chi.lan", reason=reason)
    with pytest.raises(InvalidChange, match="reason"):
        catalog.set_office("xa", "phone", "0273 000", by="chi.lan", reason=reason)
    assert snapshot(catalog) == before
    assert [e.id for e in catalog.history("1.001193")] == history
    assert catalog.offices()["xa"].phone != "0273 000"


def test_a_change_without_an_actor_is_refused_and_writes_nothing(
    catalog: Catalog, snapshot
) -> None:
    before = snapshot(catalog)
    with pytest.raises(InvalidChange, match="--by"):
        catalog.set_field("1.001193", "fees", "x", by=" ", reason="why")
    with pytest.raises(InvalidChange, match="--by"):
        catalog.add_alias("1.001193", "giấy chào đời", by="", reason="why")
    assert snapshot(catalog) == before


def test_alias_add_and_remove_are_recorded(catalog: Catalog) -> None:
    since = catalog.revision()
    assert catalog.add_alias("1.001193", "giấy chào đời", by="chi.lan", reason="asked often")
    assert not catalog.add_alias("1.001193", "Giấy chào đời!", by="chi.lan", reason="same words")
    assert catalog.remove_alias("1.001193", "giay chao doi", by="anh.tu", reason="misleading")
    assert not catalog.remove_alias("1.001193", "giấy chào đời", by="anh.tu", reason="gone")

    added, removed = _new_entries(catalog, since)
    assert (added.action, added.entity, added.entity_key, added.field) == (
        "alias_add", "alias", "1.001193", "alias")
    assert (added.actor, added.old_value, added.new_value, added.reason) == (
        "chi.lan", None, "giấy chào đời", "asked often")
    assert (removed.action, removed.actor, removed.old_value, removed.new_value) == (
        "alias_remove", "anh.tu", "giấy chào đời", None)
    assert removed.reason == "misleading"
    assert [e.action for e in catalog.history("1.001193")[-2:]] == ["alias_add", "alias_remove"]


def test_an_import_records_each_change_under_one_batch(
    catalog: Catalog, three_rows, write_rows
) -> None:
    old_name = catalog.require("1.001193").name
    since = catalog.revision()
    plan = catalog.import_file(write_rows(three_rows), by="importer", reason="provincial update")

    entries = _new_entries(catalog, since)
    assert {e.batch for e in entries} == {plan.batch}
    assert {(e.actor, e.reason) for e in entries} == {("importer", "provincial update")}
    assert all(_recent(e.at) for e in entries)
    created = {e.entity_key: e for e in entries if e.action == "create"}
    assert set(created) == {"9.000001", "9.000002"}
    assert created["9.000001"].new_value == "Thủ tục đăng ký nuôi ong mật thử nghiệm"
    (rename,) = [e for e in entries if e.entity_key == "1.001193" and e.field == "name"]
    assert (rename.action, rename.old_value) == ("update", old_name)
    assert rename.new_value == "Thủ tục đăng ký khai sinh (tên sửa khi nhập thử)"


def test_an_import_without_a_reason_says_which_file(
    catalog: Catalog, three_rows, write_rows
) -> None:
    catalog.import_file(write_rows(three_rows, name="june.csv"), by="importer")
    assert catalog.history("9.000001")[-1].reason == "import of june.csv"


def test_history_lists_changes_oldest_first(catalog: Catalog) -> None:
    for n, fee in enumerate(["10.000 đồng", "20.000 đồng", "30.000 đồng"]):
        catalog.set_field("1.000656", "fees", fee, by="chi.lan", reason=f"step {n}")
    catalog.set_status("1.000656", "retired", by="chi.lan", reason="step 3")

    history = catalog.history("1.000656")
    ids = [e.id for e in history]
    assert ids == sorted(ids)
    ats = [e.at for e in history]
    assert ats == sorted(ats)
    assert [e.reason for e in history[-4:]] == ["step 0", "step 1", "step 2", "step 3"]
    assert [e.new_value for e in history[-4:]] == ["10.000 đồng", "20.000 đồng", "30.000 đồng",
                                                  "retired"]
    assert history[-3].old_value == "10.000 đồng"


def test_revision_increases_on_every_change_and_only_then(
    catalog: Catalog, three_rows, write_rows
) -> None:
    changes = [
        lambda: catalog.set_field("1.001193", "fees", "Miễn lệ phí", by="t", reason="r"),
        lambda: catalog.add_alias("1.001193", "giấy chào đời", by="t", reason="r"),
        lambda: catalog.remove_alias("1.001193", "giấy chào đời", by="t", reason="r"),
        lambda: catalog.set_status("1.001193", "retired", by="t", reason="r"),
        lambda: catalog.set_status("1.001193", "active", by="t", reason="r"),
        lambda: catalog.set_office("xa", "hours", "7h–17h", by="t", reason="r"),
        lambda: catalog.import_file(write_rows(three_rows), by="t"),
    ]
    revision = catalog.revision()
    for change in changes:
        change()
        assert catalog.revision() > revision
        revision = catalog.revision()

    no_ops = [
        lambda: catalog.set_field("1.001193", "fees", "Miễn lệ phí", by="t", reason="r"),
        lambda: catalog.set_status("1.001193", "active", by="t", reason="r"),
        lambda: catalog.import_file(write_rows(three_rows), by="t"),
    ]
    for no_op in no_ops:
        no_op()
        assert catalog.revision() == revision


def test_search_sees_a_change_at_once_in_another_process_view(catalog: Catalog) -> None:
    # The assistant keeps its own Catalog (own engine) while staff edit: it must
    # see the edit on its next question, without a restart.
    assistant = Catalog(db.make_engine(catalog.engine.url.render_as_string(hide_password=False)))
    try:
        assert all(h.code != "1.001193" for h in assistant.search("xyz độc nhất"))

        catalog.add_alias("1.001193", "xyz độc nhất", by="chi.lan", reason="test word")
        hits = assistant.search("xyz độc nhất")
        assert hits and hits[0].code == "1.001193"

        catalog.set_field("1.000656", "name", "Thủ tục báo tin người qua đời quokka", by="chi.lan",
                          reason="rename")
        hits = assistant.search("báo tin qua đời quokka")
        assert hits and hits[0].code == "1.000656"
        assert hits[0].name == "Thủ tục báo tin người qua đời quokka"
    finally:
        assistant.engine.dispose()

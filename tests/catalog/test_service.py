"""The Catalog service: reading, the stats contract, and validated changes.

Every test here runs on SQLite and on PostgreSQL, each on a private copy of the
seeded sample. The audit trail of these changes is checked in test_audit.py.
"""

from __future__ import annotations

import pytest

from procedures_catalog.service import Catalog, InvalidChange, NotFound

SAMPLE_STATS = {
    "total": 1787,
    "by_level": {"tinh": 1480, "huyen": 217, "xa": 90},
    "by_online_level": {"thong_tin": 86, "mot_phan": 486, "toan_trinh": 1215},
}


def test_seeded_sample_matches_the_stats_contract(catalog: Catalog) -> None:
    stats = catalog.stats()
    assert {k: stats[k] for k in SAMPLE_STATS} == SAMPLE_STATS
    assert stats["retired"] == 0
    assert catalog.count() == catalog.count(include_retired=True) == 1787


def test_seeding_loads_offices_and_curated_aliases(catalog: Catalog) -> None:
    # The two-tier set-up: no district desk since 1 July 2025.
    assert set(catalog.offices()) == {"tinh", "xa", "hotline"}
    assert catalog.office_for_level("xa") is not None
    with_aliases = [p for p in catalog.procedures() if p.aliases]
    assert len(with_aliases) > 50
    assert {a.origin for p in with_aliases for a in p.aliases} == {"curated"}


def test_opening_a_seeded_catalogue_again_does_not_reseed(catalog: Catalog) -> None:
    revision = catalog.revision()
    assert catalog.ensure_ready() is False
    assert catalog.revision() == revision
    assert catalog.count() == 1787


def test_an_empty_catalogue_is_seeded_silently_only_on_sqlite(empty_catalog: Catalog,
                                                               backend: str) -> None:
    seeded = empty_catalog.ensure_ready()
    assert seeded is (backend == "sqlite")
    assert empty_catalog.count() == (1787 if backend == "sqlite" else 0)
    if backend == "postgres":
        # Asked for explicitly, the sample loads (what `catalog init --sample` does).
        empty_catalog.init()
        assert empty_catalog.count() == 1787


def test_seeding_records_the_sample_edition(catalog: Catalog) -> None:
    from procedures_catalog import editions

    current = editions.in_force(catalog)
    assert current is not None
    assert (current["name"], current["effective_from"], current["kind"], current["status"]) == (
        "tỉnh Tiền Giang năm 2024 (bản mẫu)", "2024-01-01", "sample", "active")
    assert editions.stats(catalog, current["id"]) == SAMPLE_STATS


def test_get_require_and_unknown_codes(catalog: Catalog) -> None:
    p = catalog.get(" 1.001193 ")
    assert p is not None and p.name == "Thủ tục đăng ký khai sinh"
    assert (p.level, p.online_level) == ("xa", "mot_phan")
    assert catalog.get("9.999999") is None
    with pytest.raises(NotFound, match="9.999999"):
        catalog.require("9.999999")


def test_procedures_are_ordered_by_code(catalog: Catalog) -> None:
    codes = [p.code for p in catalog.procedures()]
    assert len(codes) == 1787
    assert codes == sorted(codes)


def test_set_field_changes_the_value_and_the_derived_facts(catalog: Catalog) -> None:
    assert catalog.set_field("1.001193", "fees", "Miễn lệ phí", by="tester", reason="check")
    p = catalog.require("1.001193")
    assert p.fees == "Miễn lệ phí"
    assert p.fee_free is True

    assert catalog.set_field("1.001193", "processing_time", "3 ngày làm việc", by="tester",
                             reason="check")
    p = catalog.require("1.001193")
    assert p.processing_days == 3


def test_set_level_accepts_staff_wording_and_moves_the_stats(catalog: Catalog) -> None:
    assert catalog.set_field("1.001193", "level", "Cấp huyện", by="tester", reason="moved")
    p = catalog.require("1.001193")
    assert (p.level, p.level_source) == ("huyen", "staff")
    stats = catalog.stats()
    assert stats["by_level"] == {"tinh": 1480, "huyen": 218, "xa": 89}
    assert stats["total"] == 1787


def test_set_documents_stores_a_checklist(catalog: Catalog) -> None:
    catalog.set_field("1.001193", "documents", "- Tờ khai\n- Giấy chứng sinh", by="tester",
                      reason="check")
    assert catalog.require("1.001193").documents == ["Tờ khai", "Giấy chứng sinh"]


@pytest.mark.parametrize(
    ("field_name", "value", "message"),
    [
        ("level", "cấp bộ", "level must be one of"),
        ("online_level", "mức độ 5", "online_level must be one of"),
        ("name", "   ", "name cannot be empty"),
        ("status", "retired", "unknown field"),
        ("code", "1.999999", "unknown field"),
    ],
)
def test_set_field_refuses_bad_values_and_changes_nothing(
    catalog: Catalog, snapshot, field_name: str, value: str, message: str
) -> None:
    before = snapshot(catalog)
    with pytest.raises(InvalidChange, match=message):
        catalog.set_field("1.001193", field_name, value, by="tester", reason="bad value")
    assert snapshot(catalog) == before


def test_set_field_on_an_unknown_code_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound):
        catalog.set_field("9.999999", "fees", "x", by="tester", reason="check")


def test_setting_the_same_value_is_not_a_change(catalog: Catalog) -> None:
    revision = catalog.revision()
    name = catalog.require("1.001193").name
    assert catalog.set_field("1.001193", "name", f"  {name} ", by="tester", reason="same") is False
    assert catalog.revision() == revision


def test_retire_and_restore_move_the_stats_and_keep_the_row(catalog: Catalog) -> None:
    assert catalog.set_status("1.001193", "retired", by="tester", reason="merged")
    assert catalog.stats()["total"] == 1786
    assert catalog.stats()["by_level"]["xa"] == 89
    assert catalog.stats()["retired"] == 1
    assert catalog.get("1.001193", include_retired=False) is None
    assert catalog.require("1.001193").status == "retired"
    assert "1.001193" not in {p.code for p in catalog.procedures()}
    assert catalog.set_status("1.001193", "retired", by="tester", reason="again") is False

    assert catalog.set_status("1.001193", "active", by="tester", reason="back")
    stats = catalog.stats()
    assert {k: stats[k] for k in SAMPLE_STATS} == SAMPLE_STATS
    with pytest.raises(InvalidChange):
        catalog.set_status("1.001193", "deleted", by="tester", reason="no such status")


def test_offices_can_be_changed_with_validation(catalog: Catalog) -> None:
    assert catalog.set_office("xa", "phone", "0273 111 222", by="tester", reason="new line")
    assert catalog.offices()["xa"].phone == "0273 111 222"
    with pytest.raises(InvalidChange):
        catalog.set_office("bo", "phone", "1", by="tester", reason="unknown office")
    with pytest.raises(InvalidChange):
        catalog.set_office("xa", "name", "  ", by="tester", reason="empty name")
    with pytest.raises(InvalidChange):
        catalog.set_office("xa", "fax", "1", by="tester", reason="unknown field")

"""Catalogue editions: staged on import, in force on their date, compared, kept in history.

A "new list" here is the seeded sample exported and changed the way the merged
province's list changes it: a former district procedure moved to the commune, a fee
changed, one procedure dropped and one added.
"""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from procedures_catalog import editions
from procedures_catalog.answers import answer
from procedures_catalog.cli import cli
from procedures_catalog.importers import read_file
from procedures_catalog.service import Catalog

MOVED, FEES, DROPPED = "1.115743", "1.001193", "1.000016"
NEW_CODE = "9.900001"
TODAY = date.today()


def write_new_list(catalog: Catalog, folder: Path) -> Path:
    """The current catalogue as a file, changed like the 2025 list changes it."""
    exported = folder / "current.csv.gz"
    catalog.export(exported)
    with gzip.open(exported, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        if row["code"] == DROPPED:
            continue
        if row["code"] == MOVED:
            row.update(level="xa", level_source="", level_portal="xa")
        if row["code"] == FEES:
            row["fees"] = "Lệ phí: 5.000 đồng"
        out.append(row)
    out.append({**out[0], "code": NEW_CODE, "name": "Thủ tục thử nghiệm của danh mục mới"})
    path = folder / "dong_thap_2025.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(out)
    return path


def stage(catalog: Catalog, tmp_path: Path, when: date) -> dict:
    info = editions.EditionInfo(name="tỉnh Đồng Tháp 2025 (thử)", effective_from=when,
                                decision="947/QĐ-UBND", unit="Tỉnh Đồng Tháp")
    edition, applied = editions.create(catalog, read_file(write_new_list(catalog, tmp_path)), info,
                                       by="tester")
    assert (applied is None) == (when > TODAY or when < date(2024, 1, 1))
    return edition


def test_a_later_edition_is_staged_and_changes_nothing_yet(catalog: Catalog, tmp_path: Path) -> None:
    before = catalog.stats()
    edition = stage(catalog, tmp_path, TODAY + timedelta(days=1))
    assert edition["status"] == "staged"
    assert catalog.stats() == before
    assert catalog.require(MOVED).level == "huyen"
    assert editions.in_force(catalog)["id"] == 1
    assert editions.activate_due(catalog) is None  # not its date yet


def test_the_difference_lists_what_changed(catalog: Catalog, tmp_path: Path) -> None:
    edition = stage(catalog, tmp_path, TODAY + timedelta(days=30))
    d = editions.diff(catalog, 1, edition["id"])
    assert [r["code"] for r in d["added"]] == [NEW_CODE]
    assert [r["code"] for r in d["removed"]] == [DROPPED]
    assert [(r["code"], r["old"], r["new"]) for r in d["changed"]["level"]] == [(MOVED, "huyen", "xa")]
    assert [r["code"] for r in d["changed"]["fees"]] == [FEES]
    assert d["changed"]["online_level"] == [] and d["changed"]["processing_time"] == []


def test_an_edition_takes_effect_on_its_date_and_the_old_one_stays(catalog: Catalog,
                                                                 tmp_path: Path) -> None:
    edition = stage(catalog, tmp_path, TODAY + timedelta(days=1))
    assert editions.activate_due(catalog, on=TODAY + timedelta(days=1)) == edition["id"]
    assert editions.in_force(catalog)["id"] == edition["id"]
    assert [e["status"] for e in editions.list_editions(catalog)] == ["active", "superseded"]
    moved = catalog.require(MOVED)
    # An official list confirms the level it gives.
    assert (moved.level, moved.level_source) == ("xa", "official")
    assert catalog.get(DROPPED).status == "retired"
    assert catalog.get(NEW_CODE) is not None
    # The old edition is whole: its totals are still those of the sample.
    assert editions.stats(catalog, 1)["by_level"]["huyen"] == 217
    # Answers follow: no reform caveat, the level is stated plainly and verified.
    facts = catalog.procedure_facts(MOVED)
    assert facts["provenance"]["level"] == "official" and facts["verified_on"] == TODAY.isoformat()
    assert facts["edition"]["name"] == "tỉnh Đồng Tháp 2025 (thử)"
    text = "\n".join(r.text for r in answer(facts, "level") if r.text)
    assert "Thủ tục này do cấp xã giải quyết." in text and "không còn cấp huyện" not in text
    changes = editions.procedure_changes(catalog, MOVED)
    assert changes["status"] == "changed"
    assert changes["changes"] == [{"field": "level", "old": "huyen", "new": "xa"}]


def test_an_edition_dated_today_is_in_force_at_once(catalog: Catalog, tmp_path: Path) -> None:
    edition = stage(catalog, tmp_path, TODAY)
    assert editions.get(catalog, edition["id"])["status"] == "active"
    assert catalog.require(FEES).fees == "Lệ phí: 5.000 đồng"


def test_an_older_staged_list_never_replaces_a_newer_one(catalog: Catalog, tmp_path: Path) -> None:
    older = stage(catalog, tmp_path, date(2023, 1, 1))  # dated before the sample's edition
    assert older["status"] == "staged"
    assert editions.in_force(catalog)["id"] == 1
    assert editions.activate_due(catalog) is None


def test_cli_editions_list_show_diff_activate(sqlite_copy: str, tmp_path: Path) -> None:
    runner = CliRunner()
    catalog = Catalog.open(sqlite_copy)
    path = write_new_list(catalog, tmp_path)
    catalog.engine.dispose()
    env = {"CATALOG_DATABASE_URL": sqlite_copy}
    later = (TODAY + timedelta(days=10)).isoformat()
    staged = runner.invoke(cli, ["import", str(path), "--by", "tester", "--edition", "Đồng Tháp 2025",
                                 "--effective-from", later, "--decision", "947/QĐ-UBND", "--json"],
                           env=env, catch_exceptions=False)
    assert staged.exit_code == 0, staged.output
    assert json.loads(staged.output)["status"] == "staged"
    listed = json.loads(runner.invoke(cli, ["editions", "list", "--json"], env=env).output)
    assert [(e["id"], e["status"], e["effective_from"]) for e in listed] == [
        (2, "staged", later), (1, "active", "2024-01-01")]
    diff = runner.invoke(cli, ["editions", "diff", "1", "2"], env=env)
    assert f"~ {MOVED}  'huyen' → 'xa'" in diff.output and f"+ {NEW_CODE}" in diff.output
    stats2 = json.loads(runner.invoke(cli, ["stats", "--json", "--edition", "2"], env=env).output)
    assert stats2["by_level"]["huyen"] == 216 and stats2["total"] == 1787
    in_force = json.loads(runner.invoke(cli, ["stats", "--json"], env=env).output)
    assert in_force["by_level"]["huyen"] == 217  # unchanged until it takes effect
    done = runner.invoke(cli, ["editions", "activate", "2", "--by", "tester"], env=env)
    assert done.exit_code == 0 and "edition #2 in force" in done.output
    assert json.loads(runner.invoke(cli, ["stats", "--json"], env=env).output)["by_level"]["huyen"] == 216
    wrong = runner.invoke(cli, ["editions", "show", "99"], env=env)
    assert wrong.exit_code == 2 and "no edition with id 99" in wrong.output


@pytest.mark.parametrize("value", ["2025-13-01", "tomorrow"])
def test_a_bad_date_is_refused(value: str) -> None:
    with pytest.raises(editions.EditionError, match="not a date"):
        editions.parse_date(value)

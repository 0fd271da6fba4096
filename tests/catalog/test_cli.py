"""The `catalog` command's contracts, run as staff and scripts run it: a subprocess.

Each test points CATALOG_DATABASE_URL at its own copy of the seeded sample.
PYTHONIOENCODING=utf-8 makes stdin strict, as on a UTF-8 desktop, so bytes that
are not UTF-8 reach the command undecoded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from procedures_catalog import db
from procedures_catalog.cli import cli
from procedures_catalog.importers import ReadResult
from procedures_catalog.service import Catalog

CATALOG_BIN = Path(sys.executable).with_name("catalog")
SAMPLE_STATS = {
    "total": 1787,
    "by_level": {"tinh": 1480, "huyen": 217, "xa": 90},
    "by_online_level": {"thong_tin": 86, "mot_phan": 486, "toan_trinh": 1215},
}
HIT_KEYS = {"code", "name", "score", "level", "online_level"}


def run(url: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run `catalog ARGS` on the database at ``url``."""
    assert CATALOG_BIN.exists(), f"{CATALOG_BIN} missing: install the project (make setup)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update(CATALOG_DATABASE_URL=url, PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [str(CATALOG_BIN), *args], input=stdin, capture_output=True, env=env, timeout=300,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )


def ok(url: str, *args: str, stdin: bytes | None = None) -> str:
    done = run(url, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def refused(url: str, *args: str) -> str:
    """Run a command that must fail cleanly; return its stderr."""
    done = run(url, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def shared_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the sample for the read-only commands of this module."""
    from shutil import copyfile

    target = tmp_path_factory.mktemp("cli") / "c.sqlite3"
    copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


def _catalog(url: str) -> Catalog:
    return Catalog(db.make_engine(url))


def in_process(url: str, *args: str) -> str:
    """Run a command that must be refused, in this process; return its error output."""
    result = CliRunner().invoke(cli, ["--database", url, *args], obj={})
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stderr


# ------------------------------------------------------------------- reading
def test_stats_json_is_the_contract(shared_url: str) -> None:
    assert json.loads(ok(shared_url, "stats", "--json")) == SAMPLE_STATS


def test_search_json_returns_hit_objects(shared_url: str) -> None:
    hits = json.loads(ok(shared_url, "search", "--json", "đăng", "ký", "khai", "sinh"))
    assert isinstance(hits, list) and hits
    assert all(HIT_KEYS <= set(hit) for hit in hits)
    assert hits[0]["code"] == "1.001193"
    assert hits[0]["level"] in ("tinh", "huyen", "xa")
    assert hits[0]["online_level"] in ("thong_tin", "mot_phan", "toan_trinh")


HOSTILE = [
    b"",
    b"   \t  ",
    b"x" * 10_000,
    "😀🎉👍".encode(),
    b"<script>alert(1)</script>",
    b"\x00\x01\x02\x1b\x7f\x08",
    b"\xff\xfe\xc3\x28 \xed\xa0\x80",  # not UTF-8 at all
]


def test_batch_search_prints_one_array_per_line_in_order(shared_url: str) -> None:
    lines = [b"dang ky khai sinh", *HOSTILE, "đăng ký kết hôn".encode()]
    out = ok(shared_url, "search", "--json", stdin=b"\n".join(lines) + b"\n")
    arrays = [json.loads(line) for line in out.splitlines()]
    assert len(arrays) == len(lines)
    assert arrays[0][0]["code"] == "1.001193"
    assert arrays[1:-1] == [[] for _ in HOSTILE]
    assert arrays[-1][0]["code"] == "1.000894"
    assert all(HIT_KEYS <= set(hit) for array in arrays for hit in array)


def test_show_json_has_code_and_name(shared_url: str) -> None:
    data: dict[str, Any] = json.loads(ok(shared_url, "show", "1.001193", "--json"))
    assert data["code"] == "1.001193"
    assert data["name"] == "Thủ tục đăng ký khai sinh"


def test_show_unknown_code_fails_clearly(shared_url: str) -> None:
    done = run(shared_url, "show", "9.999999", "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == "error: no procedure with code '9.999999'"


# ------------------------------------------------------------------- changes
def test_set_requires_by_and_reason_and_history_shows_the_change(sqlite_copy: str) -> None:
    args = ("set", "1.001193", "fees", "Miễn lệ phí")
    revision = _catalog(sqlite_copy).revision()
    assert "Missing option '--reason'" in refused(sqlite_copy, *args, "--by", "chi.lan")
    assert "Missing option '--by'" in refused(sqlite_copy, *args, "--reason", "Decision 12")
    # Present but blank is refused too (in-process: same code, no process start-up).
    assert "reason is required" in in_process(sqlite_copy, *args, "--by", "chi.lan",
                                              "--reason", " ")
    assert "say who" in in_process(sqlite_copy, *args, "--by", " ", "--reason", "Decision 12")
    assert "Invalid value" in in_process(sqlite_copy, "set", "1.001193", "status", "retired",
                                         "--by", "chi.lan", "--reason", "merged")
    assert _catalog(sqlite_copy).revision() == revision

    ok(sqlite_copy, *args, "--by", "chi.lan", "--reason", "Decision 12")
    assert _catalog(sqlite_copy).require("1.001193").fees == "Miễn lệ phí"

    last = json.loads(ok(sqlite_copy, "history", "1.001193", "--json"))[-1]
    assert (last["actor"], last["action"], last["field"]) == ("chi.lan", "update", "fees")
    assert (last["new"], last["reason"]) == ("Miễn lệ phí", "Decision 12")
    assert last["at"] and last["old"] != last["new"]


def test_alias_add_and_remove(sqlite_copy: str) -> None:
    def aliases() -> list[str]:
        return [a.text for a in _catalog(sqlite_copy).require("1.001193").aliases]

    ok(sqlite_copy, "alias", "add", "1.001193", "giấy chào đời", "--by", "chi.lan",
       "--reason", "asked often")
    assert "giấy chào đời" in aliases()
    remove = ("alias", "remove", "1.001193", "giấy chào đời", "--by", "chi.lan")
    ok(sqlite_copy, *remove)
    assert "giấy chào đời" not in aliases()
    assert "has no alias" in refused(sqlite_copy, *remove)
    history = _catalog(sqlite_copy).history("1.001193")
    assert [(e.action, e.actor) for e in history[-2:]] == [("alias_add", "chi.lan"),
                                                           ("alias_remove", "chi.lan")]


def test_import_dry_run_changes_nothing(sqlite_copy: str, three_rows, write_rows) -> None:
    path = write_rows(three_rows)
    revision = _catalog(sqlite_copy).revision()
    out = ok(sqlite_copy, "import", str(path), "--by", "chi.lan", "--dry-run")
    assert "would create 2, update 1" in out
    assert "~ 1.001193" in out and "+ 9.000001" in out
    catalog = _catalog(sqlite_copy)
    assert catalog.revision() == revision
    assert catalog.get("9.000001") is None
    assert catalog.require("1.001193").name == "Thủ tục đăng ký khai sinh"


def test_import_requires_by(sqlite_copy: str, three_rows, write_rows) -> None:
    path = str(write_rows(three_rows))
    assert "Missing option '--by'" in refused(sqlite_copy, "import", path)
    assert "say who" in in_process(sqlite_copy, "import", path, "--by", "")
    assert _catalog(sqlite_copy).get("9.000001") is None


def test_import_of_a_bad_file_names_row_and_field(sqlite_copy: str, three_rows, write_rows) -> None:
    three_rows[2][3] = "cấp bộ"  # level of 9.000002, file row 3
    stderr = refused(sqlite_copy, "import", str(write_rows(three_rows)), "--by", "chi.lan")
    assert "row 3" in stderr and "'level'" in stderr
    assert _catalog(sqlite_copy).get("9.000001") is None


# The longest texts of the sample (documents, requirements, steps, fees) and a spread
# of the rest: the full-sample round trip is in test_import_export.py, on both backends.
LONGEST = ("1.013229", "2.001538", "1.014267", "1.014266")


@pytest.fixture
def small_url(tmp_path: Path, sample_records: ReadResult) -> str:
    """A catalogue of ~50 procedures of the sample, for the slow export/import commands."""
    pairs = [(r, f) for n, (r, f) in enumerate(zip(sample_records.records,
                                                   sample_records.provided, strict=True))
             if n % 40 == 0 or r.code in LONGEST]
    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    catalog = _catalog(url)
    db.migrate(catalog.engine)
    catalog.import_records(ReadResult([r for r, _ in pairs], [f for _, f in pairs], "csv",
                                      "subset.csv"), by="tester")
    catalog.engine.dispose()
    return url


@pytest.mark.parametrize("name", ["catalogue.csv", "catalogue.xlsx"])
def test_export_then_import_reports_no_changes(small_url: str, tmp_path: Path,
                                              name: str) -> None:
    catalog = _catalog(small_url)
    count, revision = catalog.count(), catalog.revision()
    assert count > 40
    path = tmp_path / name
    assert f"exported {count} procedures" in ok(small_url, "export", str(path))
    summary = json.loads(ok(small_url, "import", str(path), "--by", "chi.lan", "--json"))
    assert {k: summary[k] for k in ("created", "updated", "retired", "restored")} == {
        "created": 0, "updated": 0, "retired": 0, "restored": 0}
    assert summary["unchanged"] == count and summary["applied"] is True
    assert catalog.revision() == revision
    catalog.engine.dispose()

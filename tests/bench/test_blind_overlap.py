"""The blind evaluation sets stay blind: nothing we tune on comes close to them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import evalsets  # noqa: E402


def test_the_blind_sets_are_there_and_big_enough() -> None:
    procedure_questions = [q for q in evalsets.questions("blind") if q.get("codes")]
    turns = [t for d in evalsets.dialogues("blind") for t in d["turns"]]
    assert len(procedure_questions) >= 300
    assert len(evalsets.dialogues("blind")) >= 40 and len(turns) >= 100


def test_no_blind_item_is_close_to_what_we_tune_on() -> None:
    # Counts by source only: the items themselves are not shown to whoever tunes.
    found = evalsets.overlaps()
    by_source: dict[str, int] = {}
    for o in found:
        by_source[o.source] = by_source.get(o.source, 0) + 1
    assert not found, (
        f"{len(found)} blind items within ratio {evalsets.THRESHOLD} of tuned texts {by_source}: "
        "don't tune on blind questions; if this is chance, run `python bench/evalsets.py --drop`")


def test_the_guard_sees_a_copied_item(monkeypatch) -> None:
    # A dev question copied into the blind set (with other accents and case) is caught.
    blind = evalsets.questions("blind")
    copied = {"id": "copy", "q": evalsets.questions("dev")[0]["q"].upper(), "codes": ["1.000001"]}
    monkeypatch.setattr(evalsets, "questions",
                        lambda kind: blind + [copied] if kind == "blind" else evalsets.read_jsonl(
                            evalsets.DATA / "search_dev.jsonl"))
    assert [o.where for o in evalsets.overlaps()] == ["questions:copy"]

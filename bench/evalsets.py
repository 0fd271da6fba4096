"""The evaluation sets, and the guard that keeps the blind ones blind.

Two kinds of question sets live in ``bench/data/``:

* **development** sets — tuned on freely: ``search_dev.jsonl``, ``search_dev2.jsonl``,
  ``dialogues_dev.yml``, ``nlu_dev2.yml`` and the independent development sets
  ``dev_questions.jsonl`` / ``dev_dialogues.yml``, ``dev3_*``, ``dev4_*`` and ``dev5_*``
  (each written by a separate author from the catalogue names
  only; their errors are looked at, and the *patterns* become NLU data, aliases,
  language data and dialogue rules);
* **blind** sets — ``blind/questions.jsonl`` and ``blind/dialogues.yml``, written by
  another author who saw only the catalogue names and a brief of the users. Nothing is
  tuned on them, and only ``make bench`` prints their figures.

A blind item that has become close to something we tune (an NLU example, an alias, a
language-data pattern, a development question) no longer measures what it should:
:func:`overlaps` finds them (rapidfuzz ratio ≥ :data:`THRESHOLD` after folding) and
``tests/bench/test_blind_overlap.py`` fails on any. ``python bench/evalsets.py --drop``
removes them from the blind files (whole items; in a dialogue, the turn, or the rest of
the dialogue when the dropped turn introduced its procedure) without printing them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
BLIND = DATA / "blind"
THRESHOLD = 85

sys.path.insert(0, str(ROOT))
from procedures_catalog.normalize import fold  # noqa: E402

DEV_QUESTIONS = ("search_dev.jsonl", "search_dev2.jsonl", "dev_questions.jsonl", "dev3_questions.jsonl",
                 "dev4_questions.jsonl", "dev5_questions.jsonl")
DEV_DIALOGUES = ("dialogues_dev.yml", "dev_dialogues.yml", "dev3_dialogues.yml", "dev4_dialogues.yml",
                 "dev5_dialogues.yml")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file ([] when it does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_dialogues(path: Path) -> list[dict[str, Any]]:
    """Dialogues of a YAML file ([] when it does not exist)."""
    if not path.exists():
        return []
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("dialogues") or [])


def _dev_files(names: tuple[str, ...]) -> tuple[str, ...]:
    """The dev files to use; ``BENCH_DEV_FILES=a.jsonl,b.yml`` narrows them while tuning."""
    chosen = [n for n in os.environ.get("BENCH_DEV_FILES", "").split(",") if n]
    return tuple(n for n in names if n in chosen) if chosen else names


def questions(kind: str) -> list[dict[str, Any]]:
    """Single questions of the ``dev`` or ``blind`` sets."""
    if kind == "blind":
        return read_jsonl(BLIND / "questions.jsonl")
    return [row for name in _dev_files(DEV_QUESTIONS) for row in read_jsonl(DATA / name)]


def dialogues(kind: str) -> list[dict[str, Any]]:
    """Conversations of the ``dev`` or ``blind`` sets."""
    if kind == "blind":
        return read_dialogues(BLIND / "dialogues.yml")
    return [d for name in _dev_files(DEV_DIALOGUES) for d in read_dialogues(DATA / name)]


# ------------------------------------------------------------ what we tune on
def _nlu_examples() -> Iterator[str]:
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    # Strip entity annotations: [text](entity) → text.
                    yield re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line[2:])
    for row in (yaml.safe_load((DATA / "nlu_dev2.yml").read_text(encoding="utf-8")) or {}).get("nlu") or []:
        for line in str(row.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                yield line.strip()[2:]


def _aliases() -> Iterator[str]:
    for path in sorted((ROOT / "procedures_catalog" / "data" / "aliases").glob("*.yaml")):
        for values in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            for value in values or []:
                yield str(value)


def _pattern_phrases(source: str) -> Iterator[str]:
    """Literal phrases of a regular expression's alternatives (roughly)."""
    text = re.sub(r"\\[bsdw]|\(\?[:!=<]+|[()?*+^$\[\]{}]|\\", " ", source)
    for part in text.split("|"):
        part = " ".join(part.split())
        if len(part) >= 6:
            yield part


def _language_patterns() -> Iterator[str]:
    from procedures_catalog import language

    # The rewrite rules as the search uses them (fragments filled in).
    for pattern, replacement in language.load_rewrites():
        yield from _pattern_phrases(pattern.pattern)
        yield replacement
    for path in sorted(language.DATA_DIR.glob("*.yaml")):
        if path.name == "rewrites.yaml":
            continue
        for value in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            yield from _pattern_phrases(value)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def tuned_texts() -> dict[str, str]:
    """Every text we tune on, folded → where it comes from."""
    sources: dict[str, str] = {}
    for name, texts in (("NLU example", _nlu_examples()), ("alias", _aliases()),
                        ("language pattern", _language_patterns())):
        for text in texts:
            sources.setdefault(fold(text), name)
    for row in questions("dev"):
        sources.setdefault(fold(row["q"]), "dev question")
    for dialogue in dialogues("dev"):
        for turn in dialogue.get("turns") or []:
            sources.setdefault(fold(turn["user"]), "dev dialogue")
    sources.pop("", None)
    return sources


# ------------------------------------------------------------------ the guard
@dataclass(frozen=True)
class Overlap:
    """A blind item too close to something tuned on."""

    where: str        # "questions:<id>" or "dialogues:<n>:<turn>"
    source: str       # the kind of tuned text it is close to
    score: float


def blind_items() -> list[tuple[str, str]]:
    """(where, text) of every blind question and dialogue turn."""
    items = [(f"questions:{row.get('id', n)}", row["q"]) for n, row in enumerate(questions("blind"))]
    for n, dialogue in enumerate(dialogues("blind")):
        for t, turn in enumerate(dialogue.get("turns") or []):
            items.append((f"dialogues:{n}:{t}", turn["user"]))
    return items


def overlaps(threshold: float = THRESHOLD) -> list[Overlap]:
    """Blind items within ``threshold`` (rapidfuzz ratio, folded) of a tuned text."""
    tuned = tuned_texts()
    keys = list(tuned)
    items = blind_items()
    if not items or not keys:
        return []
    folded = [fold(text) for _, text in items]
    matrix = process.cdist(folded, keys, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
    out = []
    for i, row in enumerate(matrix):
        j = int(row.argmax())
        if row[j] >= threshold:
            out.append(Overlap(items[i][0], tuned[keys[j]], float(row[j])))
    return out


def drop(found: list[Overlap]) -> tuple[int, int]:
    """Remove overlapping items from the blind files; returns (questions, turns) dropped."""
    bad_q = {o.where.split(":", 1)[1] for o in found if o.where.startswith("questions:")}
    rows = questions("blind")
    kept = [row for n, row in enumerate(rows) if str(row.get("id", n)) not in bad_q]
    (BLIND / "questions.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept), encoding="utf-8")
    bad_t: dict[int, set[int]] = {}
    for o in found:
        if o.where.startswith("dialogues:"):
            _, n, t = o.where.split(":")
            bad_t.setdefault(int(n), set()).add(int(t))
    out, dropped_turns = [], 0
    for n, dialogue in enumerate(dialogues("blind")):
        turns, keep, previous = dialogue.get("turns") or [], [], None
        for t, turn in enumerate(turns):
            procedure = tuple(turn.get("procedure") or [])
            if t in bad_t.get(n, set()):
                if procedure and procedure != previous:
                    break  # it introduced the procedure: the rest depends on it
                continue
            keep.append(turn)
            previous = procedure or previous
        dropped_turns += len(turns) - len(keep)
        if keep:
            out.append({**dialogue, "turns": keep})
    header = "# Blind conversations (see bench/data/blind/README.md): never tuned on.\n"
    (BLIND / "dialogues.yml").write_text(
        header + yaml.safe_dump({"dialogues": out}, allow_unicode=True, sort_keys=False, width=120),
        encoding="utf-8")
    return len(rows) - len(kept), dropped_turns


def main() -> None:
    parser = argparse.ArgumentParser(description="Check (or enforce) that the blind sets stay blind.")
    parser.add_argument("--drop", action="store_true", help="remove overlapping blind items")
    args = parser.parse_args()
    found = overlaps()
    # Counts only: printing the items would show blind questions to whoever tunes.
    print(f"blind items within ratio {THRESHOLD} of tuned texts: {len(found)}")
    if args.drop and found:
        q, t = drop(found)
        print(f"dropped {q} questions and {t} dialogue turns; left: "
              f"{len(questions('blind'))} questions, {len(dialogues('blind'))} dialogues")


if __name__ == "__main__":
    main()

"""Search accuracy on citizen-style questions, side by side with an Okapi BM25 baseline.

Usage:
    .venv/bin/python bench/search_accuracy.py                 # development set (search_dev.jsonl)
    .venv/bin/python bench/search_accuracy.py --set dev2      # more dev: search_dev2.jsonl
    .venv/bin/python bench/search_accuracy.py --set indep     # independent dev: dev_questions.jsonl
    .venv/bin/python bench/search_accuracy.py --set blind     # blind (make bench only; never tune on it)
    .venv/bin/python bench/search_accuracy.py --misses 40     # print the first 40 misses (not for blind)

Each question is ``{"q", "codes", "styles"}`` (see ``bench/evalsets.py``). A
question is right at top-k when one of its expected codes is among the first k results.
"Strict" counts only each result's own code; "grouped" also accepts the codes grouped
under it (the same procedure listed twice or at another level), which is how the
assistant shows them. Runs against a fresh SQLite copy of the bundled catalogue.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog.normalize import fold  # noqa: E402
from procedures_catalog.service import Catalog  # noqa: E402

STYLES = ("plain", "no_diacritics", "typo", "describe")


class BM25:
    """Okapi BM25 (k1=1.2, b=0.75) over folded procedure names: the baseline."""

    def __init__(self, docs: list[tuple[str, str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.codes = [c for c, _ in docs]
        self.toks = [fold(n).split() for _, n in docs]
        self.k1, self.b = k1, b
        self.avg = sum(len(t) for t in self.toks) / max(1, len(self.toks))
        df: Counter[str] = Counter()
        for t in self.toks:
            df.update(set(t))
        n = len(self.toks)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.tf = [Counter(t) for t in self.toks]

    def search(self, query: str, k: int = 3) -> list[str]:
        q = [w for w in fold(query).split() if w in self.idf]
        scores = []
        for i, tf in enumerate(self.tf):
            s = 0.0
            dl = len(self.toks[i])
            for w in q:
                f = tf.get(w, 0)
                if f:
                    s += self.idf[w] * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * dl / self.avg))
            scores.append(s)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [self.codes[i] for i in order if scores[i] > 0]


SETS = {"dev": "search_dev.jsonl", "dev2": "search_dev2.jsonl", "indep": "dev_questions.jsonl",
        "dev3": "dev3_questions.jsonl", "dev4": "dev4_questions.jsonl",
        "blind": "blind/questions.jsonl"}


def load(name: str) -> list[dict]:
    """The procedure questions of one set (other intents are left out)."""
    path = ROOT / "bench" / "data" / SETS[name]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("codes")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="dev", choices=list(SETS))
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument("--database", help="use this catalogue instead of a fresh copy")
    args = parser.parse_args()

    questions = load(args.set)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/bench.sqlite3"
        catalog = Catalog.open(url)
        index = catalog.index()
        bm25 = BM25([(e.code, e.name) for e in index.entries])

        totals: dict[str, Counter[str]] = defaultdict(Counter)
        misses = []
        for q in questions:
            expected = set(q["codes"])
            hits = catalog.search(q["q"], limit=3)
            strict = [h.code for h in hits]
            grouped = [{h.code} | {a["code"] for a in h.also} for h in hits]
            base = bm25.search(q["q"], 3)
            row = {
                "ours_strict@1": bool(strict[:1] and strict[0] in expected),
                "ours_strict@3": bool(expected & set(strict)),
                "ours@1": bool(grouped and grouped[0] & expected),
                "ours@3": any(g & expected for g in grouped),
                "bm25@1": bool(base[:1] and base[0] in expected),
                "bm25@3": bool(expected & set(base)),
            }
            for style in ["all", *q.get("styles", [])]:
                totals[style]["n"] += 1
                for key, ok in row.items():
                    totals[style][key] += ok
            if not row["ours@1"]:
                misses.append((q, hits))

    print(f"search accuracy on {args.set} set: {len(questions)} questions "
          f"({len(index.entries)} procedures)")
    header = f"{'style':<15}{'n':>5}  {'ours@1':>7}{'ours@3':>7}  {'strict@1':>9}{'strict@3':>9}  {'bm25@1':>7}{'bm25@3':>7}"
    print(header)
    print("-" * len(header))
    for style in ["all", *STYLES]:
        t = totals.get(style)
        if not t:
            continue
        n = t["n"]

        def pct(key: str, t: Counter[str] = t, n: int = n) -> str:
            return f"{100 * t[key] / n:6.1f}%"

        print(f"{style:<15}{n:>5}  {pct('ours@1'):>7}{pct('ours@3'):>7}  {pct('ours_strict@1'):>9}"
              f"{pct('ours_strict@3'):>9}  {pct('bm25@1'):>7}{pct('bm25@3'):>7}")
    if args.set == "blind" and args.misses:
        print("(misses of the blind set are not shown: nothing is tuned on it)")
        return
    for q, hits in misses[: args.misses]:
        got = "; ".join(f"{h.code} {h.score:.2f} {h.name[:60]}" for h in hits[:3])
        print(f"MISS {q['q']!r} want {q['codes']} got {got}")


if __name__ == "__main__":
    main()

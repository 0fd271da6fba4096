"""Learn the search's ranking weights from the development questions.

Usage:
    .venv/bin/python bench/train_ranker.py            # 5-fold CV on dev, then fit all of dev
    .venv/bin/python bench/train_ranker.py --write    # also save procedures_catalog/data/ranker.json

For every development question the index proposes its best 40 procedures with a
feature vector each (``SearchIndex.candidates``); a linear score is fitted with a
listwise logistic loss (softmax over a question's candidates, the right ones as the
target) and L2 regularisation. Cross-validation on the development set estimates how
well the weights generalise; ``bench/search_accuracy.py --set blind`` (make bench) measures them
on questions never used here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog import search as search_module  # noqa: E402
from procedures_catalog.service import Catalog  # noqa: E402

RANKER_FILE = ROOT / "procedures_catalog" / "data" / "ranker.json"


def load(name: str) -> list[dict]:
    path = ROOT / "bench" / "data" / f"search_{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_examples(index, questions):
    """(feature matrix, correct mask) per question that has a right candidate."""
    out = []
    for q in questions:
        got = index.candidates(q["q"], pool=40)
        if not got:
            continue
        _, feats = got
        expected = set(q["codes"])
        mask = []
        for i, _, _ in feats:
            group = {index.entries[m].code for m in index.groups[index.group_of[i]]}
            mask.append(bool(group & expected))
        if any(mask) and len(mask) > 1:
            out.append((np.stack([x for _, _, x in feats]), np.array(mask)))
    return out


def fit(examples, l2: float = 0.01, epochs: int = 400, lr: float = 0.5) -> np.ndarray:
    dim = examples[0][0].shape[1]
    w = np.zeros(dim)
    w[0] = 6.0
    for _ in range(epochs):
        grad = l2 * w
        for X, mask in examples:
            s = X @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = np.where(mask, p, 0.0)
            q /= q.sum()
            grad += X.T @ (p - q) / len(examples)
        w -= lr * grad
    return w


def top1(examples, w) -> float:
    return float(np.mean([mask[int(np.argmax(X @ w))] for X, mask in examples]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="save the weights for the search")
    parser.add_argument("--l2", type=float, default=0.01)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = Catalog.open(f"sqlite:///{tmp}/r.sqlite3").index()
        dev = build_examples(index, load("dev"))
    # Only development questions: the blind set is measured by `make bench`, never here.
    print(f"questions with a right answer among the 40 candidates: dev {len(dev)}")
    current = search_module.rank_weights()
    print(f"current weights: dev top-1 (of those) {top1(dev, current):.3f}")
    rng = random.Random(7)
    order = list(range(len(dev)))
    rng.shuffle(order)
    folds = [order[k::5] for k in range(5)]
    scores = []
    for k in range(5):
        test_ids = set(folds[k])
        w = fit([dev[i] for i in order if i not in test_ids], l2=args.l2)
        scores.append(top1([dev[i] for i in folds[k]], w))
    print(f"5-fold CV top-1 on dev (of those): {np.mean(scores):.3f} ± {np.std(scores):.3f}")
    w = fit(dev, l2=args.l2)
    print(f"fitted on all dev: dev {top1(dev, w):.3f}")
    for name, value in zip(search_module.RANK_FEATURES, w):
        print(f"  {name:<22} {value:+.3f}")
    if args.write:
        RANKER_FILE.write_text(json.dumps({
            "features": list(search_module.RANK_FEATURES),
            "weights": [round(float(v), 4) for v in w],
            "trained_on": "bench/data/search_dev.jsonl",
        }, indent=2) + "\n")
        print(f"wrote {RANKER_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

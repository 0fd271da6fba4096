"""Does folding Vietnamese before featurising help the intent classifier? Measure it.

Usage (Rasa environment):
    PYTHONPATH=. .venv-rasa/bin/python bench/nlu_folding.py [--epochs 80]

Trains the NLU pipeline of ``bot/config.yml`` twice on ``data/nlu`` — once with the
folding tokenizer (``bot.components.folding.FoldingTokenizer``) and once with Rasa's
plain ``WhitespaceTokenizer`` — and evaluates both on the held-out questions in
``bench/data/nlu_dev2.yml`` (never used for training). Prints intent accuracy and
macro F1 overall, on held-out examples typed without diacritics, and the training
time of each; the winner is what ``bot/config.yml`` should use.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import os
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Train from scratch every time: Rasa's training cache would hide the training time.
os.environ.setdefault("RASA_MAX_CACHE_SIZE", "0")
logging.disable(logging.WARNING)


def has_marks(text: str) -> bool:
    """Whether ``text`` carries any Vietnamese accent mark or đ."""
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text)) or "đ" in text.lower()


def train(config: dict, out: Path, name: str) -> tuple[Path, float]:
    from rasa.model_training import train_nlu

    cfg = out / f"{name}.yml"
    cfg.write_text(yaml.safe_dump(config, allow_unicode=True))
    start = time.perf_counter()
    model = train_nlu(config=str(cfg), nlu_data=str(ROOT / "data/nlu"), output=str(out),
                      fixed_model_name=name, domain=str(ROOT / "bot/domain"))
    return Path(model), time.perf_counter() - start


def evaluate(model: Path, examples: list[tuple[str, str]]) -> dict[str, float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    gold, pred = [], []
    latencies = []
    for text, intent in examples:
        start = time.perf_counter()
        result = asyncio.run(agent.parse_message(text))
        latencies.append(time.perf_counter() - start)
        gold.append(intent)
        pred.append(result["intent"]["name"])
    labels = sorted(set(gold))
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred))
        fp = sum(p == label and g != label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    plain = [(g, p) for (t, _), g, p in zip(examples, gold, pred) if not has_marks(t)]
    latencies.sort()
    return {
        "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
        "macro_f1": sum(f1s) / len(f1s),
        "no_diacritics_acc": sum(g == p for g, p in plain) / max(1, len(plain)),
        "n_no_diacritics": len(plain),
        "p95_parse_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "confusions": Counter((g, p) for g, p in zip(gold, pred) if g != p).most_common(6),
    }


def load_examples(path: Path) -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="override DIET epochs")
    args = parser.parse_args()
    base = yaml.safe_load((ROOT / "bot/config.yml").read_text())
    base.pop("policies", None)
    if args.epochs:
        for comp in base["pipeline"]:
            if comp["name"] == "DIETClassifier":
                comp["epochs"] = args.epochs
    plain = copy.deepcopy(base)
    for comp in plain["pipeline"]:
        if comp["name"].endswith("FoldingTokenizer"):
            comp["name"] = "WhitespaceTokenizer"
    examples = load_examples(ROOT / "bench/data/nlu_dev2.yml")
    print(f"held-out NLU examples: {len(examples)} "
          f"({sum(not has_marks(t) for t, _ in examples)} without diacritics)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, config in (("folding", base), ("whitespace", plain)):
            model, seconds = train(config, Path(tmp), name)
            result = evaluate(model, examples)
            print(f"{name:<11} accuracy {result['accuracy']:.3f}  macro-F1 {result['macro_f1']:.3f}  "
                  f"no-diacritics acc {result['no_diacritics_acc']:.3f}  train {seconds:.0f} s  "
                  f"parse p95 {result['p95_parse_ms']:.1f} ms")
            print(f"{'':<11} top confusions (gold, predicted): {result['confusions']}")


if __name__ == "__main__":
    main()

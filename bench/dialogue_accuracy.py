"""Whole-turn accuracy of the running assistant on development dialogues.

Usage:
    .venv/bin/python bench/dialogue_accuracy.py [--model models/tthc-config.tar.gz] [--show-errors]

Starts the real action server and Rasa server on loopback (as the end-to-end tests
do), replays every dialogue of ``bench/data/dialogues_dev.yml`` through the REST
webhook, one conversation per dialogue, and checks each turn:

* intent — what Rasa's NLU classified (from the tracker), against ``intent``;
* procedure — the code in the answer's custom payload (a grouped twin counts), against
  ``procedure`` (``[]`` means no procedure answer is expected);
* aspect — the payload's aspect, against ``aspect``.

Targets: procedure ≥ 85%, aspect ≥ 90%, intents ≥ 90%.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog.service import Catalog  # noqa: E402
from tests.servers import run_servers  # noqa: E402


def procedure_and_aspect(messages: list[dict]) -> tuple[str | None, str | None]:
    for message in messages:
        payload = message.get("custom") or {}
        if "procedure" in payload:
            return payload["procedure"]["code"], payload.get("aspect")
    return None, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="trained model (default: RASA_MODEL or models/)")
    parser.add_argument("--data", default=str(ROOT / "bench/data/dialogues_dev.yml"))
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    if args.model:
        os.environ["RASA_MODEL"] = args.model
    dialogues = yaml.safe_load(Path(args.data).read_text(encoding="utf-8"))["dialogues"]
    counts = {k: [0, 0] for k in ("intent", "procedure", "aspect", "turn")}
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/catalog.sqlite3"
        catalog = Catalog.open(db)
        index = catalog.index()
        with run_servers(Path(tmp), db) as servers:
            start = time.perf_counter()
            for n, dialogue in enumerate(dialogues):
                sender = f"bench-{n}-{int(time.time())}"
                for turn in dialogue["turns"]:
                    reply = servers.talk(sender, turn["user"])
                    intent = servers.tracker(sender)["latest_message"]["intent"].get("name")
                    code, aspect = procedure_and_aspect(reply)
                    expected = set(turn.get("procedure") or [])
                    group = set()
                    if code and code in index.by_code:
                        i = index.by_code[code]
                        group = {index.entries[m].code for m in index.groups[index.group_of[i]]}
                    ok_intent = intent == turn.get("intent")
                    ok_proc = bool(group & expected) if expected else code is None
                    want_aspect = turn.get("aspect")
                    ok_aspect = aspect == want_aspect
                    counts["intent"][0] += ok_intent
                    counts["intent"][1] += 1
                    counts["procedure"][0] += ok_proc
                    counts["procedure"][1] += 1
                    if want_aspect:
                        counts["aspect"][0] += ok_aspect
                        counts["aspect"][1] += 1
                    all_ok = ok_intent and ok_proc and (ok_aspect or not want_aspect)
                    counts["turn"][0] += all_ok
                    counts["turn"][1] += 1
                    if not all_ok:
                        errors.append(f"{dialogue.get('name', n)!s:<30} {turn['user']!r}: intent {intent} "
                                      f"(want {turn.get('intent')}), procedure {code} (want "
                                      f"{sorted(expected) or 'none'}), aspect {aspect} (want {want_aspect})")
            elapsed = time.perf_counter() - start
    print(f"dialogue accuracy: {len(dialogues)} dialogues, {counts['turn'][1]} turns "
          f"({elapsed:.0f} s through the REST webhook)")
    targets = {"procedure": 0.85, "aspect": 0.90, "intent": 0.90, "turn": None}
    for key in ("procedure", "aspect", "intent", "turn"):
        ok, total = counts[key]
        target = targets[key]
        note = f"  (target ≥ {target:.0%})" if target else "  (every check right)"
        print(f"  {key:<10} {ok:>4}/{total:<4} {ok / max(1, total):6.1%}{note}")
    if args.show_errors:
        for line in errors:
            print("  ERR", line)


if __name__ == "__main__":
    main()

"""Turn latency through the REST webhook, start-up time, memory, and training time.

Usage:
    .venv/bin/python bench/turn_latency.py [--model PATH] [--duration 60] [--senders 20]
                                           [--think 1.0] [--train]

Starts the real action server and Rasa server on loopback and measures:

* start-up: seconds until Rasa answers /status with the model loaded;
* one sender: 100 turns in a row, as 20 conversations of a question and 4 follow-ups;
* ``--senders`` concurrent senders for ``--duration`` seconds, each holding
  conversations of 5 turns one after another and waiting about ``--think`` seconds
  between messages (a person reading the answer; 0 = flat out);
* resident memory of both servers afterwards;
* with ``--train``: ``rasa train`` time of the full configuration (bot/config.yml).

Target: p95 ≤ 150 ms with 0 errors for 20 concurrent senders on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog.service import Catalog  # noqa: E402
from tests.servers import run_servers  # noqa: E402

FOLLOW_UPS = ["còn lệ phí thì sao", "nộp ở đâu", "làm online được ko", "cần giấy tờ gì",
              "mất bao lâu", "các bước làm", "cảm ơn"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        pids += [int(p) for p in out.split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:6.1f} ms  p95 {q[94]:6.1f} ms  p99 {q[98]:6.1f} ms  max {max(values):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a sender's messages")
    parser.add_argument("--train", action="store_true", help="also time `rasa train` of bot/config.yml")
    args = parser.parse_args()
    if args.model:
        os.environ["RASA_MODEL"] = args.model
    questions = [json.loads(line)["q"] for line in
                 (ROOT / "bench/data/search_dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(1)

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/catalog.sqlite3"
        Catalog.open(db)
        started = time.perf_counter()
        # Each simulated citizen sends far more than a person would: no per-conversation limit.
        with run_servers(Path(tmp), db, extra_env={"CHANNEL_RATE_LIMIT": "0"}) as servers:
            startup = time.perf_counter() - started
            print(f"start-up (action server + Rasa, model loaded): {startup:.1f} s")
            session = requests.Session()
            url = f"{servers.rasa_url}/webhooks/rest/webhook"

            def turn(sender: str, text: str) -> float:
                t = time.perf_counter()
                r = session.post(url, json={"sender": sender, "message": text}, timeout=30)
                r.raise_for_status()
                return (time.perf_counter() - t) * 1000

            for i in range(5):  # warm up
                turn("warm", questions[i])
            # A citizen's conversation: a question, then a few follow-ups (5 turns), then
            # the next citizen (a new conversation id).
            single = []
            for i in range(100):
                text = questions[i] if i % 5 == 0 else rng.choice(FOLLOW_UPS)
                single.append(turn(f"single-{i // 5}", text))
            print(f"one sender, 100 turns:            {quantiles(single)}")

            latencies: list[float] = []
            errors = [0]
            lock = threading.Lock()
            stop = time.perf_counter() + args.duration

            def sender(n: int) -> None:
                local_rng = random.Random(n)
                s = requests.Session()
                k = 0
                while time.perf_counter() < stop:
                    # Each simulated phone holds conversations of 5 turns, one after another.
                    text = local_rng.choice(questions) if k % 5 == 0 else local_rng.choice(FOLLOW_UPS)
                    t = time.perf_counter()
                    try:
                        r = s.post(url, json={"sender": f"load-{n}-{k // 5}", "message": text}, timeout=30)
                        ok = r.status_code == 200 and isinstance(r.json(), list)
                    except (requests.RequestException, ValueError):
                        ok = False
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        if ok:
                            latencies.append(ms)
                        else:
                            errors[0] += 1
                    k += 1
                    if args.think > 0:
                        time.sleep(local_rng.uniform(0.5 * args.think, 1.5 * args.think))

            threads = [threading.Thread(target=sender, args=(n,)) for n in range(args.senders)]
            t0 = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            wall = time.perf_counter() - t0
            print(f"{args.senders} senders, {args.duration:.0f} s, think {args.think:.1f} s: "
                  f"{len(latencies)} turns ({len(latencies) / wall:.1f}/s), {errors[0]} errors")
            print(f"                                  {quantiles(latencies)}")
            print(f"resident memory: Rasa {rss_mb(servers.rasa.pid):.0f} MB, "
                  f"action server {rss_mb(servers.actions.pid):.0f} MB")

    if args.train:
        with tempfile.TemporaryDirectory() as out:
            env = dict(os.environ, PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1")
            t = time.perf_counter()
            subprocess.run([str(ROOT / ".venv-rasa/bin/rasa"), "train", "--config", "bot/config.yml",
                            "--domain", "bot/domain", "--data", "data", "--out", out, "--force"],
                           cwd=ROOT, env=env, check=True, capture_output=True)
            print(f"rasa train (bot/config.yml, from scratch): {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()

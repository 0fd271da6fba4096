"""Turn latency, memory and restarts through the REST webhook, as citizens use it.

Usage:
    .venv/bin/python bench/turn_latency.py [--model PATH] [--turns 200]
        [--conversations 10000] [--duration 60] [--senders 20] [--think 1.0]
        [--no-scale-out] [--train]

Telegram and Zalo give each person one conversation id for ever, so the senders here
are long-lived: the same id for every turn. Starts the real action server and Rasa
(with the tracker store of ``make run``: bot/tracker_store.py on a SQLite file) on
loopback and prints:

* start-up: seconds until Rasa answers /status with the model loaded;
* one sender, ``--turns`` turns in a row (development-set questions, each followed by four
  follow-ups): median latency of the first, middle and last ten turns, and the ratio
  last/first (target: ≤ 1.5); the p95 of all its turns (target: ≤ 50 ms); also the CPU
  time per turn of Rasa and of the action server, which other work on the machine
  does not inflate;
* Rasa's resident memory after 100 and after ``--conversations`` conversations
  (target: ≤ 1.2 × after 100);
* ``--senders`` long-lived senders for ``--duration`` seconds, each waiting about
  ``--think`` seconds between messages (a person reading the answer): turns/s, p50,
  p95, p99, errors (target: p95 ≤ 150 ms, 0 errors on 2 cores), and the CPU time per
  turn of Rasa and of the action server; then flat out;
* a restart of Rasa: seconds until it serves again, and whether the long
  conversation above continues (the follow-up is answered about its procedure);
* unless ``--no-scale-out`` (or PostgreSQL / Redis are unreachable): the same load on
  2 Rasa instances + 2 action servers, conversations in PostgreSQL, locks in Redis,
  each turn going to either instance as a load balancer would;
* with ``--train``: ``rasa train`` time of bot/config.yml.

The machine's load average is printed with the figures: other work on the same cores
shows in them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procedures_catalog.service import Catalog  # noqa: E402
from tests.servers import run_cluster, run_servers  # noqa: E402

FOLLOW_UPS = ["còn lệ phí thì sao", "nộp ở đâu", "làm online được ko", "cần giấy tờ gì",
              "mất bao lâu", "các bước làm"]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NO_RATE_LIMIT = {"CHANNEL_RATE_LIMIT": "0"}


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


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in ms.

    Other work on the machine slows a turn down but does not add to this: it is the
    cost of a turn to the server itself."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def quantiles(values: list[float]) -> str:
    """p50/p95/p99/max of latencies in ms."""
    if len(values) < 2:
        return "n/a"
    # "inclusive": the sample is all there is (the default extrapolates past the maximum).
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49]:6.1f} ms  p95 {q[94]:6.1f} ms  p99 {q[98]:6.1f} ms  max {max(values):6.1f} ms"


def load() -> str:
    """The 1-minute load average (other work on the same cores)."""
    return f"load {os.getloadavg()[0]:.2f}"


def conversation_text(questions: list[str], k: int, rng: random.Random) -> str:
    """Turn ``k`` of a citizen's conversation: a question, then four follow-ups."""
    return questions[(k // 5) % len(questions)] if k % 5 == 0 else rng.choice(FOLLOW_UPS)


class Client:
    """Posts turns to one or more Rasa instances (a new pick per turn, like a balancer)."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = [f"{u}/webhooks/rest/webhook" for u in urls]
        self.local = threading.local()

    def turn(self, sender: str, text: str, timeout: float = 30) -> tuple[float, list[dict]]:
        """One turn: (milliseconds, messages); raises on an HTTP error."""
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        url = random.choice(self.urls)
        t = time.perf_counter()
        r = session.post(url, json={"sender": sender, "message": text}, timeout=timeout)
        r.raise_for_status()
        body = r.json()
        if not isinstance(body, list):
            raise ValueError("not a list of messages")
        return (time.perf_counter() - t) * 1000, body


def procedure_of(messages: list[dict]) -> str | None:
    """The code of the procedure an answer is about."""
    for m in messages:
        payload = m.get("custom") or {}
        if "procedure" in payload:
            return str(payload["procedure"]["code"])
    return None


def cpu_per_turn(pids: dict[str, list[int]], before: dict[str, float], turns: int) -> str:
    """CPU ms per turn of each kind of process since ``before`` (see :func:`cpu_total`)."""
    now = cpu_total(pids)
    return ", ".join(f"{name} {(now[name] - before[name]) / max(turns, 1):.1f} ms"
                     for name in pids)


def cpu_total(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU ms used so far by each kind of process ("Rasa": [pid, ...], ...)."""
    return {name: sum(cpu_ms(pid) for pid in group) for name, group in pids.items()}


def one_sender(client: Client, questions: list[str], turns: int, sender: str,
               pids: dict[str, list[int]]) -> str | None:
    """``turns`` turns of one sender; prints the latency and the CPU time per turn of
    the first, middle and last ten turns (Rasa) and of all turns (each process);
    returns the procedure of the last answer."""
    rng = random.Random(7)
    latencies, cpu, last = [], [], None
    rasa = pids["Rasa"][0]
    start = cpu_total(pids)
    for k in range(turns):
        before = cpu_ms(rasa)
        ms, messages = client.turn(sender, conversation_text(questions, k, rng))
        cpu.append(cpu_ms(rasa) - before)
        latencies.append(ms)
        last = procedure_of(messages) or last
    windows = [(1, 10), (turns // 2 - 4, turns // 2 + 5), (turns - 9, turns)]

    def report(values: list[float], what: str, ratio: bool) -> None:
        medians = [statistics.mean(values[a - 1:b]) if what == "cpu" else
                   statistics.median(values[a - 1:b]) for a, b in windows]
        shown = ", ".join(f"{a}-{b} {m:.1f} ms" for (a, b), m in zip(windows, medians))
        label = "latency (median)" if what == "latency" else "Rasa CPU per turn (mean)"
        target = " (target ≤ 1.5)" if ratio else ""
        print(f"    {label}: {shown}: last/first {medians[-1] / medians[0]:.2f}{target}")

    print(f"one sender, {turns} turns in a row  [{load()}]")
    report(latencies, "latency", True)
    report(cpu, "cpu", False)
    print(f"    all {turns} turns: {quantiles(latencies)} (target p95 ≤ 50 ms); "
          f"CPU per turn: {cpu_per_turn(pids, start, turns)}")
    return last


def many_conversations(client: Client, questions: list[str], count: int, start: int,
                       threads: int = 4) -> None:
    """``count`` new conversations of one question each, ``threads`` at a time."""
    numbers = iter(range(start, start + count))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            client.turn(f"mem-{n}", questions[n % len(questions)])

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def under_load(client: Client, questions: list[str], senders: int, duration: float,
               think: float, label: str, pids: dict[str, list[int]]) -> None:
    """Long-lived senders talking for ``duration`` s; prints rate, latencies, errors and
    the CPU time each kind of server process (``pids``) spent per turn."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration
    run = uuid.uuid4().hex[:6]

    def sender(n: int) -> None:
        rng = random.Random(n)
        k = rng.randrange(5)
        while time.perf_counter() < stop:
            try:
                ms, _ = client.turn(f"load-{run}-{n}", conversation_text(questions, k + n * 5, rng))
                ok = True
            except (requests.RequestException, ValueError):
                ms, ok = 0.0, False
            with lock:
                if ok:
                    latencies.append(ms)
                else:
                    errors[0] += 1
            k += 1
            if think > 0:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    cpu_before = cpu_total(pids)
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    cpu = cpu_per_turn(pids, cpu_before, len(latencies))
    print(f"{label}: {senders} long-lived senders, {duration:.0f} s, think {think:.1f} s: "
          f"{len(latencies)} turns ({len(latencies) / wall:.1f}/s), {errors[0]} errors  [{load()}]")
    print(f"    {quantiles(latencies)}; CPU per turn: {cpu}")


def reachable(port: int) -> bool:
    """Whether something listens on 127.0.0.1:``port``."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def with_pg_databases(work: Callable[[str, str], None]) -> None:
    """Run ``work(catalogue_url, tracker_url)`` on two fresh PostgreSQL databases."""
    import psycopg

    names = [f"tthc_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    urls = [f"postgresql://postgres@127.0.0.1:5432/{name}" for name in names]
    try:
        Catalog.open(urls[0]).init()  # PostgreSQL is never seeded silently
        work(urls[0], urls[1])
    finally:
        from procedures_catalog.db import dispose_engines

        dispose_engines()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a sender's messages")
    parser.add_argument("--no-scale-out", action="store_true", help="skip the PostgreSQL + Redis set-up")
    parser.add_argument("--train", action="store_true", help="also time `rasa train` of bot/config.yml")
    args = parser.parse_args()
    if args.model:
        os.environ["RASA_MODEL"] = args.model
    questions = [json.loads(line)["q"] for line in
                 (ROOT / "bench/data/search_dev.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    print(f"[{load()}, {os.cpu_count()} cores]")

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/catalog.sqlite3"
        Catalog.open(db)
        started = time.perf_counter()
        # Each simulated citizen sends far more than a person would: no per-conversation limit.
        with run_servers(Path(tmp), db, extra_env=NO_RATE_LIMIT) as servers:
            print(f"start-up (action server + Rasa, model loaded): {time.perf_counter() - started:.1f} s")
            client = Client([servers.rasa_url])
            for i in range(5):  # warm up
                client.turn("warm", questions[i])
            long_sender = f"citizen-{uuid.uuid4().hex[:6]}"
            pids = {"Rasa": [servers.rasa.pid], "action server": [servers.actions.pid]}
            before_restart = one_sender(client, questions, args.turns, long_sender, pids)

            many_conversations(client, questions, 100, 0)
            after_100 = rss_mb(servers.rasa.pid)
            t = time.perf_counter()
            many_conversations(client, questions, args.conversations - 100, 100)
            after_all = rss_mb(servers.rasa.pid)
            print(f"Rasa resident memory: {after_100:.0f} MB after 100 conversations, "
                  f"{after_all:.0f} MB after {args.conversations:,} "
                  f"({args.conversations - 100:,} in {time.perf_counter() - t:.0f} s): "
                  f"ratio {after_all / after_100:.2f} (target ≤ 1.2); tracker store "
                  f"{Path(tmp, 'tracker.sqlite3').stat().st_size / 1e6:.0f} MB  [{load()}]")

            under_load(client, questions, args.senders, args.duration, args.think, "load", pids)
            under_load(client, questions, args.senders, min(args.duration, 20), 0, "flat out", pids)
            print(f"resident memory: Rasa {rss_mb(servers.rasa.pid):.0f} MB, "
                  f"action server {rss_mb(servers.actions.pid):.0f} MB")

            downtime = servers.restart_rasa()
            ms, messages = client.turn(long_sender, "còn lệ phí thì sao")
            kept = procedure_of(messages)
            print(f"restart: Rasa serving again after {downtime:.1f} s; the long conversation "
                  f"continues: {'yes' if kept and kept == before_restart else 'NO'} "
                  f"(procedure {before_restart} before, {kept} after; first turn {ms:.0f} ms)")

    if not args.no_scale_out:
        if reachable(5432) and reachable(6379):
            def scaled(catalogue: str, tracker: str) -> None:
                with tempfile.TemporaryDirectory() as tmp, \
                        run_cluster(Path(tmp), catalogue, tracker, redis_db=6,
                                    extra_env=NO_RATE_LIMIT) as cluster:
                    client = Client(cluster.rasa_urls)
                    for i in range(5):
                        client.turn("warm", questions[i])
                    under_load(client, questions, args.senders, args.duration, args.think,
                               "scale-out (2 Rasa + 2 action servers, PostgreSQL, Redis locks)",
                               {"Rasa": [p.pid for p in cluster.rasa],
                                "action server": [p.pid for p in cluster.actions]})
            with_pg_databases(scaled)
        else:
            print("scale-out: skipped (PostgreSQL on :5432 or Redis on :6379 unreachable)")

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

"""Start the real action server and Rasa server on loopback for end-to-end tests.

Used by the e2e, channel and browser tests. Nothing here is faked: the action server
runs our actions against a real (temporary) catalogue database, and Rasa serves the
trained model named by ``RASA_MODEL`` (``make test`` trains a small one).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_path() -> Path | None:
    """The trained model to serve, from RASA_MODEL (or the CI model if present)."""
    env = os.environ.get("RASA_MODEL")
    for candidate in (env, "models/tthc-config.tar.gz"):
        if candidate and (ROOT / candidate).exists():
            return ROOT / candidate
    return None


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None,
              ok: callable = lambda r: r.status_code == 200) -> None:
    """Poll ``url`` until ``ok(response)``; fail early if ``proc`` died."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            response = requests.get(url, timeout=2)
            if ok(response):
                return
            last = response.status_code
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up in {timeout}s (last: {last})")


@dataclass
class Servers:
    """Handles of the running servers; the fault tests stop and restart them."""

    rasa_url: str
    actions_url: str
    database_url: str
    workdir: Path
    rasa: subprocess.Popen
    actions: subprocess.Popen
    env: dict[str, str]
    rasa_cmd: list[str] = field(default_factory=list)
    actions_cmd: list[str] = field(default_factory=list)

    @property
    def webchat_port(self) -> int:
        """The port the web chat page must use: Rasa allows its origin (CORS)."""
        return int(self.env["WEBCHAT_PORT"])

    def talk(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        """Send one message through the REST webhook and return the bot's messages."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        """The conversation's tracker from Rasa's HTTP API."""
        response = requests.get(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=10)
        response.raise_for_status()
        return response.json()

    def start_actions(self) -> None:
        """Start the action server (again) and wait until it answers."""
        self.actions = subprocess.Popen(self.actions_cmd, cwd=ROOT, env=self.env,
                                        stdout=_logfile(self.workdir, "actions", "ab"),
                                        stderr=subprocess.STDOUT)
        wait_http(f"{self.actions_url}/health", 60, self.actions)

    def stop_actions(self) -> None:
        """Stop the action server."""
        stop(self.actions)

    def restart_rasa(self) -> float:
        """Stop Rasa, start it again on the same port; seconds until it serves again."""
        stop(self.rasa)
        started = time.monotonic()
        self.start_rasa()
        return time.monotonic() - started

    def start_rasa(self) -> None:
        """Start Rasa and wait until its model is loaded."""
        self.rasa = subprocess.Popen(self.rasa_cmd, cwd=ROOT, env=self.env,
                                     stdout=_logfile(self.workdir, "rasa", "ab"),
                                     stderr=subprocess.STDOUT)
        wait_http(f"{self.rasa_url}/status", 180, self.rasa,
                  ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))


def server_env(database_url: str) -> dict[str, str]:
    """The environment of servers under test: ours, a catalogue, fresh secrets and ports.

    The secrets are set here so that the scripts never write ``var/secrets/``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RASA_", "ACTION"))}
    env.update({
        "PYTHONPATH": str(ROOT),
        "CATALOG_DATABASE_URL": database_url,
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONUNBUFFERED": "1",
        "ACTIONS_TOKEN": secrets.token_hex(16),
        "BRIDGE_TOKEN": secrets.token_hex(16),
        "WEBCHAT_SESSION_SECRET": secrets.token_hex(16),
        "WEBCHAT_PORT": str(free_port()),
    })
    return env


def _logfile(workdir: Path, name: str, mode: str = "wb"):
    return open(workdir / f"{name}.log", mode)


def stop(*procs: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate processes, killing those that do not stop within ``timeout``."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def serve(cmd: list[str], *, env: dict[str, str], log_path: Path, health_url: str,
          timeout: float = 60) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` until the ``with`` block ends, once ``health_url`` answers 200.

    On a failure inside the block the tail of the process's log goes to stderr.
    """
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(health_url, timeout, proc)
        yield proc
    except BaseException:
        sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
        raise
    finally:
        stop(proc)


@contextmanager
def run_servers(workdir: Path, database_url: str, *, extra_env: dict[str, str] | None = None,
                credentials: Path | None = None) -> Iterator[Servers]:
    """Start the action server and Rasa (REST, socket.io, HTTP API); stop them after.

    Args:
        workdir: where logs and the endpoints file go.
        database_url: the catalogue the actions use.
        extra_env: more environment for both processes (channel settings...).
        credentials: a credentials.yml to use instead of bot/credentials.yml.
    """
    model = model_path()
    if model is None:
        raise RuntimeError("no trained model: run `make test` (or set RASA_MODEL)")
    actions_port, rasa_port = free_port(), free_port()
    env = server_env(database_url)
    env.update({
        "ACTIONS_PORT": str(actions_port),
        "RASA_PORT": str(rasa_port),
        "RASA_MODEL": str(model),
        "RASA_CREDENTIALS": str(credentials or ROOT / "bot/credentials.yml"),
        "RASA_ENDPOINTS": str(ROOT / "bot/endpoints.yml"),
        # The tests read trackers through the HTTP API (loopback, no token needed).
        "RASA_ENABLE_API": "1",
        # Shared by Rasa (channels fill / serve them) and the action server (reads / renders).
        "DOSSIER_STORE_PATH": str(workdir / "dossier-codes.sqlite3"),
        "CARD_DIR": str(workdir / "cards"),
        "CARD_BASE_URL": f"http://127.0.0.1:{rasa_port}/webhooks/cards",
    })
    # Conversations in a SQLite file of the test's own, as `make run` keeps them in var/.
    env["TRACKER_STORE_URL"] = f"sqlite:///{workdir / 'tracker.sqlite3'}"
    env.update(extra_env or {})
    # Started exactly as `make run` starts them (Procfile -> scripts/serve-*.sh).
    actions_cmd, rasa_cmd = [str(ROOT / "scripts/serve-actions.sh")], [str(ROOT / "scripts/serve-rasa.sh")]
    actions = subprocess.Popen(actions_cmd, cwd=ROOT, env=env,
                               stdout=_logfile(workdir, "actions"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(rasa_cmd, cwd=ROOT, env=env,
                            stdout=_logfile(workdir, "rasa"), stderr=subprocess.STDOUT)
    servers = Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}",
                      database_url, workdir, rasa, actions, env, rasa_cmd, actions_cmd)
    try:
        wait_http(f"{servers.actions_url}/health", 60, actions)
        wait_http(f"{servers.rasa_url}/status", 180, rasa,
                  ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))
        yield servers
    except BaseException:
        for name in ("actions", "rasa"):
            log = workdir / f"{name}.log"
            if log.exists():
                sys.stderr.write(f"\n--- {name}.log (tail) ---\n")
                sys.stderr.write(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        stop(servers.rasa, servers.actions)


@dataclass
class Cluster:
    """Several Rasa instances and action servers sharing PostgreSQL and Redis."""

    rasa_urls: list[str]
    rasa: list[subprocess.Popen]
    actions: list[subprocess.Popen]
    workdir: Path


@contextmanager
def run_cluster(workdir: Path, catalogue_url: str, tracker_url: str, *, instances: int = 2,
                redis_port: int = 6379, redis_db: int = 5,
                extra_env: dict[str, str] | None = None) -> Iterator[Cluster]:
    """The operators' set-up: ``instances`` Rasa servers (bot/endpoints.redis.yml), each
    with its own action server, conversations in ``tracker_url``, locks in Redis."""
    model = model_path()
    if model is None:
        raise RuntimeError("no trained model: run `make test` (or set RASA_MODEL)")
    env = server_env(catalogue_url)
    env.update(TRACKER_STORE_URL=tracker_url, REDIS_HOST="127.0.0.1", REDIS_PORT=str(redis_port),
               REDIS_DB=str(redis_db), **(extra_env or {}))
    cluster = Cluster([], [], [], workdir)
    try:
        for n in range(instances):
            actions_port, rasa_port = free_port(), free_port()
            own = dict(env, ACTIONS_PORT=str(actions_port),
                       ACTION_ENDPOINT_URL=f"http://127.0.0.1:{actions_port}/webhook")
            cluster.actions.append(subprocess.Popen(
                [str(ROOT / "scripts/serve-actions.sh")], cwd=ROOT, env=own,
                stdout=_logfile(workdir, f"actions{n}"), stderr=subprocess.STDOUT))
            cluster.rasa.append(subprocess.Popen(
                [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--enable-api", "--model", str(model),
                 "--endpoints", str(ROOT / "bot/endpoints.redis.yml"),
                 "--credentials", str(ROOT / "bot/credentials.yml"),
                 "--interface", "127.0.0.1", "--port", str(rasa_port)],
                cwd=ROOT, stdout=_logfile(workdir, f"rasa{n}"), stderr=subprocess.STDOUT, env=own))
            cluster.rasa_urls.append(f"http://127.0.0.1:{rasa_port}")
            wait_http(f"http://127.0.0.1:{actions_port}/health", 60, cluster.actions[-1])
        for url, proc in zip(cluster.rasa_urls, cluster.rasa):
            wait_http(f"{url}/status", 240, proc,
                      ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))
        yield cluster
    except BaseException:
        for log in sorted(workdir.glob("rasa*.log")):
            sys.stderr.write(f"\n--- {log.name} (tail) ---\n{log.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        stop(*cluster.rasa, *cluster.actions, timeout=20)


def copy_catalogue(src_sqlite: Path, dest_dir: Path) -> str:
    """Copy a seeded SQLite catalogue and return its URL."""
    dest = dest_dir / "catalog.sqlite3"
    shutil.copyfile(src_sqlite, dest)
    return f"sqlite:///{dest}"

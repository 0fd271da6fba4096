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
from dataclasses import dataclass
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
    """Handles of the running servers."""

    rasa_url: str
    actions_url: str
    database_url: str
    workdir: Path
    rasa: subprocess.Popen
    actions: subprocess.Popen
    env: dict[str, str]

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


def _logfile(workdir: Path, name: str):
    return open(workdir / f"{name}.log", "wb")


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
    env.update(extra_env or {})
    # Started exactly as `make run` starts them (Procfile -> scripts/serve-*.sh).
    actions = subprocess.Popen([str(ROOT / "scripts/serve-actions.sh")], cwd=ROOT, env=env,
                               stdout=_logfile(workdir, "actions"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen([str(ROOT / "scripts/serve-rasa.sh")], cwd=ROOT, env=env,
                            stdout=_logfile(workdir, "rasa"), stderr=subprocess.STDOUT)
    servers = Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}",
                      database_url, workdir, rasa, actions, env)
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
        stop(rasa, actions)


def copy_catalogue(src_sqlite: Path, dest_dir: Path) -> str:
    """Copy a seeded SQLite catalogue and return its URL."""
    dest = dest_dir / "catalog.sqlite3"
    shutil.copyfile(src_sqlite, dest)
    return f"sqlite:///{dest}"

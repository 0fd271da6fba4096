"""Operators' set-up: a PostgreSQL catalogue and two Rasa instances sharing Redis.

A conversation that alternates between the two Rasa instances (as behind a load
balancer) keeps its context, because both use the Redis tracker and lock stores from
bot/endpoints.redis.yml, and the action server reads the catalogue from PostgreSQL.
Skipped, with the reason, when the local PostgreSQL or Redis server is not reachable
(failed when ``CI`` is set: see tests/conftest.py).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from procedures_catalog.db import dispose_engines
from procedures_catalog.service import Catalog
from tests.e2e.conftest import procedure_of
from tests.servers import ROOT, free_port, model_path, stop, wait_http

pytestmark = pytest.mark.e2e

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def pg_catalogue(pg_server: str):
    import psycopg

    name = f"tthc_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    Catalog.open(url).init()  # the sample, explicitly (PostgreSQL is never seeded silently)
    yield url
    dispose_engines()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_rasa_instances_share_the_conversation(tmp_path: Path, pg_catalogue: str,
                                                   redis_server: tuple[str, int]):
    model = model_path()
    assert model, "no trained model (run `make test`)"
    actions_port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CATALOG_DATABASE_URL=pg_catalogue,
               SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="3",
               RASA_TELEMETRY_ENABLED="false",
               ACTION_ENDPOINT_URL=f"http://127.0.0.1:{actions_port}/webhook",
               ACTIONS_PORT=str(actions_port), ACTIONS_TOKEN=secrets.token_hex(16),
               REDIS_HOST=redis_server[0], REDIS_PORT=str(redis_server[1]), REDIS_DB="5")
    procs = []
    try:
        procs.append(subprocess.Popen(
            [str(ROOT / "scripts/serve-actions.sh")], cwd=ROOT, env=env,
            stdout=open(tmp_path / "actions.log", "wb"), stderr=subprocess.STDOUT))
        urls = []
        for n in range(2):
            port = free_port()
            procs.append(subprocess.Popen(
                [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--enable-api", "--model", str(model),
                 "--endpoints", str(ROOT / "bot/endpoints.redis.yml"),
                 "--credentials", str(ROOT / "bot/credentials.yml"),
                 "--interface", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=open(tmp_path / f"rasa{n}.log", "wb"),
                stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        wait_http(f"http://127.0.0.1:{actions_port}/health", 60, procs[0])
        for url, proc in zip(urls, procs[1:]):
            wait_http(f"{url}/status", 240, proc,
                      ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))

        sender = f"scale-{uuid.uuid4().hex[:8]}"

        def talk(url: str, text: str) -> list[dict]:
            r = requests.post(f"{url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": text}, timeout=60)
            r.raise_for_status()
            return r.json()

        assert procedure_of(talk(urls[0], "lệ phí đăng ký kết hôn"))[0] == "1.000894"
        # The follow-up lands on the other instance and still knows the procedure.
        assert procedure_of(talk(urls[1], "vậy nộp ở đâu")) == ("1.000894", "where")
        assert procedure_of(talk(urls[0], "còn khai tử thì sao"))[0] == "1.000656"
    finally:
        stop(*procs, timeout=20)

"""The tracker store (bot/tracker_store.py) on SQLite and PostgreSQL, in Rasa's environment.

The checks run in ``.venv-rasa`` (tests/e2e/tracker_store_probe.py) with real Rasa
events and a real database; here we assert on what the probe observed: a long session
is read back from its tail with the same state, new events are stored once, restarts
count, personal data is masked in storage, retention keeps current sessions, and the
fast action-response check agrees with jsonschema.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.e2e


def probe(url: str) -> dict[str, Any]:
    """Run the probe against ``url`` and return its observations."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1",
               RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "-m", "tests.e2e.tracker_store_probe",
                             url], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert result.returncode == 0 and lines, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(lines[-1][len("PROBE "):])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def observed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if request.param == "sqlite":
        return probe(f"sqlite:///{Path(tmp_path_factory.mktemp('tracker')) / 'tracker.sqlite3'}")
    databases = request.getfixturevalue("pg_databases")
    url = databases.create()
    try:
        return probe(url)
    finally:
        databases.drop(url)


def test_a_long_session_is_read_from_its_tail_with_the_same_state(observed):
    long = observed["long"]
    assert long["full_events"] == 490
    # The session start, the latest value of each slot and the active loop, the tail.
    assert long["read_events"] <= 30 + 5
    assert long["first_read"] == "session_started"
    assert long["same_state"]
    assert long["state"]["slots"]["procedure_code"] == "1.000894"  # set after the reset
    assert long["state"]["slots"]["portal_topic"] is None  # set before it
    assert long["state"]["active_loop"] == "some_form"


def test_new_events_are_stored_once_in_order(observed):
    assert observed["appended"] == {"events": 5, "pending_aspect": "time",
                                    "last_texts": ["câu 119: gọi [SĐT] nhé", "câu 999: gọi [SĐT] nhé"]}


def test_a_restart_starts_the_state_over(observed):
    assert observed["restart"]["first"] == "restart"
    assert observed["restart"]["slots"]["procedure_code"] is None


def test_personal_data_is_masked_in_storage_but_not_button_payloads(observed):
    assert observed["stored_text"] == "câu 0: gọi [SĐT] nhé"
    assert observed["stored_parse_text"] == "câu 0: gọi [SĐT] nhé"
    assert observed["stored_slot"] == "fees [SĐT]"
    assert observed["button"] == '/choose{"procedure_code":"1.001193"}'


def test_retention_deletes_old_events_but_keeps_current_sessions(observed):
    assert observed["purge_keep_all"] == 0
    assert observed["purged"] == 4
    assert observed["old_after_purge"] is True
    assert observed["live_after_purge"] == ["phiên này, lâu rồi", "phiên này, hôm nay"]


def test_the_fast_action_response_check_agrees_with_jsonschema(observed):
    assert all(observed["validator_agrees"]), observed["validator_agrees"]

"""The bad-input corpus (tests/e2e/bad_inputs.py) through every channel, end to end.

REST, socket.io (a real python-socketio client), the Telegram bridge's webhook (the
bridge in webhook mode against the fake Bot API) and the Zalo webhook (events signed
as Zalo signs them), all on the shared real Rasa and action servers. For every kind
on every channel: no 5xx, a kind reply where a reply is due, and afterwards the
servers are still up and no personal data was stored as typed, in the trackers or
the turn log.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.channels.zalo_signing import SIGNATURE_HEADER, sign
from procedures_catalog import db
from procedures_catalog.models import Turn
from tests.e2e.bad_inputs import CORPUS, BadInput
from tests.e2e.conftest import ZALO_APP_ID, ZALO_SECRET, procedure_of
from tests.e2e.socketio_client import WebchatClient
from tests.e2e.test_telegram import _wait_port, bridge_env, start_bridge, stop_bridge
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZaloApi
from tests.servers import Servers, free_port

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]
WEBHOOK_SECRET = "corpus-secret_1"


def conversation(channel: str, index: int) -> str:
    """The conversation id of corpus entry ``index`` on ``channel``."""
    return {"rest": f"bad-{RUN}-{index}", "telegram": f"tg-{chat_id(index)}",
            "zalo": f"zalo-{zalo_user(index)}"}[channel]


def chat_id(index: int) -> int:
    return int(f"7{int(RUN, 16) % 10**6:06d}{index:03d}")


def zalo_user(index: int) -> str:
    return f"9{int(RUN, 16) % 10**6:06d}{index:04d}"


def has_kind_text(messages: list[Any]) -> bool:
    return any(isinstance(m, dict) and isinstance(m.get("text"), str) and m["text"].strip()
               for m in messages)


def check_stored(servers: Servers, conversations: dict[int, str]) -> list[str]:
    """Conversations whose tracker holds personal data as typed (``kind: where``)."""
    leaks = []
    for index, sender in conversations.items():
        entry = CORPUS[index]
        if not entry.personal:
            continue
        stored = json.dumps(servers.tracker(sender), ensure_ascii=False)
        leaks += [f"{entry.kind}: {sender}" for p in entry.personal if p in stored]
    return leaks


def check_alive(servers: Servers) -> None:
    assert servers.rasa.poll() is None and servers.actions.poll() is None
    assert requests.get(f"{servers.rasa_url}/status", timeout=10).status_code == 200
    assert requests.get(f"{servers.actions_url}/health", timeout=10).status_code == 200
    answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", timeout=60,
                           json={"sender": f"alive-{uuid.uuid4().hex[:8]}", "message": "lệ phí khai sinh"})
    assert procedure_of(answer.json())[0] == "1.001193"


def run_all(entries: list[tuple[int, BadInput]], send: Callable[[int, BadInput], str | None],
            workers: int = 4) -> list[str]:
    """Send every entry (a few at a time); return the problems found."""
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda item: send(*item), entries))
    return [problem for problem in results if problem]


# --- REST ----------------------------------------------------------------------------------
def test_rest(servers):
    def send(index: int, entry: BadInput) -> str | None:
        response = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": conversation("rest", index), "message": entry.text})
        if response.status_code >= 500:
            return f"{entry.kind}: {response.status_code}"
        if not entry.is_text:
            return None if response.status_code == 400 and "error" in response.json() else (
                f"{entry.kind}: {response.status_code} {response.text[:80]}")
        if response.status_code != 200 or not has_kind_text(response.json()):
            return f"{entry.kind}: no kind reply ({response.status_code} {response.text[:80]})"
        return None

    problems = run_all(list(enumerate(CORPUS)), send)
    assert problems == []
    assert check_stored(servers, {i: conversation("rest", i) for i, e in enumerate(CORPUS) if e.is_text}) == []
    check_alive(servers)


# --- socket.io -----------------------------------------------------------------------------
def test_socketio(servers):
    client = WebchatClient(servers.rasa_url)
    problems, sessions = [], {}
    try:
        for index, entry in enumerate(CORPUS):
            sessions[index] = client.open()  # a new conversation for each kind
            try:
                replies = client.say(entry.text, timeout=60)
            except Exception as exc:  # noqa: BLE001 - a lost ack is a finding
                problems.append(f"{entry.kind}: {type(exc).__name__}")
                continue
            if not has_kind_text(replies):
                problems.append(f"{entry.kind}: no kind reply {replies!r:.80}")
    finally:
        client.close()
    assert problems == []
    assert check_stored(servers, sessions) == []
    check_alive(servers)


# --- Telegram (the bridge's webhook) ---------------------------------------------------------
@pytest.fixture(scope="module")
def telegram_webhook(servers: Servers, tmp_path_factory: pytest.TempPathFactory
                     ) -> Iterator[tuple[FakeTelegram, str]]:
    """The bridge in webhook mode (as in production) against the fake Bot API."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    log = tmp_path_factory.mktemp("telegram-corpus") / "bridge.log"
    with FakeTelegram() as fake:
        env = bridge_env(fake, servers.rasa_url, servers.env, TELEGRAM_MODE="webhook",
                         TELEGRAM_WEBHOOK_URL=url, TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
                         TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", TELEGRAM_WEBHOOK_PORT=str(port))
        proc = start_bridge(env, log)
        try:
            fake.wait_for("setWebhook", timeout=90)
            _wait_port(port, proc)
            yield fake, url
            assert proc.poll() is None, "the bridge is still up"
        finally:
            stop_bridge(proc, log)


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_telegram_webhook(servers, telegram_webhook):
    fake, url = telegram_webhook
    entries = [(i, e) for i, e in enumerate(CORPUS)]
    problems = []
    for index, entry in entries:
        message = fake.message(chat_id(index), entry.text if entry.is_text else None)
        if not entry.is_text:
            message["text"] = entry.text  # a malformed update, as a forger would send it
        status = _post(url, {"update_id": 10_000 + index, "message": message},
                       {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        if status >= 500:
            problems.append(f"{entry.kind}: {status}")
    for index, entry in entries:
        if entry.visible:
            try:
                fake.wait_for("sendMessage", chat_id=chat_id(index), timeout=60)
            except TimeoutError:
                problems.append(f"{entry.kind}: no reply")
    assert problems == []
    assert check_stored(servers, {i: conversation("telegram", i) for i, e in entries
                                  if e.visible and e.personal}) == []
    check_alive(servers)


# --- Zalo (signed webhook events) -------------------------------------------------------------
def test_zalo_webhook(servers, zalo_fake: FakeZaloApi):
    def send(index: int, entry: BadInput) -> str | None:
        body = {"app_id": ZALO_APP_ID, "event_name": "user_send_text",
                "timestamp": str(int(time.time() * 1000)), "sender": {"id": zalo_user(index)},
                "recipient": {"id": "3662729599332560487"},
                "message": {"msg_id": uuid.uuid4().hex, "text": entry.text}}
        raw = json.dumps(body, ensure_ascii=False).encode()
        response = requests.post(f"{servers.rasa_url}/webhooks/zalo/webhook", data=raw, timeout=30,
                                 headers={"Content-Type": "application/json",
                                          SIGNATURE_HEADER: sign(ZALO_APP_ID, raw, body["timestamp"], ZALO_SECRET)})
        return f"{entry.kind}: {response.status_code}" if response.status_code >= 500 else None

    problems = run_all(list(enumerate(CORPUS)), send)
    for index, entry in enumerate(CORPUS):
        if entry.visible and not zalo_fake.wait_for(zalo_user(index), quiet=0.5, timeout=60):
            problems.append(f"{entry.kind}: no reply")
    assert problems == []
    assert check_stored(servers, {i: conversation("zalo", i) for i, e in enumerate(CORPUS)
                                  if e.visible and e.personal}) == []
    check_alive(servers)


# --- the turn log, after every channel -------------------------------------------------------
def test_no_personal_data_in_the_turn_log(servers):
    engine = db.get_engine(servers.database_url)
    with db.session_scope(engine) as s:
        logged = "\n".join(t or "" for t in s.scalars(select(Turn.text)))
    assert logged, "turns were logged"
    leaks = [f"{e.kind}: {p}" for e in CORPUS for p in e.personal if p in logged]
    assert leaks == []

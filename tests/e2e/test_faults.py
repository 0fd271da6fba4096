"""Faults, end to end: what a citizen sees when a part of the assistant fails.

One real stack for the module: the action server, Rasa (REST and Zalo channels, the
SQLite tracker store of ``make run``), the Telegram bridge, the catalogue in PostgreSQL
behind a proxy that can be cut (SQLite when PostgreSQL is unreachable: the database
test is then skipped), and Zalo's and Telegram's APIs faked on loopback. Each test
breaks one thing, checks the citizen's side, repairs it and checks the next turn.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.zalo_signing import SIGNATURE_HEADER, sign
from bot.resilience import APOLOGY
from procedures_catalog.answers import RATING_PROMPT
from procedures_catalog.service import Catalog
from tests.e2e.conftest import procedure_of, texts
from tests.e2e.test_telegram import bridge_env, start_bridge, stop_bridge
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZaloApi
from tests.faults import TcpProxy
from tests.servers import Servers, model_path, run_servers

pytestmark = pytest.mark.e2e

APP_ID, SECRET, TOKEN = "2553928453557884079", "test-oa-secret-key", "test-access-token"
MARRIAGE, QUESTION = "1.000894", "lệ phí đăng ký kết hôn"
# Seconds the channels wait for Zalo's / Telegram's API before trying again (short,
# so that the timeout faults take seconds).
API_TIMEOUT = 1


@pytest.fixture(scope="module")
def catalogue(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[str, TcpProxy | None]]:
    """The catalogue's URL, and the proxy in front of it (None for SQLite)."""
    try:
        pg_catalogue: str = request.getfixturevalue("pg_catalogue")
    except pytest.skip.Exception:  # no PostgreSQL here (under CI this fails instead)
        path = tmp_path_factory.mktemp("faults-db") / "catalog.sqlite3"
        Catalog.open(f"sqlite:///{path}")
        yield f"sqlite:///{path}", None
        return
    with TcpProxy(5432) as proxy:
        yield pg_catalogue.replace(":5432/", f":{proxy.port}/"), proxy


@pytest.fixture(scope="module")
def zalo_api() -> Iterator[FakeZaloApi]:
    """Zalo's OA message API, faked."""
    with FakeZaloApi(TOKEN) as fake:
        yield fake


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[FakeTelegram]:
    """Telegram's Bot API, faked."""
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, catalogue: tuple[str, TcpProxy | None],
          zalo_api: FakeZaloApi, telegram_api: FakeTelegram) -> Iterator[Servers]:
    """Action server, Rasa (REST + Zalo) and the Telegram bridge."""
    if model_path() is None:
        pytest.fail("no trained Rasa model: run `make test`, which trains one (or set RASA_MODEL)")
    workdir = tmp_path_factory.mktemp("faults")
    credentials = workdir / "credentials.yml"
    credentials.write_text("bot.channels.masked_rest.MaskedRestInput:\n\nbot.channels.zalo.ZaloInput:\n")
    env = {"ZALO_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
           "ZALO_API_BASE_URL": zalo_api.url, "ZALO_API_TIMEOUT": str(API_TIMEOUT)}
    with run_servers(workdir, catalogue[0], credentials=credentials, extra_env=env) as servers:
        log = workdir / "bridge.log"
        bridge = start_bridge(bridge_env(telegram_api, servers.rasa_url, servers.env,
                                         TELEGRAM_API_TIMEOUT=str(API_TIMEOUT)), log)
        try:
            telegram_api.wait_for("getUpdates", timeout=90)
            yield servers
        finally:
            stop_bridge(bridge, log)


@pytest.fixture
def sender() -> str:
    """A fresh conversation id."""
    return f"fault-{uuid.uuid4().hex[:10]}"


def timed_talk(servers: Servers, sender: str, text: str) -> tuple[float, list[dict]]:
    """(seconds, messages) of one REST turn; fails on any HTTP error."""
    started = time.monotonic()
    messages = servers.talk(sender, text)
    return time.monotonic() - started, messages


def test_rasa_restarted_the_conversation_continues(stack: Servers, sender: str):
    assert procedure_of(stack.talk(sender, QUESTION))[0] == MARRIAGE
    stack.restart_rasa()
    # "Where do I file it?" still means the marriage registration.
    assert procedure_of(stack.talk(sender, "vậy nộp ở đâu")) == (MARRIAGE, "where")


def test_action_server_down_a_kind_reply_then_the_next_turn_works(stack: Servers, sender: str):
    assert procedure_of(stack.talk(sender, QUESTION))[0] == MARRIAGE
    stack.stop_actions()
    try:
        seconds, messages = timed_talk(stack, sender, "mất bao lâu")
        assert texts(messages) == [APOLOGY]
        assert seconds < 3
    finally:
        stack.start_actions()
    assert procedure_of(stack.talk(sender, "mất bao lâu")) == (MARRIAGE, "time")


def test_catalogue_unreachable_a_kind_reply_then_recovery_without_restart(
        stack: Servers, catalogue: tuple[str, TcpProxy | None], sender: str):
    proxy = catalogue[1]
    if proxy is None:
        pytest.skip("PostgreSQL is unreachable: the catalogue is SQLite, which cannot be cut off")
    proxy.cut()
    try:
        seconds, messages = timed_talk(stack, sender, "lệ phí đăng ký khai tử")
        # No 5xx (timed_talk raises on one), no silence, no stack trace.
        assert texts(messages) == [APOLOGY]
        assert seconds < 5
    finally:
        proxy.restore()
    assert procedure_of(stack.talk(sender, "lệ phí đăng ký khai tử"))[0] == "1.000656"
    assert stack.actions.poll() is None and stack.rasa.poll() is None


def zalo_event(user: str, text: str) -> tuple[bytes, str]:
    """A signed ``user_send_text`` event (body, signature header)."""
    body = {"app_id": APP_ID, "event_name": "user_send_text", "sender": {"id": user},
            "recipient": {"id": "3662729599332560487"}, "user_id_by_app": "979122185046046317",
            "timestamp": str(int(time.time() * 1000)),
            "message": {"msg_id": uuid.uuid4().hex, "text": text}}
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, sign(APP_ID, raw, body["timestamp"], SECRET)


def test_zalo_api_failing_messages_are_retried_none_lost_none_twice(
        stack: Servers, zalo_api: FakeZaloApi):
    import requests

    user = str(uuid.uuid4().int)[:19]
    expected = texts(stack.talk(f"rest-{user}", QUESTION))
    failed_before = zalo_api.failed
    # A 502, a 429 asking for a second's wait, then no answer at all (a timeout).
    zalo_api.fail_next(502)
    zalo_api.fail_next(429, retry_after=1)
    zalo_api.fail_next(0, retry_after=API_TIMEOUT + 2)
    raw, signature = zalo_event(user, QUESTION)
    response = requests.post(f"{stack.rasa_url}/webhooks/zalo/webhook", data=raw, timeout=30,
                             headers={"Content-Type": "application/json",
                                      SIGNATURE_HEADER: signature})
    assert response.status_code == 200
    sent = zalo_api.wait_for(user, count=len(expected), quiet=4, timeout=60)
    assert zalo_api.failed == failed_before + 3
    answer = [m.text for m in sent if m.text != RATING_PROMPT
              and not any(b["type"] == "oa.open.url" for b in m.buttons)]
    assert [" ".join(t.split()) for t in answer] == [" ".join(t.split()) for t in expected]


def test_telegram_api_failing_messages_are_retried_none_lost_none_twice(
        stack: Servers, telegram_api: FakeTelegram):
    chat = int(str(uuid.uuid4().int)[:9])
    expected = texts(stack.talk(f"rest-{chat}", QUESTION))
    # Fetching updates fails once; then sending: a 502, no answer (a timeout), a 429.
    telegram_api.fail_next("getUpdates", status=502)
    telegram_api.fail_next("sendMessage", status=502)
    telegram_api.fail_next("sendMessage", status=0, retry_after=API_TIMEOUT + 2)
    telegram_api.fail_next("sendMessage", retry_after=1)
    telegram_api.send_text(chat, QUESTION)
    telegram_api.wait_for("sendMessage", chat_id=chat, count=len(expected), timeout=60)
    time.sleep(3)  # anything sent twice would arrive by now
    failures = [c.status for c in telegram_api.calls("sendMessage", chat_id=chat, status=None)
                if c.status != 200]
    assert sorted(failures) == [0, 429, 502]
    assert [c.text for c in telegram_api.calls("sendMessage", chat_id=chat)] == expected


def test_the_logs_name_each_fault(stack: Servers):
    rasa_log = Path(stack.workdir, "rasa.log").read_text(errors="replace")
    assert "the citizen gets an apology" in rasa_log
    assert "Zalo API HTTP 502; retrying" in rasa_log
    assert "Zalo API HTTP 429; retrying in 1.0s" in rasa_log


"""The Telegram bridge end to end: a fake Bot API on loopback, the real assistant.

The bridge runs as its own process (``python -m bot.channels.telegram_bridge``), long
polling the fake Telegram server (python-telegram-bot's base URL setting points it
there) and forwarding to the real Rasa server and action server from ``servers``.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.channels import telegram_bridge as tb
from tests.e2e.conftest import custom_payloads, texts
from tests.fakes.telegram_api import Call, FakeTelegram
from tests.servers import ROOT, Servers, free_port

pytestmark = pytest.mark.e2e

RATE_LIMIT = 8  # messages a minute per chat in the bridge under test
BIRTH_QUESTION = "con tui moi sinh thi lam giay gi"


def bridge_env(fake: FakeTelegram, rasa_url: str, servers_env: dict[str, str] | None = None,
               **extra: str) -> dict[str, str]:
    """The bridge's environment: ours without any TELEGRAM_* a developer may have set,
    with the token the servers under test expect from a bridge."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "RASA_URL": rasa_url,
        "TELEGRAM_RATE_LIMIT": str(RATE_LIMIT),
    })
    if servers_env is not None:
        env["BRIDGE_TOKEN"] = servers_env["BRIDGE_TOKEN"]
    env.update(extra)
    return env


def start_bridge(env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start the bridge as `make run` does (its own process, settings from env)."""
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "bot.channels.telegram_bridge"],
        cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
    )


def stop_bridge(proc: subprocess.Popen, log: Path, *, failed: bool = False) -> int | None:
    """SIGTERM, then wait; print the log's tail when something went wrong."""
    if proc.poll() is None:
        proc.terminate()
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = None
    if failed or code != 0:
        sys.stderr.write(f"\n--- telegram bridge log (tail) ---\n"
                         f"{log.read_text(errors='replace')[-4000:]}")
    return code


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    """The fake Telegram Bot API server."""
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def bridge_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the polling bridge logs."""
    return tmp_path_factory.mktemp("telegram") / "bridge.log"


@pytest.fixture(scope="module")
def bridge(servers: Servers, fake: FakeTelegram, bridge_log: Path) -> Iterator[subprocess.Popen]:
    """The bridge, long polling the fake and talking to the real assistant."""
    proc = start_bridge(bridge_env(fake, servers.rasa_url, servers.env), bridge_log)
    try:
        fake.wait_for("getUpdates", timeout=90)
    except TimeoutError:
        stop_bridge(proc, bridge_log, failed=True)
        raise
    yield proc
    code = stop_bridge(proc, bridge_log)
    assert code == 0, "the bridge did not stop cleanly on SIGTERM"


@pytest.fixture
def chat() -> int:
    """A fresh private chat id."""
    return random.randint(10**8, 10**9)


def turn(fake: FakeTelegram, chat_id: int, push: Callable[[], object], *,
         keyboard: bool = True, count: int = 1, timeout: float = 60) -> list[Call]:
    """Push an update, wait for the bot's answer, return the messages it sent.

    With ``keyboard`` the turn is over when a message with callback buttons arrives
    (every answer of the assistant ends with one); else after ``count`` messages.
    """
    start = time.monotonic()
    push()

    def new(call: Call) -> bool:
        return call.at > start

    if keyboard:
        fake.wait_for("sendMessage", chat_id=chat_id, timeout=timeout,
                      where=lambda c: new(c) and any("callback_data" in b for b in c.buttons))
    else:
        fake.wait_for("sendMessage", chat_id=chat_id, count=count, where=new, timeout=timeout)
    return [c for c in fake.calls("sendMessage", chat_id=chat_id) if new(c)]


def callback_titles(calls: list[Call]) -> list[str]:
    return [b["text"] for c in calls for b in c.buttons if "callback_data" in b]


def rest_titles(messages: list[dict]) -> list[str]:
    return [b["title"] for m in messages for b in m.get("buttons") or []]


def assert_callback_data_fits(calls: list[Call]) -> None:
    for call in calls:
        for button in call.buttons:
            if "callback_data" in button:
                assert 1 <= len(button["callback_data"].encode()) <= 64, button


# --- conversations ------------------------------------------------------------------------
def test_text_in_answer_and_inline_keyboard_out(bridge, fake, servers, chat):
    sent = turn(fake, chat, lambda: fake.send_text(chat, "lệ phí đăng ký khai sinh bao nhiêu"))
    assert any("Lệ phí" in c.text for c in sent)
    last = sent[-1]
    titles = callback_titles([last])
    for word in ("Giấy tờ", "Nộp ở đâu", "thủ tục khác"):
        assert any(word in t for t in titles), titles
    assert_callback_data_fits(sent)
    links = [b for b in last.buttons if "url" in b]
    assert links and links[0]["url"].startswith("http"), "a procedure answer links its portal page"
    # The conversation is tg-<chat id> in Rasa, and the bridge named its channel.
    tracker = servers.tracker(f"tg-{chat}")
    assert tracker["latest_message"]["metadata"] == {"channel": "telegram"}
    # The typing indicator went out while the assistant was thinking.
    assert fake.calls("sendChatAction", chat_id=chat)


def test_same_question_same_answer_as_rest(bridge, fake, servers, chat, bridge_log):
    rest = servers.talk(f"rest-{uuid.uuid4().hex[:8]}", BIRTH_QUESTION)
    sent = turn(fake, chat, lambda: fake.send_text(chat, BIRTH_QUESTION))
    assert [c.text for c in sent] == texts(rest)
    assert callback_titles(sent) == rest_titles(rest)
    portal = [p["procedure"]["portal_url"] for p in custom_payloads(rest) if "procedure" in p]
    assert [b["url"] for c in sent for b in c.buttons if "url" in b] == portal
    # Logs carry neither what citizens write nor the token, and name chats by a hash.
    log = bridge_log.read_text(errors="replace")
    assert BIRTH_QUESTION not in log and fake.token not in log and str(chat) not in log


def test_tapping_a_button_answers_the_query_and_the_question(bridge, fake, servers, chat):
    question = turn(fake, chat, lambda: fake.send_text(chat, "giấy phép"))
    last = question[-1]
    first = [b for b in last.buttons if "callback_data" in b][0]
    assert_callback_data_fits(question)

    tapped = turn(fake, chat, lambda: fake.tap(chat, last, first["callback_data"]))
    answered = fake.wait_for("answerCallbackQuery")
    assert answered[-1].params["callback_query_id"]
    edited = fake.wait_for("editMessageReplyMarkup", chat_id=chat)
    assert edited[-1].params["message_id"] == last.response["message_id"]
    assert edited[-1].buttons[0]["text"] == f"✓ {first['text']}"

    # The same question and tap through the REST channel give the same texts.
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    rest_question = servers.talk(sender, "giấy phép")
    assert [c.text for c in question] == texts(rest_question)
    payload = [m for m in rest_question if m.get("buttons")][-1]["buttons"][0]["payload"]
    assert [c.text for c in tapped] == texts(servers.talk(sender, payload))

    # Tapping the inert "✓" button does nothing but stop the spinner.
    before = len(fake.calls("sendMessage", chat_id=chat))
    fake.tap(chat, edited[-1], tb.NOOP)
    fake.wait_for("answerCallbackQuery", count=len(answered) + 1)
    time.sleep(0.5)
    assert len(fake.calls("sendMessage", chat_id=chat)) == before


def test_stale_button_gets_a_kind_reply(bridge, fake, chat):
    # A button sent before the bridge restarted: its key is unknown now.
    old = fake.message(chat, "Bạn hỏi thủ tục nào?")
    old["reply_markup"] = {"inline_keyboard": [[{"text": "1. Khai sinh", "callback_data": "k:gone"}]]}
    count = len(fake.calls("answerCallbackQuery"))
    reply = turn(fake, chat, lambda: fake.tap(chat, old, "k:gone"), keyboard=False)
    assert reply[0].text == tb.STALE_BUTTON
    assert len(fake.calls("answerCallbackQuery")) == count + 1


def test_start_greets_and_help_explains(bridge, fake, servers, chat):
    greeting = turn(fake, chat, lambda: fake.send_text(chat, "/start"))
    assert [c.text for c in greeting] == texts(servers.talk(f"rest-{uuid.uuid4().hex[:8]}",
                                                            "/greet"))
    assert_callback_data_fits(greeting)
    helped = turn(fake, chat, lambda: fake.send_text(chat, "/help"))
    assert helped[0].text == tb.HELP_TEXT
    assert callback_titles(helped) == [b["title"] for b in tb.HELP_BUTTONS]
    assert fake.calls("setMyCommands"), "the bridge registers /start and /help"


@pytest.mark.parametrize(("kind", "fields", "expected"), [
    ("photo", {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90,
                          "height": 90}]}, tb.FILES),
    ("sticker", {"sticker": {"file_id": "s1", "file_unique_id": "u2", "type": "regular",
                             "width": 512, "height": 512, "is_animated": False,
                             "is_video": False}}, tb.OTHER_KIND),
    ("voice", {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}}, tb.VOICE),
    ("document", {"document": {"file_id": "d1", "file_unique_id": "u4",
                               "file_name": "ho-so.pdf"}}, tb.FILES),
])
def test_non_text_messages_get_a_short_kind_reply(bridge, fake, chat, kind, fields, expected):
    reply = turn(fake, chat, lambda: fake.push_update({"message": fake.message(chat, **fields)}),
                 keyboard=False)
    assert [c.text for c in reply] == [expected]
    assert bridge.poll() is None
    # Still answering text afterwards.
    assert turn(fake, chat, lambda: fake.send_text(chat, "xin chào"))


def test_edited_message_gets_a_short_kind_reply(bridge, fake, chat):
    edited = fake.message(chat, "sửa lại: lệ phí khai sinh", edit_date=int(time.time()))
    reply = turn(fake, chat, lambda: fake.push_update({"edited_message": edited}), keyboard=False)
    assert [c.text for c in reply] == [tb.EDITED]


def test_malformed_updates_are_ignored(bridge, fake, chat, bridge_log):
    before = len(fake.calls("sendMessage"))
    fake.push_update({"message": {"message_id": "not a message"}})
    fake.push_update({"callback_query": {"id": "1"}})
    fake.push_update({"message": "garbage"})
    fake.push_update({"some_future_update_type": {"x": 1}})
    answer = turn(fake, chat, lambda: fake.send_text(chat, "xin chào"))
    assert answer and bridge.poll() is None
    # Nothing was sent for the malformed ones, and they were confirmed (not re-served).
    assert len(fake.calls("sendMessage")) == before + len(answer)
    deadline = time.monotonic() + 15
    while fake.pending_updates() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fake.pending_updates() == 0
    assert "Ignored malformed update" in bridge_log.read_text(errors="replace")


def test_telegram_429_is_retried_after_the_delay_it_asks_for(bridge, fake, chat):
    fake.fail_next("sendMessage", retry_after=1)
    sent = turn(fake, chat, lambda: fake.send_text(chat, "đăng ký khai sinh"))
    refused = fake.calls("sendMessage", chat_id=chat, status=429)
    assert len(refused) == 1
    assert sent[0].text == refused[0].text, "the refused message is the one delivered later"
    assert sent[0].at - refused[0].at >= 1.0


def test_per_chat_rate_limit_asks_kindly_to_slow_down(bridge, fake, servers, chat):
    for _ in range(RATE_LIMIT + 3):
        fake.send_text(chat, "xin chào")
    fake.wait_for("sendMessage", chat_id=chat, where=lambda c: c.text == tb.SLOW_DOWN)
    greeting = texts(servers.talk(f"rest-{uuid.uuid4().hex[:8]}", "xin chào"))
    answers = fake.wait_for("sendMessage", chat_id=chat, count=RATE_LIMIT,
                            where=lambda c: c.text == greeting[-1])
    time.sleep(1.0)
    assert len(answers) == RATE_LIMIT
    assert len(fake.calls("sendMessage", chat_id=chat)) == RATE_LIMIT * len(greeting) + 1
    assert "chậm lại" in tb.SLOW_DOWN
    # Another chat is not held back.
    other = chat + 1
    assert turn(fake, other, lambda: fake.send_text(other, "xin chào"))


# --- webhook mode -------------------------------------------------------------------------
def _post(url: str, body: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the bridge exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


def test_webhook_mode_checks_telegrams_secret_token(servers, tmp_path, chat):
    port, secret = free_port(), "s3cret-Token_42"
    url = f"http://127.0.0.1:{port}/telegram"
    with FakeTelegram() as fake:
        env = bridge_env(fake, servers.rasa_url, servers.env, TELEGRAM_MODE="webhook",
                         TELEGRAM_WEBHOOK_URL=url, TELEGRAM_WEBHOOK_SECRET=secret,
                         TELEGRAM_WEBHOOK_LISTEN="127.0.0.1", TELEGRAM_WEBHOOK_PORT=str(port))
        log = tmp_path / "bridge-webhook.log"
        proc = start_bridge(env, log)
        failed = True
        try:
            fake.wait_for("setWebhook", timeout=90)
            assert fake.webhook["url"] == url
            assert fake.webhook["secret_token"] == secret
            _wait_port(port, proc)
            update = {"update_id": 1, "message": fake.message(chat, "xin chào")}
            assert _post(url, update, None) == 403
            assert _post(url, update, "wrong") == 403
            assert not fake.calls("sendMessage", chat_id=chat)
            assert _post(url, update, secret) == 200
            fake.wait_for("sendMessage", chat_id=chat, timeout=60)
            assert not fake.calls("getUpdates"), "webhook mode does not poll"
            failed = False
        finally:
            stop_bridge(proc, log, failed=failed)


# --- start-up errors ----------------------------------------------------------------------
@pytest.mark.parametrize(("env", "named"), [
    ({}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_MODE": "webhook",
      "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_RATE_LIMIT": "lots"}, "TELEGRAM_RATE_LIMIT"),
])
def test_bad_settings_stop_with_a_clear_message(env, named):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "bot.channels.telegram_bridge"],
        cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert "abc" not in result.stderr, "a token is never echoed"


def test_a_refused_token_is_said_without_it_and_the_bridge_keeps_running(tmp_path):
    log = tmp_path / "bridge-token.log"
    with FakeTelegram() as fake:
        proc = start_bridge(bridge_env(fake, "http://127.0.0.1:9", TELEGRAM_BOT_TOKEN="123:abc"),
                            log)
        deadline = time.monotonic() + 60
        while "refused TELEGRAM_BOT_TOKEN" not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, "no clear error"
            time.sleep(0.2)
        time.sleep(1)
        assert proc.poll() is None, "a wrong token must not stop `make run`"
        assert stop_bridge(proc, log) == 0
    assert "abc" not in log.read_text(errors="replace"), "a token is never logged"

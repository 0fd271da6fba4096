"""The Zalo channel end to end: a real Rasa server (with the zalo channel) and action
server, Zalo's OA message API faked on loopback, events signed as Zalo signs them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.channels.zalo_messages import NOT_TEXT_REPLY, RATE_LIMIT_REPLY, VOICE_REPLY
from bot.channels.zalo_signing import SIGNATURE_HEADER, sign
from procedures_catalog.answers import RATING_PROMPT
from tests.e2e.conftest import texts
from tests.fakes.zalo_api import FakeZaloApi, SentMessage
from tests.servers import Servers, model_path, run_servers

pytestmark = pytest.mark.e2e

APP_ID, SECRET, TOKEN = "2553928453557884079", "test-oa-secret-key", "test-access-token"
OA_ID = "3662729599332560487"
RATE_LIMIT = 5
TOKEN_ERROR_LINE = "Zalo access token expired or invalid: refresh ZALO_ACCESS_TOKEN"
BIRTH = "1.001193"


@pytest.fixture(scope="module")
def zalo_api() -> Iterator[FakeZaloApi]:
    """The fake OA message API."""
    with FakeZaloApi(TOKEN) as fake:
        yield fake


@pytest.fixture(scope="module")
def zalo_servers(tmp_path_factory: pytest.TempPathFactory, e2e_catalogue: str,
                 zalo_api: FakeZaloApi) -> Iterator[Servers]:
    """Rasa with the REST and zalo channels, talking to the fake API."""
    if model_path() is None:
        pytest.fail("no trained Rasa model: run `make test`, which trains one (or set RASA_MODEL)")
    workdir = tmp_path_factory.mktemp("zalo-servers")
    credentials = workdir / "credentials.yml"
    credentials.write_text("rest:\n\nbot.channels.zalo.ZaloInput:\n")
    env = {
        "ZALO_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
        "ZALO_API_BASE_URL": zalo_api.url, "ZALO_MAX_EVENT_AGE": "300",
        "ZALO_RATE_LIMIT": str(RATE_LIMIT),
    }
    with run_servers(workdir, e2e_catalogue, credentials=credentials, extra_env=env) as running:
        yield running


@pytest.fixture
def user() -> str:
    """A fresh Zalo user id."""
    return str(uuid.uuid4().int)[:19]


def event(user: str, name: str = "user_send_text", text: str | None = None,
          age: float = 0, **message: Any) -> dict[str, Any]:
    """A Zalo webhook event from ``user`` (``age`` seconds ago)."""
    body: dict[str, Any] = {
        "app_id": APP_ID, "event_name": name, "user_id_by_app": "979122185046046317",
        "timestamp": str(int((time.time() - age) * 1000)),
    }
    if name == "follow":
        body.update({"oa_id": OA_ID, "follower": {"id": user}, "source": "oa_profile"})
    else:
        body.update({"sender": {"id": user}, "recipient": {"id": OA_ID},
                     "message": {"msg_id": uuid.uuid4().hex, **message}})
        if text is not None:
            body["message"]["text"] = text
    return body


def post(servers: Servers, raw: bytes, header: str | None) -> requests.Response:
    """POST a raw body to the Zalo webhook with the given signature header."""
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[SIGNATURE_HEADER] = header
    return requests.post(f"{servers.rasa_url}/webhooks/zalo/webhook", data=raw,
                         headers=headers, timeout=30)


def send(servers: Servers, body: dict[str, Any], secret: str = SECRET) -> requests.Response:
    """POST ``body`` signed as Zalo signs it."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    return post(servers, raw, sign(APP_ID, raw, body["timestamp"], secret))


def user_texts(servers: Servers, user: str) -> list[str]:
    """What the tracker of ``user``'s conversation recorded as their messages."""
    tracker = servers.tracker(f"zalo-{user}")
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def answer_texts(sent: list[SentMessage]) -> list[str]:
    """Texts sent, without the Zalo-only messages: procedure cards (a payload's
    rendering) and the 👍/👎 prompt that carries the buttons past Zalo's five."""
    return [m.text for m in sent if m.text and not is_card(m) and m.text != RATING_PROMPT]


def is_card(message: SentMessage) -> bool:
    return any(b["type"] == "oa.open.url" for b in message.buttons)


def norm(text: str) -> str:
    return " ".join(text.split())


def test_health(zalo_servers):
    assert requests.get(f"{zalo_servers.rasa_url}/webhooks/zalo/", timeout=10).json() == {"status": "ok"}


def test_a_signed_question_is_answered_through_the_oa_api(zalo_servers, zalo_api, user):
    response = send(zalo_servers, event(user, text="lệ phí đăng ký khai sinh bao nhiêu"))
    assert response.status_code == 200
    sent = zalo_api.wait_for(user)
    assert sent, "the bot sent nothing to the fake Zalo API"
    assert all(m.body["recipient"] == {"user_id": user} for m in sent)
    assert all(m.text for m in sent)
    buttons = sent[-1].buttons
    assert 0 < len(buttons) <= 5, [m.text for m in sent]
    assert all(len(b["title"]) <= 100 for b in buttons)
    intents = [b for b in buttons if str(b["payload"]).startswith("/")]
    assert intents and all(b["type"] == "oa.query.hide" for b in intents)
    assert user_texts(zalo_servers, user) == ["lệ phí đăng ký khai sinh bao nhiêu"]
    assert zalo_servers.tracker(f"zalo-{user}")["latest_input_channel"] == "zalo"


def test_a_button_tap_sends_its_payload_back_as_text(zalo_servers, zalo_api, user):
    # oa.query.hide buttons come back as user_send_text carrying the payload; the answer
    # about a procedure starts with its card, linking to the portal.
    tap = '/choose_procedure{"procedure_code":"' + BIRTH + '"}'
    send(zalo_servers, event(user, text=tap))
    sent = zalo_api.wait_for(user, count=2)
    assert sent and is_card(sent[0]) and BIRTH in sent[0].text, [m.text for m in sent]
    [link] = sent[0].buttons
    assert link["payload"]["url"].startswith("https://")


def test_the_same_question_gets_the_same_answer_as_on_the_rest_channel(zalo_servers, zalo_api, user):
    question = "con tui moi sinh thi lam giay gi"
    send(zalo_servers, event(user, text=question))
    sent = zalo_api.wait_for(user, count=3)
    rest = zalo_servers.talk(f"rest-{user}", question)
    assert [norm(t) for t in answer_texts(sent)] == [norm(t) for t in texts(rest)]
    # The same buttons; on Zalo the 👍/👎 follow in their own message (five at most).
    rest_titles = [b["title"] for m in rest for b in m.get("buttons", [])]
    zalo_titles = [b["title"] for m in sent if not is_card(m) for b in m.buttons]
    assert sorted(zalo_titles) == sorted(rest_titles)


def test_an_unsigned_event_is_refused_and_nothing_is_processed(zalo_servers, zalo_api, user):
    body = event(user, text="lệ phí đăng ký khai sinh")
    response = post(zalo_servers, json.dumps(body).encode(), header=None)
    assert response.status_code == 401
    time.sleep(2)
    assert zalo_api.sent_to(user) == []
    assert user_texts(zalo_servers, user) == []


def test_forged_signatures_are_refused(zalo_servers, zalo_api, user):
    body = event(user, text="lệ phí đăng ký khai sinh")
    assert send(zalo_servers, body, secret="guessed-secret").status_code == 401
    raw = json.dumps(body).encode()
    genuine = sign(APP_ID, raw, body["timestamp"], SECRET)
    tampered = raw.replace(b"khai sinh", b"khai tu")
    assert post(zalo_servers, tampered, genuine).status_code == 401
    assert post(zalo_servers, raw, "mac=" + "0" * 64).status_code == 401
    time.sleep(2)
    assert zalo_api.sent_to(user) == []
    assert user_texts(zalo_servers, user) == []


def test_a_stale_event_is_refused_even_when_correctly_signed(zalo_servers, zalo_api, user):
    response = send(zalo_servers, event(user, text="lệ phí đăng ký khai sinh", age=600))
    assert response.status_code == 401
    assert response.json() == {"error": "stale event"}
    time.sleep(2)
    assert zalo_api.sent_to(user) == []
    assert user_texts(zalo_servers, user) == []


def test_a_redelivered_event_is_processed_once(zalo_servers, zalo_api, user):
    body = event(user, text="lệ phí đăng ký khai sinh bao nhiêu")
    first, again = send(zalo_servers, body), send(zalo_servers, body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "duplicate"}
    once = zalo_api.wait_for(user)
    assert once
    # A new message from the same citizen is queued behind any duplicate processing.
    send(zalo_servers, event(user, text="mất bao lâu"))
    later = zalo_api.wait_for(user, count=len(once) + 1)
    assert user_texts(zalo_servers, user) == ["lệ phí đăng ký khai sinh bao nhiêu", "mất bao lâu"]
    # Processing the duplicate would have sent the first answer's last text again (the
    # 👍/👎 prompt after it is the same after every answer, so it cannot tell).
    last_answer = [m for m in once if m.text != RATING_PROMPT][-1]
    assert sum(m.body == last_answer.body for m in later) == 1


def test_pictures_and_voice_get_a_kind_reply(zalo_servers, zalo_api, user):
    image = {"attachments": [{"type": "image", "payload": {"url": "https://example.org/a.jpg"}}]}
    assert send(zalo_servers, event(user, "user_send_image", **image)).status_code == 200
    assert [m.text for m in zalo_api.wait_for(user, count=1)] == [NOT_TEXT_REPLY]
    audio = {"attachments": [{"type": "audio", "payload": {"url": "https://example.org/a.aac"}}]}
    assert send(zalo_servers, event(user, "user_send_audio", **audio)).status_code == 200
    assert [m.text for m in zalo_api.wait_for(user, count=2)] == [NOT_TEXT_REPLY, VOICE_REPLY]
    assert user_texts(zalo_servers, user) == []


def test_stickers_receipts_and_echoes_are_acknowledged_silently(zalo_servers, zalo_api, user):
    sticker = {"attachments": [{"type": "sticker", "payload": {"id": "bfe1", "url": "https://x"}}]}
    for body in (event(user, "user_send_sticker", **sticker), event(user, "user_seen_message"),
                 event(user, "unfollow"), event(user, "some_future_event")):
        assert send(zalo_servers, body).status_code == 200
    echo = event(user, "oa_send_text", text="Chào bạn")
    echo["sender"], echo["recipient"] = {"id": OA_ID}, {"id": user}
    assert send(zalo_servers, echo).status_code == 200
    time.sleep(2)
    assert zalo_api.sent_to(user) == []
    assert requests.get(f"{zalo_servers.rasa_url}/status", timeout=10).status_code == 200


def test_a_new_follower_gets_the_greeting(zalo_servers, zalo_api, user):
    assert send(zalo_servers, event(user, "follow")).status_code == 200
    assert zalo_api.wait_for(user), "no greeting sent"
    assert user_texts(zalo_servers, user) == ["/greet"]


def test_the_rate_limit_is_per_zalo_user(zalo_servers, zalo_api, user):
    other = user[:-1] + ("1" if user[-1] != "1" else "2")
    sticker = {"attachments": [{"type": "sticker", "payload": {"id": "bfe1"}}]}
    for _ in range(RATE_LIMIT):
        assert send(zalo_servers, event(user, "user_send_sticker", **sticker)).status_code == 200
    send(zalo_servers, event(user, text="lệ phí đăng ký khai sinh"))
    send(zalo_servers, event(user, text="mất bao lâu"))
    assert [m.text for m in zalo_api.wait_for(user, count=1, quiet=3)] == [RATE_LIMIT_REPLY]
    assert user_texts(zalo_servers, user) == []
    # Same source address, another citizen: served as usual.
    send(zalo_servers, event(other, text="xin chào"))
    assert zalo_api.wait_for(other, count=1)


def test_an_expired_token_is_logged_clearly_and_the_server_keeps_serving(
        zalo_servers, zalo_api, user):
    log = Path(zalo_servers.workdir) / "rasa.log"
    lines_before = log.read_text(errors="replace").count(TOKEN_ERROR_LINE)
    rejected_before = zalo_api.rejected
    zalo_api.expire_token()
    try:
        assert send(zalo_servers, event(user, text="lệ phí đăng ký khai sinh")).status_code == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and log.read_text(errors="replace").count(TOKEN_ERROR_LINE) == lines_before:
            time.sleep(0.3)
    finally:
        zalo_api.expire_token(False)
    content = log.read_text(errors="replace")
    assert content.count(TOKEN_ERROR_LINE) == lines_before + 1, content[-3000:]
    assert zalo_api.rejected == rejected_before + 1  # the rest of the turn was not attempted
    assert zalo_servers.rasa.poll() is None
    assert "Traceback" not in content[content.rfind(TOKEN_ERROR_LINE):]
    # A fresh token (here: the fake accepting it again) and the channel works at once.
    send(zalo_servers, event(user, text="mất bao lâu"))
    assert zalo_api.wait_for(user, count=1)

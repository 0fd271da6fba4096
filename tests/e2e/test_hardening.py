"""The citizen side under attack (issue 11), end to end: the real Rasa server and action
server on loopback, started by the scripts `make run` uses, a real socket.io client.

Each test names the item of the probe it covers; each failed on the code before the
hardening.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from bot.channels.limits import BRIDGE_HEADER, NOT_YOUR_SESSION, SLOW_DOWN, TOO_LONG
from procedures_catalog import db, turnlog
from procedures_catalog.models import Turn, TurnRating
from tests.e2e.conftest import procedure_of, texts
from tests.e2e.socketio_client import WebchatClient
from tests.servers import ROOT, Servers, free_port, serve, server_env

pytestmark = pytest.mark.e2e

PHONE, CCCD = "0912345678", "079123456789"
TOO_LONG_START = TOO_LONG.split("(")[0].strip()


def rest(servers: Servers, body: object, *, headers: dict[str, str] | None = None,
         raw: bytes | None = None, timeout: float = 60) -> requests.Response:
    """POST to the REST webhook (JSON ``body``, or ``raw`` bytes as they are)."""
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", data=data,
                         headers={"Content-Type": "application/json", **(headers or {})},
                         timeout=timeout)


def user_events(servers: Servers, sender: str) -> list[dict]:
    """The user events of a conversation, from Rasa's HTTP API."""
    return [e for e in servers.tracker(sender)["events"] if e["event"] == "user"]


def turn_rows(servers: Servers, sender: str, model: type = Turn) -> list:
    """The turn-log rows (or ratings) of a conversation."""
    engine = db.get_engine(servers.database_url)
    conversation = turnlog.conversation_hash(engine, sender)
    with db.session_scope(engine) as s:
        return list(s.scalars(select(model).where(model.conversation == conversation).order_by(model.id)))


@pytest.fixture
def widget(servers: Servers) -> Iterator[WebchatClient]:
    """A socket.io client on the test Rasa server."""
    client = WebchatClient(servers.rasa_url)
    yield client
    client.close()


# --- 1. conversation takeover through socket.io ----------------------------------------------
def test_socketio_cannot_name_another_channels_conversation(servers, widget):
    victim = f"tg-{uuid.uuid4().int % 10**9}"
    answered = rest(servers, {"sender": victim, "message": "lệ phí đăng ký kết hôn",
                              "metadata": {"channel": "telegram"}},
                    headers={BRIDGE_HEADER: servers.env["BRIDGE_TOKEN"]})
    assert procedure_of(answered.json())[0] == "1.000894"
    before = user_events(servers, victim)

    issued = widget.open(victim)
    assert issued != victim and issued.startswith("wc-"), "the server issues its own id"
    replies = widget.say("/ask_fees", session_id=victim)
    assert [m.get("text") for m in replies] == [NOT_YOUR_SESSION]
    assert user_events(servers, victim) == before, "nothing was written into the Telegram chat"


def test_socketio_ids_are_issued_signed_and_bound_to_their_socket(servers, widget):
    mine = widget.open()
    assert widget.open(mine) == mine, "a reload resumes the conversation it was given"
    forged = mine[:-1] + ("0" if mine[-1] != "0" else "1")
    assert widget.open(forged) not in (forged, mine), "a forged signature starts afresh"
    other = WebchatClient(servers.rasa_url)
    try:
        other.open()
        # Another socket cannot post into a conversation it did not open.
        assert [m.get("text") for m in other.say("xin chào", session_id=mine)] == [NOT_YOUR_SESSION]
    finally:
        other.close()
    assert user_events(servers, mine) == []


# --- 2. personal data after a leading "/" ------------------------------------------------------
@pytest.mark.parametrize("message", [
    f"/ask_fees {PHONE} lam cccd",
    f'/ask_procedure{{"query":"cccd {CCCD}"}}',
])
def test_payloads_are_masked_on_rest_and_socketio(servers, sender, widget, message):
    assert rest(servers, {"sender": sender, "message": message}).status_code == 200
    session = widget.open()
    widget.say(message)
    for conversation in (sender, session):
        stored = json.dumps(servers.tracker(conversation), ensure_ascii=False)
        assert PHONE not in stored and CCCD not in stored
        assert "[SĐT]" in stored or "[SỐ GIẤY TỜ]" in stored


def test_messages_added_through_the_http_api_are_masked(servers, sender):
    response = requests.post(f"{servers.rasa_url}/conversations/{sender}/messages",
                             json={"text": f"số tôi {PHONE}", "sender": "user"}, timeout=30)
    assert response.status_code == 200
    assert PHONE not in json.dumps(servers.tracker(sender))


# --- 3. one long message stalls everyone ------------------------------------------------------
def test_a_huge_message_gets_a_kind_reply_at_once_and_stalls_no_one(servers, sender, widget):
    other, timings = f"other-{uuid.uuid4().hex[:8]}", {}

    def other_citizen() -> None:
        time.sleep(0.2)
        started = time.monotonic()
        rest(servers, {"sender": other, "message": "lệ phí khai sinh"})
        timings["other"] = time.monotonic() - started

    thread = threading.Thread(target=other_citizen)
    thread.start()
    started = time.monotonic()
    reply = rest(servers, {"sender": sender, "message": "lam giay khai sinh " * 60_000})  # ~1 MB
    took = time.monotonic() - started
    thread.join()
    assert reply.status_code == 200
    assert texts(reply.json())[0].startswith(TOO_LONG_START)
    assert took < 5 and timings["other"] < 10
    assert user_events(servers, sender) == [], "nothing of it was stored"
    assert widget.open()
    assert [m.get("text", "") for m in widget.say("a" * 200_000)][0].startswith(TOO_LONG_START)


# --- 4. the HTTP API and CORS -----------------------------------------------------------------
def test_cors_allows_only_the_widgets_origin(servers):
    url = f"{servers.rasa_url}/conversations/x/tracker"
    evil = requests.options(url, headers={"Origin": "http://evil.example",
                                          "Access-Control-Request-Method": "PUT"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in evil.headers
    widget_origin = f"http://127.0.0.1:{servers.webchat_port}"
    allowed = requests.get(f"{servers.rasa_url}/webhooks/rest/", headers={"Origin": widget_origin},
                           timeout=10)
    assert allowed.headers.get("Access-Control-Allow-Origin") == widget_origin


def test_rasa_refuses_to_listen_beyond_loopback_without_a_token(tmp_path):
    env = {**server_env("sqlite://"), "RASA_HOST": "0.0.0.0"}
    result = subprocess.run([str(ROOT / "scripts/serve-rasa.sh")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "RASA_AUTH_TOKEN" in result.stderr


def test_the_http_api_is_off_unless_asked_for(tmp_path, e2e_catalogue):
    env = {**server_env(e2e_catalogue), "RASA_PORT": str(free_port()),
           "RASA_MODEL": str(ROOT / os.environ.get("RASA_MODEL", "models/tthc-config.tar.gz"))}
    url = f"http://127.0.0.1:{env['RASA_PORT']}"
    with serve([str(ROOT / "scripts/serve-rasa.sh")], env=env, log_path=tmp_path / "rasa.log",
               health_url=f"{url}/webhooks/rest/", timeout=240):
        assert requests.get(f"{url}/conversations/x/tracker", timeout=10).status_code == 404
        assert requests.put(f"{url}/model", json={}, timeout=10).status_code in (404, 405)


# --- 5. the action server ---------------------------------------------------------------------
def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_action_server_needs_rasas_token_and_json(servers, sender):
    call = {"next_action": "action_rate_answer", "sender_id": sender, "version": "3.6.2",
            "tracker": {"sender_id": sender, "latest_message": {"text": "/rate_answer", "entities": [
                {"entity": "rating", "value": "down"}]}, "events": [], "slots": {}}, "domain": {}}
    assert requests.post(f"{servers.actions_url}/webhook", json=call, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert requests.post(f"{servers.actions_url}/webhook", json=call, headers=wrong, timeout=10).status_code == 401
    token = {"Authorization": f"Bearer {servers.env['ACTIONS_TOKEN']}", "Content-Type": "text/plain"}
    assert requests.post(f"{servers.actions_url}/webhook", data=json.dumps(call), headers=token,
                         timeout=10).status_code == 415
    assert turn_rows(servers, sender, TurnRating) == []
    assert requests.get(f"{servers.actions_url}/health", timeout=10).status_code == 200


def test_the_action_server_listens_on_loopback_only(servers):
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    port = int(servers.actions_url.rsplit(":", 1)[1])
    with socket.socket() as s:
        s.settimeout(3)
        assert s.connect_ex((address, port)) != 0, f"the action server answers on {address}"


# --- 6. forged feedback ---------------------------------------------------------------------
def test_ratings_one_per_answer_only_after_an_answer_values_checked(servers, sender):
    for _ in range(5):
        rest(servers, {"sender": sender, "message": '/rate_answer{"rating":"down"}'})
    assert turn_rows(servers, sender, TurnRating) == [], "no answer, nothing to rate"
    assert procedure_of(rest(servers, {"sender": sender, "message": "lệ phí khai sinh"}).json())[0]
    for _ in range(20):
        rest(servers, {"sender": sender, "message": '/rate_answer{"rating":"down"}'})
    assert [r.rating for r in turn_rows(servers, sender, TurnRating)] == ["down"]
    evil = rest(servers, {"sender": sender, "message": '/rate_answer{"rating":"evil"}'}).json()
    assert "👍" in texts(evil)[0]
    assert [r.rating for r in turn_rows(servers, sender, TurnRating)] == ["down"]


def test_typed_payloads_set_no_slot_a_citizen_could_not_set_by_talking(servers, sender):
    rest(servers, {"sender": sender, "message": (
        '/portal_help{"portal_topic":"<script>","misunderstandings":9,"choices":["1.001193"]}')})
    slots = servers.tracker(sender)["slots"]
    assert slots["portal_topic"] is None and slots["choices"] is None
    assert slots["misunderstandings"] in (0, 0.0)


# --- 9. rate limits, nothing dropped silently --------------------------------------------------
def test_rest_is_rate_limited_per_conversation_with_a_kind_reply(servers, sender):
    limit = int(servers.env.get("CHANNEL_RATE_LIMIT", "30"))
    replies = [texts(rest(servers, {"sender": sender, "message": "/greet"}).json()) for _ in range(limit + 2)]
    assert all(SLOW_DOWN not in r for r in replies[:limit])
    assert replies[limit] == [SLOW_DOWN] and replies[limit + 1] == [SLOW_DOWN]
    # Another conversation is not affected.
    assert SLOW_DOWN not in texts(rest(servers, {"sender": f"x{sender}", "message": "/greet"}).json())


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_socketio_burst_is_answered_or_told_to_slow_down_never_lost(servers, transport):
    client = WebchatClient(servers.rasa_url, transports=[transport])
    try:
        client.open()
        burst, acks = 40, []
        for _ in range(burst):
            client.sio.emit("user_uttered", {"message": "/greet", "session_id": client.session},
                            callback=lambda *_: acks.append(1))
        deadline = time.monotonic() + 120
        while len(acks) < burst and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(acks) == burst, "every message was acknowledged"
        time.sleep(0.5)
        said = client.texts()
        assert said.count(SLOW_DOWN) == burst - 30
        assert len(user_events(servers, client.session)) == 30
    finally:
        client.close()


# --- 10. wrong JSON types ---------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    b'{"sender":"a1234567","message":12345}', b'{"sender":"a1234567","message":["x"]}',
    b'{"sender":"a1234567","message":{"x":1}}', b'[1,2]', b'"text"', b'', b'{',
    b'{"message":"xin chao"}', b'{"sender":"","message":"x"}', b'{"sender":12,"message":"x"}',
])
def test_malformed_rest_bodies_get_400_with_a_short_error(servers, raw):
    response = rest(servers, None, raw=raw)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_a_missing_sender_never_lands_in_a_shared_default_conversation(servers):
    rest(servers, None, raw='{"message":"lệ phí khai sinh"}'.encode())
    assert user_events(servers, "default") == []


# --- 11. forged channel ----------------------------------------------------------------------
def test_a_rest_body_cannot_name_its_channel(servers, sender):
    rest(servers, {"sender": sender, "message": "lệ phí khai sinh", "input_channel": "zalo",
                   "metadata": {"channel": "<script>"}})
    assert [t.channel for t in turn_rows(servers, sender)] == ["rest"]
    assert servers.tracker(sender)["latest_input_channel"] == "rest"
    # The bridge's token is what makes a "telegram" turn.
    telegram = f"tg-{uuid.uuid4().int % 10**9}"
    assert rest(servers, {"sender": telegram, "message": "x", "metadata": {"channel": "telegram"}},
                headers={BRIDGE_HEADER: "guess"}).status_code == 403

"""Dossier status and the checklist card on Telegram and Zalo (their APIs faked on loopback)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_telegram import bridge_env, start_bridge, stop_bridge, turn
from tests.e2e.test_zalo import APP_ID, SECRET, TOKEN, event, send
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZaloApi
from tests.servers import Servers, run_servers

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n"


# --- Telegram ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def telegram(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTelegram]:
    """The fake Bot API with the bridge polling it, talking to the real assistant."""
    log = tmp_path_factory.mktemp("telegram-dossier") / "bridge.log"
    with FakeTelegram() as fake:
        proc: subprocess.Popen = start_bridge(bridge_env(fake, servers.rasa_url, servers.env), log)
        try:
            fake.wait_for("getUpdates", timeout=90)
            yield fake
        finally:
            stop_bridge(proc, log)


def test_telegram_gets_the_card_as_a_photo(telegram: FakeTelegram) -> None:
    chat = 424242001
    start = time.monotonic()
    sent = turn(telegram, chat, lambda: telegram.send_text(chat, "gửi danh sách giấy tờ làm khai sinh"))
    photos = [c for c in telegram.calls("sendPhoto", chat_id=chat) if c.at > start]
    assert photos, [c.text for c in sent]
    assert photos[0].params["photo"][:8] == PNG
    assert photos[0].at < sent[-1].at  # the picture first, then the text with the link
    assert "/webhooks/cards/" in sent[-1].text


def test_telegram_photo_caption_with_a_code_is_looked_up(telegram: FakeTelegram) -> None:
    chat = 424242002
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    sent = turn(telegram, chat, lambda: telegram.push_update({"message": telegram.message(
        chat, photo=photo, caption="Giấy biên nhận, mã hồ sơ: H56.99-250101-0002")}))
    text = " ".join(c.text for c in sent)
    assert "đang được giải quyết" in text and "H56.99-250101-**02" in text


# --- Zalo --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def zalo(tmp_path_factory: pytest.TempPathFactory, e2e_catalogue: str) -> Iterator[tuple[Servers, FakeZaloApi]]:
    """Rasa with the zalo and cards channels, talking to the fake OA API."""
    workdir: Path = tmp_path_factory.mktemp("zalo-dossier")
    credentials = workdir / "credentials.yml"
    credentials.write_text("rest:\n\nbot.channels.zalo.ZaloInput:\n\nbot.channels.cards.CardFiles:\n")
    with FakeZaloApi(TOKEN) as api:
        env = {"ZALO_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
               "ZALO_API_BASE_URL": api.url, "ZALO_RATE_LIMIT": "50"}
        with run_servers(workdir, e2e_catalogue, credentials=credentials, extra_env=env) as servers:
            yield servers, api


def test_zalo_gets_the_card_as_an_image_and_a_dossier_status(zalo) -> None:
    servers, api = zalo
    user = "5550001112223334445"
    assert send(servers, event(user, text="gửi danh sách giấy tờ làm khai sinh")).status_code == 200
    sent = api.wait_for(user, count=2)
    media = [m.body["message"]["attachment"]["payload"]["elements"][0] for m in sent
             if (m.body["message"].get("attachment") or {}).get("payload", {}).get("template_type") == "media"]
    assert media and media[0]["media_type"] == "image"
    assert media[0]["url"].startswith(servers.rasa_url + "/webhooks/cards/")
    before = len(sent)
    assert send(servers, event(user, text="mã hồ sơ h56.99 250101 0006")).status_code == 200
    text = " ".join(m.text or "" for m in api.wait_for(user, count=before + 1)[before:])
    assert "bị trả lại" in text and "250101-0006" not in text
    tracker = str(servers.tracker(f"zalo-{user}"))
    assert "250101-0006" not in tracker and "250101 0006" not in tracker

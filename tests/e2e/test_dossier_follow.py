"""Following a dossier end to end: Telegram (bridge) and Zalo (channel) with their APIs
faked, the http dossier source against the fake lookup service, and the follow job run
as `make run` runs it."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_telegram import bridge_env, start_bridge, stop_bridge, turn
from tests.e2e.test_zalo import APP_ID, SECRET, TOKEN, event, send
from tests.fakes.dossier_portal import FakeDossierPortal
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZaloApi
from tests.servers import ROOT, Servers, run_servers

pytestmark = pytest.mark.e2e

CODE = "H56.22-240315-0001"


@dataclass
class World:
    servers: Servers
    portal: FakeDossierPortal
    telegram: FakeTelegram
    zalo: FakeZaloApi
    env: dict[str, str]

    def run_job(self) -> str:
        """`catalog dossier-follow --once`, with the servers' settings."""
        done = subprocess.run([str(ROOT / ".venv/bin/catalog"), "dossier-follow", "--once"],
                              env=self.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, e2e_catalogue: str) -> Iterator[World]:
    workdir: Path = tmp_path_factory.mktemp("follow")
    credentials = workdir / "credentials.yml"
    credentials.write_text("bot.channels.masked_rest.MaskedRestInput:\n\nbot.channels.zalo.ZaloInput:\n")
    with FakeDossierPortal() as portal, FakeTelegram() as telegram, FakeZaloApi(TOKEN) as zalo:
        env = {"DOSSIER_SOURCE": "http", "DOSSIER_HTTP_URL": portal.url,
               "ZALO_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
               "ZALO_API_BASE_URL": zalo.url, "ZALO_RATE_LIMIT": "50"}
        with run_servers(workdir, e2e_catalogue, credentials=credentials, extra_env=env) as servers:
            log = workdir / "bridge.log"
            bridge = start_bridge(bridge_env(telegram, servers.rasa_url, servers.env), log)
            try:
                telegram.wait_for("getUpdates", timeout=90)
                job_env = {**os.environ, **env, "PYTHONPATH": str(ROOT),
                           "CATALOG_DATABASE_URL": e2e_catalogue,
                           "DOSSIER_STORE_PATH": str(workdir / "dossier-codes.sqlite3"),
                           "TELEGRAM_BOT_TOKEN": telegram.token,
                           "TELEGRAM_API_BASE_URL": telegram.base_url}
                yield World(servers, portal, telegram, zalo, job_env)
            finally:
                stop_bridge(bridge, log)


def test_follow_on_telegram_and_zalo_then_stop_and_finish(world: World) -> None:
    chat, user = 777000111, "4440001112223334445"
    tg = world.telegram
    sent = turn(tg, chat, lambda: tg.send_text(chat, f"mã hồ sơ {CODE.lower()}"))
    assert "cần bổ sung giấy tờ" in " ".join(c.text for c in sent)
    sent = turn(tg, chat, lambda: tg.send_text(chat, "báo cho tôi khi có kết quả"))
    assert "🔔" in sent[-1].text
    send(world.servers, event(user, text=f"mã hồ sơ là {CODE}"))
    world.zalo.wait_for(user, count=1)
    before = len(world.zalo.sent_to(user))
    send(world.servers, event(user, text="có kết quả thì nhắn tui nha"))
    assert "🔔" in (world.zalo.wait_for(user, count=before + 1)[-1].text or "")

    assert "notified=0" in world.run_job()  # nothing changed yet
    world.portal.records[CODE]["TrangThaiHoSo"] = "4"
    started = time.monotonic()
    assert "notified=2" in world.run_job()
    pushed = [c for c in tg.calls("sendMessage", chat_id=chat) if c.at > started]
    assert len(pushed) == 1 and "đang được giải quyết" in pushed[0].text
    assert "đang được giải quyết" in (world.zalo.sent_to(user)[-1].text or "")

    sent = turn(tg, chat, lambda: tg.send_text(chat, "thôi, đừng báo nữa"))
    assert "không nhắn báo" in sent[-1].text
    world.portal.records[CODE]["TrangThaiHoSo"] = "10"
    started = time.monotonic()
    counts = world.run_job()
    assert "notified=1" in counts and "ended=1" in counts
    assert not [c for c in tg.calls("sendMessage", chat_id=chat) if c.at > started]
    assert "đã có kết quả" in (world.zalo.sent_to(user)[-1].text or "")
    assert "checked=0" in world.run_job()  # the subscription ended with the dossier

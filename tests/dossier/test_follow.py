"""Following a dossier: subscriptions and the job, with the fake lookup service, Telegram and Zalo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from procedures_catalog.cli import cli
from procedures_catalog.dossier.follow import FollowStore, check_follows, http_notifier, push_target
from procedures_catalog.dossier.http import FieldMapping, HttpSource
from procedures_catalog.dossier.pending import CodeStore
from procedures_catalog.dossier.service import answer_follow, answer_unfollow
from procedures_catalog.dossier.sources import DemoSource
from procedures_catalog.settings import get_follow_settings
from tests.fakes.dossier_portal import FakeDossierPortal
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZaloApi

CODE = "H56.22-240315-0001"  # needs documents in the fake portal


@pytest.fixture
def store(tmp_path: Path) -> CodeStore:
    return CodeStore(tmp_path / "codes.sqlite3")


@pytest.fixture
def portal() -> Iterator[FakeDossierPortal]:
    with FakeDossierPortal() as fake:
        yield fake


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeTelegram, FakeZaloApi]]:
    with FakeTelegram() as telegram, FakeZaloApi("zalo-token") as zalo:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.token)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", telegram.base_url)
        monkeypatch.setenv("ZALO_ACCESS_TOKEN", "zalo-token")
        monkeypatch.setenv("ZALO_API_BASE_URL", zalo.url)
        yield telegram, zalo


def http(portal: FakeDossierPortal) -> HttpSource:
    return HttpSource(portal.url, FieldMapping.load("dvcqg"), timeout=2)


def follow(store: CodeStore, conversation: str, source: HttpSource) -> str:
    store.remember(conversation, CODE)
    return answer_follow(conversation, store=store, source=source).outcome


def test_only_telegram_and_zalo_conversations_can_be_followed() -> None:
    assert push_target("tg-123") == ("telegram", "123")
    assert push_target("zalo-987") == ("zalo", "987")
    assert push_target("3f2a9c") is None and push_target("tg-") is None


def test_the_job_messages_once_per_change_and_ends_when_done(store, portal, fakes) -> None:
    telegram, zalo = fakes
    source = http(portal)
    assert follow(store, "tg-5001", source) == "dossier_followed"
    assert follow(store, "zalo-7001", source) == "dossier_followed"
    notify = http_notifier(get_follow_settings())
    # No change yet: nothing sent.
    assert check_follows(store, source, notify) == {"checked": 2, "notified": 0, "failed": 0, "ended": 0}
    assert not telegram.calls("sendMessage") and not zalo.messages
    portal.records[CODE]["TrangThaiHoSo"] = "4"  # in progress
    assert check_follows(store, source, notify)["notified"] == 2
    (sent,) = telegram.calls("sendMessage", chat_id=5001)
    assert "🔔" in sent.text and "đang được giải quyết" in sent.text and CODE not in sent.text
    assert "Nguyễn Văn Bảy" not in sent.text  # the applicant's name, returned by the service
    assert len(zalo.sent_to("7001")) == 1 and "đang được giải quyết" in (zalo.sent_to("7001")[0].text or "")
    assert check_follows(store, source, notify)["notified"] == 0  # told once
    portal.records[CODE]["TrangThaiHoSo"] = "10"  # result returned
    assert check_follows(store, source, notify) == {"checked": 2, "notified": 2, "failed": 0, "ended": 2}
    assert FollowStore(store).all() == []  # subscriptions end with the dossier


def test_a_failed_send_is_retried_next_time(store, portal, fakes) -> None:
    telegram, _ = fakes
    source = http(portal)
    follow(store, "tg-5002", source)
    portal.records[CODE]["TrangThaiHoSo"] = "4"
    telegram.fail_next("sendMessage", retry_after=1)
    notify = http_notifier(get_follow_settings())
    assert check_follows(store, source, notify)["failed"] == 1
    assert check_follows(store, source, notify)["notified"] == 1


def test_a_lookup_service_down_changes_nothing(store, portal, fakes) -> None:
    source = http(portal)
    follow(store, "tg-5003", source)
    portal.status = 503
    counts = check_follows(store, source, http_notifier(get_follow_settings()))
    assert counts == {"checked": 1, "notified": 0, "failed": 1, "ended": 0}
    assert len(FollowStore(store).all()) == 1


def test_stop_following(store, portal) -> None:
    follow(store, "tg-5004", http(portal))
    assert answer_unfollow("tg-5004", store=store).outcome == "dossier_unfollowed"
    assert FollowStore(store).all() == []
    assert "chưa nhờ" in (answer_unfollow("tg-5004", store=store).replies[0].text or "")


def test_following_is_refused_where_it_cannot_work(store, portal) -> None:
    store.remember("web-1", CODE)
    assert answer_follow("web-1", store=store, source=http(portal)).outcome == "dossier_no_follow"
    assert answer_follow("tg-9", store=store, source=http(portal)).outcome == "dossier_ask_code"
    store.remember("tg-10", "H56.99-250101-0004")  # a demo dossier that is done
    result = answer_follow("tg-10", store=store, source=DemoSource())
    assert result.outcome == "dossier_no_follow" and "đã có kết quả" in (result.replies[0].text or "")


def test_the_job_command_runs_once(store, portal, fakes, monkeypatch: pytest.MonkeyPatch) -> None:
    telegram, _ = fakes
    follow(store, "tg-5005", http(portal))
    portal.records[CODE]["TrangThaiHoSo"] = "9"
    monkeypatch.setenv("DOSSIER_STORE_PATH", str(store.path))
    monkeypatch.setenv("DOSSIER_SOURCE", "http")
    monkeypatch.setenv("DOSSIER_HTTP_URL", portal.url)
    result = CliRunner().invoke(cli, ["dossier-follow", "--once"], obj={})
    assert result.exit_code == 0 and "notified=1" in result.output
    assert "đã có kết quả" in telegram.calls("sendMessage", chat_id=5005)[0].text

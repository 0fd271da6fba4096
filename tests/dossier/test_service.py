"""One dossier question end to end in the library: store, limit, sources, answers, CLI."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from procedures_catalog.answers import MAX_CHARS
from procedures_catalog.cli import cli
from procedures_catalog.dossier.pending import CodeStore
from procedures_catalog.dossier.service import answer_status
from procedures_catalog.dossier.sources import DemoSource, NoneSource
from procedures_catalog.masking import mask
from procedures_catalog.settings import get_dossier_settings
from tests.fakes.dossier_portal import FakeDossierPortal

TODAY = date(2026, 12, 3)
DEMO = {  # the demo file's codes and states
    "H56.99-250101-0001": "received", "H56.99-250101-0002": "in_progress",
    "H56.99-250101-0003": "needs_documents", "H56.99-250101-0004": "done",
    "H56.99-250101-0005": "in_progress", "H56.99-250101-0006": "returned",
}
PAYLOAD_KEYS = {"code", "found", "status", "received", "due", "office", "late", "demo"}


@pytest.fixture
def store(tmp_path: Path) -> CodeStore:
    return CodeStore(tmp_path / "codes.sqlite3", ttl=1800)


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DOSSIER_SOURCE", "DOSSIER_HTTP_URL", "DOSSIER_LOOKUPS_PER_HOUR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOSSIER_STORE_PATH", str(tmp_path / "codes.sqlite3"))


def ask(store: CodeStore, conversation: str, raw: str, **kwargs: object):
    """What a channel and the action do: keep the raw code, pass the masked text on."""
    store.remember(conversation, raw)
    return answer_status(conversation, mask(raw), store=store, today=TODAY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("code", "status"), DEMO.items())
def test_every_demo_state_is_answered_plainly(store: CodeStore, code: str, status: str) -> None:
    result = ask(store, "c1", f"mã hồ sơ là {code.lower().replace('-', ' ')}",
                 source=DemoSource(today=TODAY))
    assert result.outcome == "dossier_found"
    payload = result.replies[0].custom["dossier"]  # type: ignore[index]
    assert set(payload) == PAYLOAD_KEYS
    assert payload["status"] == status and payload["found"] and payload["demo"]
    text = "\n".join(r.text for r in result.replies if r.text)
    assert "dữ liệu mẫu" in text
    assert all(len(r.text) <= MAX_CHARS for r in result.replies if r.text)
    assert code not in text and code not in json.dumps(payload)  # shown partly hidden
    assert "👉" in text  # what to do next


def test_late_and_missing_documents_are_said(store: CodeStore) -> None:
    late = ask(store, "c1", "H56.99-250101-0005", source=DemoSource(today=TODAY))
    assert late.replies[0].custom["dossier"]["late"] is True  # type: ignore[index]
    assert "quá hẹn 3 ngày" in late.replies[1].text  # type: ignore[operator]
    more = ask(store, "c2", "H56.99-250101-0003", source=DemoSource(today=TODAY))
    assert "Cần bổ sung giấy tờ: Bản sao Giấy chứng nhận kết hôn" in (more.replies[1].text or "")


def test_an_unknown_code_gets_a_kind_reply_with_how_to_check(store: CodeStore) -> None:
    result = ask(store, "c1", "H56.99-250101-0099", source=DemoSource(today=TODAY))
    assert result.outcome == "dossier_not_found"
    assert result.replies[0].custom["dossier"]["found"] is False  # type: ignore[index]
    assert "giấy biên nhận" in result.replies[1].text  # type: ignore[operator]


def test_no_code_asks_for_it_and_a_later_question_reuses_it(store: CodeStore) -> None:
    assert ask(store, "c1", "hồ sơ của tôi tới đâu rồi").outcome == "dossier_ask_code"
    ask(store, "c1", "H56.99-250101-0002", source=DemoSource(today=TODAY))
    again = answer_status("c1", "vậy giờ sao rồi", store=store, source=DemoSource(today=TODAY))
    assert again.outcome == "dossier_found"
    assert answer_status("c2", "hồ sơ tôi sao rồi", store=store).outcome == "dossier_ask_code"


def test_a_code_without_its_agency_asks_for_the_whole_code(store: CodeStore) -> None:
    assert ask(store, "c1", "hồ sơ 250101-0002 tới đâu rồi").outcome == "dossier_incomplete"


def test_codes_expire(tmp_path: Path) -> None:
    store = CodeStore(tmp_path / "codes.sqlite3", ttl=60)
    store.remember("c1", "H56.99-250101-0002")
    assert store.recall("c1") == ("H56.99-250101-0002", True)
    store.ttl = -1
    assert store.recall("c1") is None


def test_the_store_keeps_no_conversation_id(store: CodeStore) -> None:
    store.remember("telegram-123456789", "H56.99-250101-0002")
    assert b"telegram-123456789" not in store.path.read_bytes()


def test_lookups_are_limited_per_conversation(store: CodeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_LOOKUPS_PER_HOUR", "3")
    outcomes = [ask(store, "c1", f"H56.99-250101-000{n}", source=DemoSource(today=TODAY)).outcome
                for n in range(1, 6)]
    assert outcomes == ["dossier_found"] * 3 + ["dossier_limited"] * 2
    limited = ask(store, "c1", "H56.99-250101-0001", source=DemoSource(today=TODAY))
    assert "phút" in limited.replies[0].text  # type: ignore[operator]
    # Another conversation is not affected.
    assert ask(store, "c2", "H56.99-250101-0001", source=DemoSource(today=TODAY)).outcome == "dossier_found"


def test_the_limit_frees_up_after_an_hour(store: CodeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    assert store.take_lookup("c1", 1) == 0
    assert store.take_lookup("c1", 1) > 3000
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3601)
    assert store.take_lookup("c1", 1) == 0


def test_the_none_source_explains_the_portal_lookup(store: CodeStore) -> None:
    result = ask(store, "c1", "mã hồ sơ H56.22-240315-0001", source=NoneSource())
    assert result.outcome == "dossier_portal"
    text = result.replies[1].text or ""
    assert "dichvucong.gov.vn" in text and "Tra cứu hồ sơ" in text and "H56.22-240315-**01" in text


def test_a_failing_service_gets_a_kind_reply(store: CodeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeDossierPortal() as portal:
        portal.status = 503
        monkeypatch.setenv("DOSSIER_SOURCE", "http")
        monkeypatch.setenv("DOSSIER_HTTP_URL", portal.url)
        result = ask(store, "c1", "H56.22-240315-0001", settings=get_dossier_settings())
    assert result.outcome == "dossier_unavailable"
    assert "thử lại sau" in (result.replies[0].text or "")


def test_cli_demo_codes_and_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["dossier", "--demo-codes"], obj={})
    assert listed.exit_code == 0 and listed.output.split() == list(DEMO)
    looked = runner.invoke(cli, ["dossier", "h56.99 250101 0003", "--json"], obj={})
    assert looked.exit_code == 0, looked.output
    data = json.loads(looked.output)
    assert set(data) == PAYLOAD_KEYS
    assert (data["code"], data["status"], data["demo"]) == ("H56.99-250101-0003", "needs_documents", True)
    bad = runner.invoke(cli, ["dossier", "xyz"], obj={})
    assert bad.exit_code == 2 and "not a dossier code" in bad.output


def test_cli_through_the_http_source(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    with FakeDossierPortal() as portal:
        monkeypatch.setenv("DOSSIER_SOURCE", "http")
        monkeypatch.setenv("DOSSIER_HTTP_URL", portal.url)
        found = runner.invoke(cli, ["dossier", "H56.22-240315-0001", "--json"], obj={})
        portal.status = 500
        failed = runner.invoke(cli, ["dossier", "H56.22-240315-0001", "--json"], obj={})
    assert json.loads(found.output)["status"] == "needs_documents"
    assert failed.exit_code == 2 and "did not answer" in failed.output

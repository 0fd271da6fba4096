"""The turn log: masked, hashed, never raising, ratings attached, old entries purged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from procedures_catalog import db, turnlog
from procedures_catalog.models import Setting, Turn, TurnRating

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _turn(engine, conversation: str = "c1", outcome: str = "answered", at: datetime = NOW, **kwargs):
    values = dict(channel="rest", conversation_id=conversation, text="lệ phí khai sinh", intent="ask_fees",
                  confidence=0.9, procedure_code="1.001193", score=0.8, outcome=outcome, aspect="fees")
    values.update(kwargs)
    return turnlog.record_turn(engine, at=at, **values)


def _rows(engine, model):
    with db.session_scope(engine) as s:
        return list(s.scalars(select(model).order_by(model.id)))


def test_a_turn_is_stored_masked_with_a_hashed_conversation(empty_engine) -> None:
    turn_id = _turn(empty_engine, conversation="telegram-0912345678", text="sdt 0912345678 hỏi lệ phí")
    (row,) = _rows(empty_engine, Turn)
    assert row.id == turn_id
    assert row.text == "sdt [SĐT] hỏi lệ phí"
    assert row.conversation == turnlog.conversation_hash(empty_engine, "telegram-0912345678")
    assert "0912345678" not in row.conversation and len(row.conversation) == 32
    assert (row.channel, row.intent, row.procedure_code, row.score, row.outcome, row.aspect) == (
        "rest", "ask_fees", "1.001193", 0.8, "answered", "fees")


def test_the_salt_is_generated_once_and_kept(empty_engine) -> None:
    first = turnlog.conversation_hash(empty_engine, "abc")
    turnlog.reset_caches()
    assert turnlog.conversation_hash(empty_engine, "abc") == first
    with db.session_scope(empty_engine) as s:
        assert s.scalar(select(func.count()).select_from(Setting)) == 1


def test_a_configured_salt_wins(empty_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    generated = turnlog.conversation_hash(empty_engine, "abc")
    monkeypatch.setenv("TURNLOG_SALT", "a-secret-from-the-environment")
    assert turnlog.conversation_hash(empty_engine, "abc") != generated


def test_logging_can_be_switched_off(empty_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNLOG_ENABLED", "0")
    assert _turn(empty_engine) is None
    assert turnlog.record_rating(empty_engine, conversation_id="c1", rating="up") is None
    assert _rows(empty_engine, Turn) == []


def test_failures_never_raise(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    broken = db.make_engine(f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}")
    assert _turn(broken, text="gọi 0912345678") is None
    assert turnlog.record_rating(broken, conversation_id="c1", rating="down") is None
    assert turnlog.record_rating_reason(broken, conversation_id="c1", reason="other") is False
    assert "turn not logged" in caplog.text
    broken.dispose()


def test_a_rating_attaches_to_the_latest_answer_of_its_conversation(empty_engine) -> None:
    _turn(empty_engine, conversation="c1", at=NOW - timedelta(minutes=5))
    latest = _turn(empty_engine, conversation="c1", at=NOW - timedelta(minutes=2), procedure_code="1.000656")
    _turn(empty_engine, conversation="c1", outcome="smalltalk", at=NOW - timedelta(minutes=1))
    _turn(empty_engine, conversation="other", at=NOW)
    rating_id = turnlog.record_rating(empty_engine, conversation_id="c1", rating="down", channel="rest", at=NOW)
    assert turnlog.record_rating_reason(empty_engine, conversation_id="c1", reason="missing_info",
                                        at=NOW + timedelta(seconds=20))
    (rating,) = _rows(empty_engine, TurnRating)
    assert (rating.id, rating.turn_id, rating.rating, rating.reason) == (rating_id, latest, "down", "missing_info")


def test_ratings_and_reasons_are_checked(empty_engine) -> None:
    assert turnlog.record_rating(empty_engine, conversation_id="c1", rating="meh") is None
    assert turnlog.record_rating_reason(empty_engine, conversation_id="c1", reason="free text 0912345678") is False
    # A 👍 with no answer before it has nothing to rate: nothing is stored.
    assert turnlog.record_rating(empty_engine, conversation_id="c1", rating="up", at=NOW) is None
    assert _rows(empty_engine, TurnRating) == []
    # A reason needs a 👎 of the same conversation.
    assert turnlog.record_rating_reason(empty_engine, conversation_id="c1", reason="other", at=NOW) is False


def test_one_rating_per_answer_however_often_it_is_sent(empty_engine) -> None:
    first = _turn(empty_engine, conversation="c1", at=NOW - timedelta(minutes=3))
    for _ in range(40):
        turnlog.record_rating(empty_engine, conversation_id="c1", rating="down", at=NOW)
    assert [(r.turn_id, r.rating) for r in _rows(empty_engine, TurnRating)] == [(first, "down")]
    # Changing one's mind changes the rating, it does not add one.
    turnlog.record_rating(empty_engine, conversation_id="c1", rating="up", at=NOW)
    assert [(r.turn_id, r.rating) for r in _rows(empty_engine, TurnRating)] == [(first, "up")]
    # The next answer can be rated on its own.
    second = _turn(empty_engine, conversation="c1", at=NOW + timedelta(minutes=1))
    turnlog.record_rating(empty_engine, conversation_id="c1", rating="down", at=NOW + timedelta(minutes=2))
    assert sorted((r.turn_id, r.rating) for r in _rows(empty_engine, TurnRating)) == [
        (first, "up"), (second, "down")]


def test_purge_deletes_only_what_is_past_retention(empty_engine, monkeypatch) -> None:
    monkeypatch.setenv("TURNLOG_RETENTION_DAYS", "0")  # no automatic purge while filling
    old = _turn(empty_engine, conversation="old", at=NOW - timedelta(days=200))
    _turn(empty_engine, conversation="new", at=NOW - timedelta(days=10))
    turnlog.record_rating(empty_engine, conversation_id="old", rating="up", at=NOW - timedelta(days=200))
    turnlog.record_rating(empty_engine, conversation_id="new", rating="up", at=NOW - timedelta(days=10))
    assert old is not None
    assert turnlog.purge(empty_engine, 180, now=NOW) == 1
    assert [t.conversation for t in _rows(empty_engine, Turn)] == [turnlog.conversation_hash(empty_engine, "new")]
    assert len(_rows(empty_engine, TurnRating)) == 1
    assert turnlog.purge(empty_engine, 0, now=NOW) == 0  # 0 keeps everything


def test_retention_is_applied_from_record_turn_at_most_once(empty_engine, monkeypatch) -> None:
    monkeypatch.setenv("TURNLOG_RETENTION_DAYS", "30")
    _turn(empty_engine, conversation="ancient", at=datetime.now(timezone.utc) - timedelta(days=90))
    # The first turn logged purged the (older) one logged with it, later ones do not purge again.
    assert _rows(empty_engine, Turn) == []
    _turn(empty_engine, conversation="ancient", at=datetime.now(timezone.utc) - timedelta(days=90))
    assert len(_rows(empty_engine, Turn)) == 1


def test_cli_purge(catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from procedures_catalog.cli import cli

    engine = db.make_engine(catalog_url)
    monkeypatch.setenv("TURNLOG_RETENTION_DAYS", "0")
    _turn(engine, at=datetime.now(timezone.utc) - timedelta(days=400))
    monkeypatch.delenv("TURNLOG_RETENTION_DAYS")
    result = CliRunner().invoke(cli, ["--database", catalog_url, "turns", "purge", "--days", "180"], obj={})
    assert result.exit_code == 0, result.output
    assert "1 turns deleted" in result.output
    engine.dispose()

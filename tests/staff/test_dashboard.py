"""The dashboard's numbers are exactly what the logged turns say."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from procedures_catalog import dashboard, turnlog

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)  # 17:00 in Vietnam
ICT = timezone(timedelta(hours=7))
OUTCOMES = ["answered"] * 6 + ["choices", "not_found", "fallback", "handoff", "stats", "smalltalk"]
CHANNELS = ["rest", "socketio", "telegram", "zalo"]
CODES = ["1.001193", "1.000656", "1.000894", "2.000889"]


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, empty_engine):
    """A migrated, empty database on each backend (day bucketing is SQL per dialect)."""
    if request.param == "sqlite":
        yield empty_engine
        return
    from procedures_catalog import db

    pg = db.make_engine(request.getfixturevalue("pg_url"))
    db.migrate(pg)
    with pg.begin() as connection:
        from procedures_catalog.models import Setting, Turn, TurnRating

        for model in (TurnRating, Turn, Setting):
            connection.execute(model.__table__.delete())
    yield pg
    pg.dispose()


@pytest.fixture
def logged(engine, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """A few hundred turns over 12 days (some outside the period), with ratings."""
    monkeypatch.setenv("TURNLOG_RETENTION_DAYS", "0")
    rng = random.Random(7)
    turns = []
    for n in range(400):
        at = NOW - timedelta(minutes=rng.randint(0, 12 * 24 * 60))
        outcome = rng.choice(OUTCOMES)
        code = rng.choice(CODES) if outcome == "answered" else None
        score = round(rng.uniform(0.2, 1.0), 3) if code else None
        intent = "human_handoff" if outcome == "handoff" and n % 2 else "ask_procedure"
        text = rng.choice(["giấy phép", "làm sổ hồng", "con mới sinh", "gọi 0912345678 giúp"])
        turn = dict(at=at, channel=rng.choice(CHANNELS), conversation_id=f"conv-{n}", text=text,
                    intent=intent, confidence=0.8, procedure_code=code, score=score, outcome=outcome)
        turn["id"] = turnlog.record_turn(engine, **turn)
        if outcome == "answered" and n % 3 == 0:
            turn["rating"] = "down" if n % 2 else "up"
            turnlog.record_rating(engine, conversation_id=turn["conversation_id"], rating=turn["rating"],
                                  at=at + timedelta(seconds=30))
            if turn["rating"] == "down":
                turn["reason"] = "unclear" if n % 4 == 1 else "wrong_procedure"
                turnlog.record_rating_reason(engine, conversation_id=turn["conversation_id"],
                                             reason=turn["reason"], at=at + timedelta(seconds=40))
        turns.append(turn)
    # One at 23:30 UTC: already the next day in Vietnam.
    edge = dict(at=datetime(2026, 11, 19, 17, 30, tzinfo=timezone.utc), channel="zalo", conversation_id="edge",
                text="đăng ký kết hôn", intent="ask_procedure", confidence=0.9, procedure_code="1.000894",
                score=0.9, outcome="answered")
    edge["id"] = turnlog.record_turn(engine, **edge)
    turns.append(edge)
    return turns


def _local_day(at: datetime) -> date:
    return at.astimezone(ICT).date()


def test_numbers_match_the_logged_turns(engine, logged: list[dict]) -> None:
    board = dashboard.build(engine, days=7, now=NOW)
    first = date(2026, 11, 14)
    inside = [t for t in logged if first <= _local_day(t["at"]) <= date(2026, 11, 20)]
    assert board.period.first == first and board.period.last == date(2026, 11, 20)

    assert board.total == len(inside)
    assert board.per_day == {first + timedelta(days=n): sum(1 for t in inside if _local_day(t["at"]) == first + timedelta(days=n))
                             for n in range(7)}
    assert board.per_day[date(2026, 11, 20)] >= 1  # the 23:30 UTC turn counts on the 20th
    assert board.per_channel == dict(Counter(t["channel"] for t in inside))
    for day, channels in board.per_day_channel.items():
        assert channels == dict(Counter(t["channel"] for t in inside if _local_day(t["at"]) == day))

    outcomes = Counter(t["outcome"] for t in inside)
    assert board.outcomes == dict(outcomes)
    assert board.categories == {
        "answered": outcomes["answered"] + outcomes["stats"] + outcomes["smalltalk"],
        "unsure": outcomes["choices"],
        "fell_back": outcomes["not_found"] + outcomes["fallback"],
        "handed_over": outcomes["handoff"],
    }
    assert sum(board.categories.values()) == board.total
    assert board.share("unsure") == pytest.approx(outcomes["choices"] / len(inside))
    low = [t for t in inside if t["outcome"] == "answered" and t["score"] < dashboard.LOW_SCORE]
    assert board.low_confidence == len(low)

    answered = Counter(t["procedure_code"] for t in inside if t["outcome"] == "answered")
    top = board.top_procedures
    assert [(p["code"], p["count"]) for p in top] == sorted(answered.items(), key=lambda kv: (-kv[1], kv[0]))
    for p in top:
        rated = [t for t in inside if t["procedure_code"] == p["code"] and "rating" in t]
        assert (p["up"], p["down"]) == (sum(t["rating"] == "up" for t in rated), sum(t["rating"] == "down" for t in rated))

    rated = [t for t in inside if "rating" in t]
    assert board.ratings == {"up": sum(t["rating"] == "up" for t in rated), "down": sum(t["rating"] == "down" for t in rated)}
    assert board.rating_reasons == dict(Counter(t["reason"] for t in rated if "reason" in t))


def test_questions_to_fix_are_grouped_masked_and_exclude_requests_for_a_person(engine, logged) -> None:
    board = dashboard.build(engine, days=7, now=NOW, question_limit=50)
    first = date(2026, 11, 14)
    weak = [t for t in logged if first <= _local_day(t["at"]) and (
        t["outcome"] in ("choices", "not_found", "fallback")
        or (t["outcome"] == "handoff" and t["intent"] != "human_handoff")
        or (t["outcome"] == "answered" and t["score"] < dashboard.LOW_SCORE))]
    expected = Counter(t["text"].replace("0912345678", "[SĐT]") for t in weak)
    assert {q.text: q.count for q in board.questions} == dict(expected)
    counts = [q.count for q in board.questions]
    assert counts == sorted(counts, reverse=True)
    assert all("0912345678" not in q.text for q in board.questions)


def test_an_empty_log_gives_zeros(empty_engine) -> None:
    board = dashboard.build(empty_engine, days=30, now=NOW)
    assert board.total == 0 and len(board.per_day) == 30 and set(board.per_day.values()) == {0}
    assert board.share("fell_back") == 0.0 and board.questions == [] and board.top_procedures == []


def test_the_cli_prints_the_same_figures(catalog_url: str) -> None:
    import json

    from click.testing import CliRunner

    from procedures_catalog import db
    from procedures_catalog.cli import cli

    engine = db.make_engine(catalog_url)
    for outcome in ("answered", "answered", "fallback", "choices"):
        turnlog.record_turn(engine, channel="rest", conversation_id="x", text="hỏi", intent=None, confidence=None,
                            procedure_code="1.001193" if outcome == "answered" else None, score=0.9,
                            outcome=outcome)
    engine.dispose()
    result = CliRunner().invoke(cli, ["--database", catalog_url, "turns", "stats", "--json"], obj={})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 4
    assert data["categories"] == {"answered": 2, "unsure": 1, "fell_back": 1, "handed_over": 0}
    assert data["top_procedures"][0]["code"] == "1.001193" and data["top_procedures"][0]["count"] == 2

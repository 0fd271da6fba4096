"""ActionRateAnswer: 👍 thanks, 👎 asks why, the reason is recorded on the rating."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import common
from actions.feedback import ActionRateAnswer
from procedures_catalog import db, turnlog
from procedures_catalog.models import TurnRating
from procedures_catalog.service import Catalog


@pytest.fixture
def catalog(empty_engine) -> Any:
    catalog = Catalog(empty_engine)
    common.set_catalog(catalog)
    yield catalog
    common.set_catalog(None)


def _tracker(text: str, entities: list[dict[str, str]] | None = None, sender: str = "conv-1") -> Tracker:
    message = {"text": text, "intent": {"name": "rate_answer", "confidence": 1.0},
               "entities": entities or [], "metadata": {"channel": "telegram"}}
    return Tracker(sender, {}, message, [], False, None, {}, "rest")


def _run(tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRateAnswer().run(dispatcher, tracker, {}))
    assert events == []
    return dispatcher.messages


def _ratings(catalog: Catalog) -> list[TurnRating]:
    with db.session_scope(catalog.engine) as s:
        return list(s.scalars(select(TurnRating).order_by(TurnRating.id)))


def _answered(catalog: Catalog, sender: str = "conv-1") -> None:
    turnlog.record_turn(catalog.engine, channel="telegram", conversation_id=sender, text="lệ phí khai sinh",
                        intent="ask_fees", confidence=1, procedure_code="1.001193", score=0.9, outcome="answered")


def test_up_thanks(catalog: Catalog) -> None:
    _answered(catalog)
    messages = _run(_tracker('/rate_answer{"rating":"up"}', [{"entity": "rating", "value": "up"}]))
    assert [m["response"] for m in messages] == ["utter_rate_thanks_up"]
    (rating,) = _ratings(catalog)
    assert (rating.rating, rating.channel, rating.turn_id) == ("up", "telegram", 1)


def test_down_asks_why_then_records_the_reason(catalog: Catalog) -> None:
    _answered(catalog)
    messages = _run(_tracker('/rate_answer{"rating":"down"}', [{"entity": "rating", "value": "down"}]))
    assert [m["response"] for m in messages] == ["utter_rate_ask_reason"]
    messages = _run(_tracker('/rate_answer{"rating":"down","rating_reason":"missing_info"}',
                             [{"entity": "rating", "value": "down"},
                              {"entity": "rating_reason", "value": "missing_info"}]))
    assert [m["response"] for m in messages] == ["utter_rate_thanks_down"]
    (rating,) = _ratings(catalog)
    assert (rating.rating, rating.reason) == ("down", "missing_info")


@pytest.mark.parametrize(("text", "rating"), [
    ("hữu ích", "up"), ("👍", "up"), ("câu trả lời không đúng", "down"), ("chưa hữu ích", "down"),
    ("👎", "down"), ("câu trả lời khó hiểu", "down"),
])
def test_typed_verdicts(catalog: Catalog, text: str, rating: str) -> None:
    _answered(catalog)
    _run(_tracker(text))
    assert _ratings(catalog)[-1].rating == rating


def test_a_payload_with_a_value_that_is_no_rating_records_nothing(catalog: Catalog) -> None:
    _answered(catalog)
    messages = _run(_tracker('/rate_answer{"rating":"evil"}', [{"entity": "rating", "value": "evil"}]))
    assert len(messages) == 1 and "👍" in messages[0].get("text", "")
    assert _ratings(catalog) == []


def test_nothing_is_recorded_without_an_answer_to_rate(catalog: Catalog) -> None:
    for _ in range(3):
        _run(_tracker('/rate_answer{"rating":"down"}', [{"entity": "rating", "value": "down"}]))
    assert _ratings(catalog) == []


def test_a_broken_database_never_breaks_the_conversation(tmp_path) -> None:
    broken = db.make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    common.set_catalog(Catalog(broken))
    try:
        messages = _run(_tracker('/rate_answer{"rating":"down"}', [{"entity": "rating", "value": "down"}]))
        assert [m["response"] for m in messages] == ["utter_rate_ask_reason"]
    finally:
        common.set_catalog(None)
        broken.dispose()

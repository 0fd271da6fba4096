"""Exercise bot/tracker_store.py and bot/rasa_speedups.py inside the Rasa environment.

Run by tests/e2e/test_tracker_store.py as ``.venv-rasa/bin/python -m
tests.e2e.tracker_store_probe DATABASE_URL``; prints one JSON object of observations
(the test asserts on them). Real Rasa classes, a real database, no mocks.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import DurableTrackerStore

TAIL = 30
DAY = 86400.0


def turn(tracker: DialogueStateTracker, n: int, *extra: Event) -> None:
    """One citizen turn: a message, the bot's action and answer, listening again."""
    tracker.update(UserUttered(f"câu {n}: gọi 0912345678 nhé", {"name": "ask_fees", "confidence": 1.0}))
    for event in extra:
        tracker.update(event)
    tracker.update(ActionExecuted("action_answer_fees"))
    tracker.update(BotUttered(f"trả lời {n}"))
    tracker.update(ActionExecuted("action_listen"))


def state(tracker: DialogueStateTracker) -> dict[str, Any]:
    """What the policies and actions read from a tracker."""
    return {"slots": tracker.current_slot_values(), "active_loop": tracker.active_loop_name,
            "latest": tracker.latest_message.text if tracker.latest_message else None,
            "paused": tracker.is_paused()}


async def main(url: str) -> dict[str, Any]:
    domain = Domain.load("bot/domain")
    store = DurableTrackerStore(domain, host=url, tail_events=TAIL)
    out: dict[str, Any] = {}

    # A long session: slots set early, an active loop, an AllSlotsReset in the middle.
    tracker = await store.get_or_create_tracker("long")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    for n in range(120):
        extra: list[Event] = []
        if n == 2:
            extra = [SlotSet("portal_topic", "login"), SlotSet("procedure_code", "1.000001")]
        elif n == 40:
            extra = [AllSlotsReset(), SlotSet("procedure_code", "1.000894")]
        elif n == 50:
            extra = [ActiveLoop("some_form"), SlotSet("last_aspect", "fees 0912345678")]
        turn(tracker, n, *extra)
        await store.save(tracker)
    full = await store.retrieve_full_tracker("long")
    read = await store.retrieve("long")
    assert full is not None and read is not None
    out["long"] = {"full_events": len(full.events), "read_events": len(read.events),
                   "same_state": state(read) == state(full), "state": state(read),
                   "first_read": read.events[0].type_name}

    # The next turn on the shortened tracker is appended exactly once, in order.
    turn(read, 999, SlotSet("pending_aspect", "time"))
    await store.save(read)
    again = await store.retrieve_full_tracker("long")
    assert again is not None
    out["appended"] = {"events": len(again.events) - len(full.events),
                       "last_texts": [e.text for e in again.events if isinstance(e, UserUttered)][-2:],
                       "pending_aspect": (await store.retrieve("long")).get_slot("pending_aspect")}

    # A restart starts over: nothing before it counts.
    restarted = await store.retrieve("long")
    assert restarted is not None
    restarted.update(Restarted())
    for n in range(40):
        turn(restarted, 2000 + n)
    await store.save(restarted)
    after = await store.retrieve("long")
    assert after is not None
    out["restart"] = {"slots": after.current_slot_values(), "first": after.events[0].type_name}

    # Personal data masked in what is stored, button payloads as they were.
    with store.session_scope() as session:
        rows = [json.loads(data) for (data,) in session.execute(
            store.SQLEvent.__table__.select().with_only_columns(store.SQLEvent.data))]
    out["stored_text"] = [r for r in rows if r["event"] == "user"][0]["text"]
    out["stored_parse_text"] = [r for r in rows if r["event"] == "user"][0]["parse_data"]["text"]
    out["stored_slot"] = [r for r in rows if r["event"] == "slot" and r["name"] == "last_aspect"][0]["value"]
    payload = DialogueStateTracker("button", domain.slots)
    payload.update(UserUttered('/choose{"procedure_code":"1.001193"}', {"name": "choose"}))
    await store.save(payload)
    button = await store.retrieve("button")
    out["button"] = button.latest_message.text if button else None

    # Retention: an old finished conversation goes, an old session of a live one goes,
    # its current session stays.
    now = time.time()
    old = DialogueStateTracker("old", domain.slots)
    old.update(SessionStarted(timestamp=now - 200 * DAY))
    old.update(UserUttered("cũ", timestamp=now - 200 * DAY))
    await store.save(old)
    live = DialogueStateTracker("live", domain.slots)
    live.update(SessionStarted(timestamp=now - 300 * DAY))
    live.update(UserUttered("phiên cũ", timestamp=now - 300 * DAY))
    live.update(SessionStarted(timestamp=now - 190 * DAY))
    live.update(UserUttered("phiên này, lâu rồi", timestamp=now - 190 * DAY))
    live.update(UserUttered("phiên này, hôm nay", timestamp=now))
    await store.save(live)
    out["purge_keep_all"] = store.purge(days=0)
    out["purged"] = store.purge(days=180)
    left = await store.retrieve_full_tracker("live")
    out["live_after_purge"] = [e.text for e in left.events if isinstance(e, UserUttered)] if left else None
    out["old_after_purge"] = await store.retrieve_full_tracker("old") is None
    return out


def speedups() -> dict[str, Any]:
    """The cached validator accepts and refuses exactly what jsonschema does."""
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    samples: list[Any] = [
        {"events": [], "responses": []},
        {"events": [{"event": "slot", "name": "a", "value": 1},
                    {"event": "bot", "text": "x"}], "responses": [{"text": "hi"}]},
        {"events": [{"event": "slot", "name": "a"}]},  # no value
        {"events": [{"event": "nonsense"}]},
        {"events": [{"event": ["slot"]}]},
        {"events": [{"event": "slot", "name": 3, "value": 1}]},
        {"events": ["slot"]},
        {"events": {"event": "slot"}},
        {"responses": "text"},
        {"events": [{"event": "user", "text": None, "parse_data": {"intent": {"name": 3}}}]},
        [],
    ]
    remote = RemoteAction("action_x", None)
    agree = []
    for sample in samples:
        try:
            validate(sample, spec)
            expected = None
        except ValidationError as exc:
            expected = exc.message
        try:
            remote._validate_action_result(sample)
            got = None
        except ValidationError as exc:
            got = exc.message.split(". Failed to validate")[0]
        agree.append(got == expected)
    return {"validator_agrees": agree}


if __name__ == "__main__":
    observations = asyncio.run(main(sys.argv[1]))
    observations.update(speedups())
    print("PROBE " + json.dumps(observations, ensure_ascii=False))

"""Action fixtures: a seeded catalogue, trackers from JSON fixtures, and a runner.

The financial-demo pattern: a test builds a tracker from one of the small JSON
fixtures in ``fixtures/`` (varied with :func:`tracker`'s keywords), runs the action
with a ``CollectingDispatcher`` and asserts on the messages and the events.

The actions read the catalogue through ``actions.common.get_catalog()``; here it is
a SQLite copy in a temporary folder, seeded once per session with the bundled sample
(1,787 procedures, the offices and the curated aliases). ``var/catalog.sqlite3`` is
never opened.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import common
from procedures_catalog import turnlog
from procedures_catalog.answers import MAX_CHARS, PORTAL_URL, RATING_BUTTONS, next_buttons
from procedures_catalog.cached import CachedCatalog
from procedures_catalog.models import Turn
from procedures_catalog.service import Catalog

# The sample's sources: the portal's own value, or arranged for the sample.
SAMPLE_PROVENANCE = {"portal": "official", "assigned": "estimate"}

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_UNSET: Any = object()


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """The bundled sample, seeded into a temporary SQLite file (read-mostly: turns are logged),
    read as the action server reads it (through the in-memory cache)."""
    with pytest.MonkeyPatch.context() as mp:
        # The developer's own CATALOG_*/TURNLOG_* settings must not leak into the tests.
        for name in list(os.environ):
            if name.startswith(("CATALOG_", "TURNLOG_")):
                mp.delenv(name)
        path = tmp_path_factory.mktemp("actions-catalog") / "catalog.sqlite3"
        catalog = CachedCatalog.open(f"sqlite:///{path}")
        assert catalog.count() == 1787
        catalog.index()  # built once here, not inside the first test's timing
        yield catalog
        catalog.engine.dispose()
        turnlog.reset_caches()


@pytest.fixture(autouse=True)
def use_catalog(catalog: Catalog) -> Iterator[Catalog]:
    """Point the actions at the test catalogue, and put back whatever was there."""
    previous = common._catalog
    common.set_catalog(catalog)
    yield catalog
    common.set_catalog(previous)


# ------------------------------------------------------------------ trackers
def build_tracker(
    fixture: str,
    *,
    text: str | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    channel: str | None = _UNSET,
    sender_id: str | None = None,
    events: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> Tracker:
    """A tracker from ``fixtures/<fixture>.json``, with the given parts replaced.

    Keyword arguments not listed are slots (``procedure_code="1.001193"``,
    ``choices=None``...). ``channel=None`` drops the metadata.
    """
    state = json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))
    message = copy.deepcopy(state["latest_message"])
    if text is not None:
        message["text"] = text
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 0.9}
    if entities is not None:
        message["entities"] = entities
    if channel is None:
        message.pop("metadata", None)
    elif channel is not _UNSET:
        message["metadata"] = {"channel": channel}
    unknown = set(slots) - set(state["slots"])
    assert not unknown, f"not a slot of the domain: {unknown}"
    return Tracker(
        sender_id=sender_id or state["sender_id"],
        slots={**state["slots"], **slots},
        latest_message=message,
        events=state["events"] if events is None else events,
        paused=state["paused"],
        followup_action=state["followup_action"],
        active_loop=state["active_loop"],
        latest_action_name=state["latest_action_name"],
    )


@pytest.fixture
def tracker() -> Callable[..., Tracker]:
    """``tracker("new_question", text=..., intent=..., entities=..., **slots)``."""
    return build_tracker


# ------------------------------------------------------------------- outcome
@dataclass
class Outcome:
    """What an action did: the messages it sent and the events it returned."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def customs(self) -> list[dict[str, Any]]:
        return [m["custom"] for m in self.messages if m.get("custom")]

    @property
    def responses(self) -> list[str]:
        return [m["response"] for m in self.messages if m.get("response")]

    @property
    def slots(self) -> dict[str, Any]:
        """The slots the events set (the last value of each)."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    @property
    def last_text(self) -> dict[str, Any]:
        return [m for m in self.messages if m.get("text")][-1]

    def payloads(self, message: dict[str, Any] | None = None) -> list[str]:
        """Button payloads of ``message`` (default: the last text message)."""
        return [b["payload"] for b in (message or self.last_text).get("buttons") or []]

    def assert_short(self) -> None:
        """No message is longer than a small phone screen allows."""
        assert self.texts, "no text sent"
        for text in self.texts:
            assert len(text) <= MAX_CHARS, (len(text), text[:80])

    def assert_answer(self, catalog: Catalog, code: str, aspect: str) -> None:
        """An answer about ``aspect`` of ``code``: payload first, texts, next-question buttons."""
        procedure = catalog.get(code)
        assert procedure is not None
        first, rest = self.messages[0], self.messages[1:]
        # The payload contract the channels read, before any text.
        twin = {"level": ["level", "where"], "where": ["where", "level"]}
        assert first.get("custom") == {
            # The level and where answers are one text, and the payload lists both.
            **({"aspects": twin[aspect]} if aspect in twin else {}),
            "procedure": {
                "code": code,
                "name": procedure.name,
                "level": procedure.level,
                "online_level": procedure.online_level,
                "portal_url": procedure.detail_url or PORTAL_URL,
            },
            "aspect": aspect,
            # How sure the level is, the last check and the edition in force.
            "provenance": {"level": SAMPLE_PROVENANCE[procedure.level_source],
                           "online_level": SAMPLE_PROVENANCE[procedure.online_source]},
            "verified_on": None,
            "edition": {"id": 1, "name": "tỉnh Tiền Giang năm 2024 (bản mẫu)",
                        "effective_from": "2024-01-01"},
        }
        assert not first.get("text")
        assert rest and all(m.get("text") and not m.get("custom") for m in rest)
        self.assert_short()
        # Only the last message carries buttons: the next questions (the one just
        # answered left out), then 👍/👎, and "another procedure" last.
        assert all(not m.get("buttons") for m in rest[:-1])
        card = aspect == "documents" and bool(procedure.documents)  # the checklist card's button
        following = next_buttons(twin.get(aspect, aspect), card=card)
        assert following[-1]["payload"] == "/ask_other"
        assert self.last_text["buttons"] == following[:-1] + RATING_BUTTONS + following[-1:]
        assert self.slots == {
            "procedure_code": code,
            "choices": None,
            "pending_aspect": None,
            "last_aspect": aspect,
            "misunderstandings": 0,
        }


def run_action(action: Action, tracker: Tracker) -> Outcome:
    """Run ``action`` the way the SDK does and collect what it sent and returned."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain={}))
    assert isinstance(events, list)
    return Outcome(messages=dispatcher.messages, events=[dict(e) for e in events])


@pytest.fixture
def run() -> Callable[[Action, Tracker], Outcome]:
    """``run(action, tracker) -> Outcome``."""
    return run_action


@pytest.fixture
def turns(catalog: Catalog) -> Callable[[str], list[Turn]]:
    """``turns(sender_id)``: the turns logged for that conversation, oldest first."""

    def logged(sender_id: str) -> list[Turn]:
        conversation = turnlog.conversation_hash(catalog.engine, sender_id)
        with catalog.session() as s:
            return list(s.scalars(select(Turn).where(Turn.conversation == conversation)
                                  .order_by(Turn.id)))

    return logged

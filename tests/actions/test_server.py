"""The action server runs each action call off its event loop."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.server import run_actions_in_threads
from tests.actions.conftest import FIXTURES

GATE = threading.Event()


class WaitForTheOther(Action):
    """Blocks (as a slow database or portal call would) until the other action ran."""

    def name(self) -> str:
        return "action_test_wait"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Any,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="waited" if GATE.wait(timeout=10) else "blocked")
        return []


class OpenTheGate(Action):
    def name(self) -> str:
        return "action_test_open"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Any,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        GATE.set()
        dispatcher.utter_message(text="opened")
        return []


def test_a_blocking_action_does_not_hold_up_the_next_call() -> None:
    run_actions_in_threads()
    executor = ActionExecutor()
    executor.register_action(WaitForTheOther)
    executor.register_action(OpenTheGate)
    state = json.loads((FIXTURES / "mid_conversation.json").read_text(encoding="utf-8"))
    GATE.clear()

    async def both() -> list[Any]:
        waiting = asyncio.ensure_future(
            executor.run({"next_action": "action_test_wait", "tracker": state}))
        await asyncio.sleep(0)  # the first call is under way
        opening = executor.run({"next_action": "action_test_open", "tracker": state})
        return list(await asyncio.gather(waiting, opening))

    waited, opened = asyncio.run(both())
    assert [m["text"] for m in waited["responses"]] == ["waited"]
    assert [m["text"] for m in opened["responses"]] == ["opened"]

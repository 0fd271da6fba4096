"""Measured speed-ups for Rasa 3.6: the check of action-server responses, and event
deserialisation.

Rasa validates every action server response with ``jsonschema.validate(result,
schema)``. That convenience function re-validates the (constant) schema against the
JSON Schema meta-schema on every call; with jsonschema 4.17 that costs ~20 ms per
action and was 69 % of the Rasa server's CPU time in our turn-latency profile
(py-spy, bench/turn_latency.py). This module replaces the method with one that builds
the validators once and then validates exactly as before: same schema, same errors
(the ``best_match`` of the failures, with Rasa's explanatory text appended). Valid
responses (all of them, in practice) are checked event by event against the one
schema branch of the event's name instead of all 23 ``oneOf`` branches: the check
went from 7 to 1.5 ms of a 48 ms turn (cProfile, bench/turn_latency.py's single sender).

Rasa also finds the class of every event it deserialises (each event read from the
tracker store, each event an action returns) by walking all subclasses of ``Event``
recursively and testing each for abstractness: ~0.1 ms per event, 87 % of the time
to read a 40-event tracker back from the store. :func:`install` caches that look-up
per event name (same class, same errors for unknown names).

Installed by the REST channel and the tracker store when Rasa creates them
(bot/channels/masked_rest.py, bot/tracker_store.py), so every end-to-end test runs
through them; a malformed action response still raises jsonschema's ValidationError
with Rasa's message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_installed = False


def install() -> None:
    """Install both speed-ups (once per process)."""
    global _installed
    if _installed:
        return
    _install_validator()
    _install_event_types()
    _installed = True


def _install_event_types() -> None:
    """Cache ``Event.resolve_by_type`` per event name."""
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    known: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = known.get(type_name)
        if cls is None:
            # Unknown names (and ``default``) go through Rasa's own look-up.
            cls = resolve(type_name, default)
            if cls is not None and cls is not default:
                known[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def _install_validator() -> None:
    """Replace ``RemoteAction._validate_action_result`` with a cached-validator version."""
    from jsonschema import validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    @lru_cache(maxsize=1)
    def validator() -> Any:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)  # once, as jsonschema.validate would do every time
        return cls(schema)

    @lru_cache(maxsize=1)
    def by_event() -> tuple[Any, dict[str, Any]]:
        # An event is valid when it matches exactly one "oneOf" branch, and the branches
        # differ by the constant "event" name: so it is valid exactly when it passes the
        # common part and the branch of its own name. Checking that one branch (not all
        # 23, each failure building an exception) is 5x faster.
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        event_schema = schema["properties"]["events"]["items"]
        common = {k: v for k, v in event_schema.items() if k != "oneOf"}
        outer = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
        branches = {branch["properties"]["event"]["const"]: cls({"allOf": [common, branch]})
                    for branch in event_schema["oneOf"]}
        return cls(outer), branches

    def valid(result: Any) -> bool:
        outer, branches = by_event()
        if not outer.is_valid(result):
            return False
        for event in result.get("events") or []:
            name = event.get("event") if isinstance(event, dict) else None
            branch = branches.get(name) if isinstance(name, str) else None
            if branch is None or not branch.is_valid(event):
                return False
        return True

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        if valid(result):
            return True
        # Invalid: the full check finds the same error Rasa would report.
        error = best_match(validator().iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]

"""A measured speed-up for Rasa 3.6's check of action-server responses.

Rasa validates every action server response with ``jsonschema.validate(result,
schema)``. That convenience function re-validates the (constant) schema against the
JSON Schema meta-schema on every call; with jsonschema 4.17 that costs ~20 ms per
action and was 69 % of the Rasa server's CPU time in our turn-latency profile
(py-spy, bench/turn_latency.py). This module replaces the method with one that builds
the validator once and then validates exactly as before: same schema, same errors
(the ``best_match`` of the failures, with Rasa's explanatory text appended).

Installed by the REST channel when Rasa creates it (bot/channels/masked_rest.py), so
every end-to-end test runs through it; a malformed action response still raises
jsonschema's ValidationError with Rasa's message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_installed = False


def install() -> None:
    """Replace ``RemoteAction._validate_action_result`` with a cached-validator version."""
    global _installed
    if _installed:
        return
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

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
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
    _installed = True

"""The only place the action server reads environment variables (see .env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


class SettingsError(ValueError):
    """A missing or invalid setting; the message names the variable, never its value."""


@dataclass(frozen=True)
class ActionServerSettings:
    """Where the action server listens and the token Rasa must send.

    Attributes:
        host: the address to bind (``ACTIONS_HOST``, default 127.0.0.1: only the Rasa
            server on this machine calls it).
        port: the port (``ACTIONS_PORT``, default 5055).
        token: the shared secret Rasa sends as ``Authorization: Bearer <token>``
            (``ACTIONS_TOKEN``; scripts/serve-actions.sh generates one when unset).
        auto_reload: reload the actions when their files change (``ACTIONS_AUTO_RELOAD``).
    """

    token: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 5055
    auto_reload: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ActionServerSettings:
        """Read and check the settings.

        Raises:
            SettingsError: ``ACTIONS_TOKEN`` is missing or short, or the port is not a number.
        """
        env = os.environ if env is None else env
        token = (env.get("ACTIONS_TOKEN") or "").strip()
        if len(token) < 16:
            raise SettingsError("ACTIONS_TOKEN must be set (16 characters or more); Rasa sends "
                                "it to the action server (bot/endpoints.yml)")
        try:
            port = int(env.get("ACTIONS_PORT") or 5055)
        except ValueError:
            raise SettingsError("ACTIONS_PORT must be a whole number") from None
        return cls(
            token=token,
            host=(env.get("ACTIONS_HOST") or "127.0.0.1").strip(),
            port=port,
            auto_reload=(env.get("ACTIONS_AUTO_RELOAD") or "").strip() not in ("", "0", "false"),
        )

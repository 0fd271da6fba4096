"""Settings of the web chat demo server: the only place in ``webchat`` that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SERVER_URL = "http://localhost:5005"


@dataclass(frozen=True)
class Settings:
    """Where the demo page is served and which Rasa server its widget talks to.

    Attributes:
        host: interface to listen on (``WEBCHAT_HOST``).
        port: port to listen on (``WEBCHAT_PORT``).
        server_url: Rasa's URL as the browser reaches it (``RASA_PUBLIC_URL``).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    server_url: str = DEFAULT_SERVER_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (``os.environ`` by default); empty means default."""
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("WEBCHAT_HOST") or cls.host,
            port=int(env.get("WEBCHAT_PORT") or cls.port),
            server_url=env.get("RASA_PUBLIC_URL") or cls.server_url,
        )

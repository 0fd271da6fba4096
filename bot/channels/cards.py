"""Serves the checklist cards (PNG) the action server renders, at a stable URL.

``GET /webhooks/cards/<file>.png`` returns a file of the card cache folder
(``CARD_DIR``; see :class:`procedures_catalog.card.CardCache`); the widget shows it,
the Telegram bridge and the Zalo channel send it as a photo. Rendering stays in the
action server (which has the catalogue); this channel only reads files. Enabled in
``bot/credentials.yml`` as ``bot.channels.cards.CardFiles:``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from procedures_catalog.settings import get_card_settings

# Only names CardCache writes: no slashes, no dot-files, no traversal.
CARD_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,120}\.png$")


class CardFiles(InputChannel):
    """A read-only channel: it receives no messages, it serves card images."""

    @classmethod
    def name(cls) -> str:
        """The URL prefix: /webhooks/cards/."""
        return "cards"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel (no options)."""
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: ``GET /`` (health) and ``GET /<name>.png``."""
        blueprint = Blueprint("cards_files", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/<name>", methods=["GET"])
        async def card(request: Request, name: str) -> HTTPResponse:
            if not CARD_NAME.match(name):
                return response.json({"error": "not found"}, status=404)
            path = get_card_settings().cache_dir / name
            if not path.is_file():
                return response.json({"error": "not found"}, status=404)
            # Cards are rebuilt in place when the procedure changes: short cache only.
            return await response.file(str(path), mime_type="image/png",
                                       headers={"Cache-Control": "public, max-age=300"})

        return blueprint

"""Rasa's REST channel, with personal data masked before Rasa sees the message.

Phone numbers, ID numbers, e-mail addresses and dossier codes never reach the
tracker store (which may be Redis or a database), Rasa's logs or the NLU: they are
replaced by placeholders such as ``[SĐT]`` at the door. Button payloads ("/intent{…}")
are passed through unchanged. Used in bot/credentials.yml instead of ``rest:``; the
channel keeps the name ``rest``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot import rasa_speedups
from procedures_catalog.masking import mask


def mask_message(text: str | None) -> str | None:
    """Mask personal data in a citizen's message; leave button payloads alone."""
    if text is None or text.startswith("/"):
        return text
    return mask(text)


class MaskedRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` with the message masked."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Create the channel (Rasa calls this once at start-up)."""
        # Start-up is also where the measured speed-up of Rasa's action-response
        # check is installed (see bot/rasa_speedups.py).
        rasa_speedups.install()
        return cls()

    def _extract_message(self, req: Request) -> str | None:
        return mask_message(super()._extract_message(req))

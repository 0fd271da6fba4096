"""The web widget's renderer: replies (:mod:`bot.channels.replies`) → socket.io events.

The shapes are Rasa's socket.io ones, which ``webchat/static/tthc-chat.js`` shows:
``{"text"}`` per paragraph, ``quick_replies`` on the last one, an image as an
``attachment``; a custom payload is sent unchanged (the contract of
``procedures_catalog.answers``: the widget draws the procedure card itself).
Standard library only.
"""

from __future__ import annotations

from typing import Any

from bot.channels.replies import Reply


def render(reply: Reply) -> list[dict[str, Any]]:
    """The widget's events for one reply (Rasa's socket.io shapes; paragraphs apart)."""
    if reply.custom is not None:
        return [dict(reply.custom)]
    if reply.image:
        return [{"attachment": {"type": "image", "payload": {"src": reply.image}}}]
    events: list[dict[str, Any]] = [{"text": part} for part in reply.text.split("\n\n")]
    if reply.buttons:
        for event in events:
            event["quick_replies"] = []
        events[-1]["quick_replies"] = [
            {"content_type": "text", "title": b.title, "payload": b.payload}
            for b in reply.buttons if b.payload
        ]
    return events

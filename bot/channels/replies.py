"""One reply model for every channel: the assistant's bot messages, parsed once.

Rasa hands a channel its bot messages as dicts, the same keys whether they arrive
through the REST webhook (the Telegram bridge) or an output channel's
``send_response`` (Zalo, the web widget): ``text`` with ``buttons`` or
``quick_replies``, ``custom`` (the payloads of ``procedures_catalog.answers``),
``image``, ``attachment``, ``elements``. :func:`parse_message` turns one into
:class:`Reply` parts in the order Rasa's own dispatcher sends them; each channel then
has one small renderer (``telegram_render``, ``zalo_messages``, ``webchat``) that
applies only its platform's limits and shapes.

Standard library only: it runs in both virtual environments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The link button under a procedure answer, on every channel that shows one.
PORTAL_TITLE = "🌐 Xem trên Cổng Dịch vụ công"
#: The payload the 👍/👎 buttons send (see procedures_catalog.answers.RATING_BUTTONS).
RATING_PAYLOAD = "/rate_answer"


@dataclass(frozen=True)
class Button:
    """A button: a payload sent back when tapped, or a link (``url``)."""

    title: str
    payload: str = ""
    url: str = ""

    @property
    def is_rating(self) -> bool:
        """Whether this is one of the 👍/👎 rating buttons."""
        return self.payload.startswith(RATING_PAYLOAD)


@dataclass(frozen=True)
class Procedure:
    """The procedure an answer is about (the ``procedure`` custom payload)."""

    code: str
    name: str
    portal_url: str
    #: The answer is the overview, whose text already opens with the name.
    overview: bool = False


@dataclass(frozen=True)
class Reply:
    """One part of a bot message: text with buttons, an image, or a custom payload."""

    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str = ""
    #: The custom payload unchanged (the web widget's contract); None for other parts.
    custom: Mapping[str, Any] | None = None
    #: The procedure of a ``procedure`` custom payload.
    procedure: Procedure | None = None


def parse(messages: Iterable[Any]) -> list[Reply]:
    """The parts of a turn's messages (anything that is not a dict is skipped)."""
    return [part for message in messages if isinstance(message, Mapping)
            for part in parse_message(message)]


def parse_message(message: Mapping[str, Any]) -> list[Reply]:
    """The parts of one bot message, in the order Rasa's ``send_response`` sends them."""
    parts = []
    text = str(message.get("text") or "").strip()
    buttons = buttons_of(message.get("quick_replies") or message.get("buttons"))
    if text or buttons:
        parts.append(Reply(text, buttons))
    custom = message.get("custom")
    if isinstance(custom, Mapping) and custom:
        parts.append(Reply(custom=custom, procedure=_procedure(custom)))
    image = str(message.get("image") or "").strip()
    if image:
        parts.append(Reply(image=image))
    attachment = message.get("attachment")
    if isinstance(attachment, str) and attachment.strip():
        parts.append(Reply(attachment.strip()))
    elements = message.get("elements")
    for element in elements if isinstance(elements, list) else []:
        if isinstance(element, Mapping):  # carousels are not used: text with buttons
            lines = [str(element[k]) for k in ("title", "subtitle") if element.get(k)]
            parts.append(Reply("\n".join(lines), buttons_of(element.get("buttons"))))
    return parts


def buttons_of(raw: Any) -> tuple[Button, ...]:
    """Rasa's button dicts as :class:`Button` (malformed ones are skipped)."""
    buttons = []
    for button in raw if isinstance(raw, list) else []:
        if isinstance(button, Mapping):
            title, payload, url = (str(button.get(k) or "").strip()
                                   for k in ("title", "payload", "url"))
            if title or payload or url:
                buttons.append(Button(title, payload, url))
    return tuple(buttons)


def _procedure(custom: Mapping[str, Any]) -> Procedure | None:
    procedure = custom.get("procedure")
    if not isinstance(procedure, Mapping):
        return None
    code, name, url = (str(procedure.get(k) or "").strip() for k in ("code", "name", "portal_url"))
    return Procedure(code, name, url, overview=custom.get("aspect") == "overview")

"""The Zalo renderer: replies (:mod:`bot.channels.replies`) → request bodies of Zalo's
OA message API (``/v3.0/oa/message/cs``).

Kept free of Rasa and third-party imports so the unit tests can check the limits
without a Rasa environment. Limits (Zalo OA API v3 consultation messages):

* text: at most :data:`MAX_TEXT` characters, longer texts go out in several messages;
* buttons: at most :data:`MAX_BUTTONS` per message, titles at most :data:`MAX_TITLE`
  characters, query payloads at most :data:`MAX_PAYLOAD` characters.

A button whose payload is a Rasa intent (``/ask_fees``, ``/choose_procedure{...}``)
becomes an ``oa.query.hide`` button: a tap sends the payload back as a
``user_send_text`` event without showing the raw intent in the citizen's chat. Other
payloads become ``oa.query.show`` (the text is shown as if typed), URL buttons
``oa.open.url``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.replies import PORTAL_TITLE, Button, Procedure, Reply

# The answer texts' own helpers (dependency-free modules, also used by the Rasa side).
from procedures_catalog.answers import RATING_PROMPT, shorten

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
MAX_PAYLOAD = 1000

# Short, kind replies to what the bot cannot read (Vietnamese, for citizens).
NOT_TEXT_REPLY = (
    "Mình chỉ đọc được tin nhắn chữ thôi. Bạn gõ câu hỏi giúp mình nhé, "
    "ví dụ: “làm giấy khai sinh cho con”."
)
VOICE_REPLY = (
    "Mình chưa nghe được tin nhắn thoại. Bạn gõ chữ giúp mình nhé, "
    "ví dụ: “làm căn cước cho con”."
)
RATE_LIMIT_REPLY = "Bạn nhắn hơi nhanh, mình trả lời chưa kịp. Bạn đợi một phút rồi nhắn tiếp nhé."


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at line ends if possible."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return parts


def render(user_id: str, reply: Reply) -> list[dict[str, Any]]:
    """The request bodies sending one reply to ``user_id``."""
    if reply.custom is not None:
        return card_bodies(user_id, reply.procedure)
    if reply.image:
        return [image_body(user_id, reply.image)]
    return text_bodies(user_id, reply.text, reply.buttons)


def zalo_button(button: Button) -> dict[str, Any] | None:
    """One button as a Zalo button, or None when it cannot be one."""
    title = shorten(button.title, MAX_TITLE)
    if button.url:
        return {"title": title or button.url[:MAX_TITLE], "type": "oa.open.url",
                "payload": {"url": button.url}}
    payload = button.payload or button.title
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    kind = "oa.query.hide" if payload.startswith("/") else "oa.query.show"
    return {"title": title or shorten(payload, MAX_TITLE), "type": kind, "payload": payload}


# The 👍/👎 rating buttons travel after an answer's next-question buttons; when the
# two do not fit Zalo's five, the rating goes in a message of its own with the
# answers' RATING_PROMPT.


def _with_buttons(body: dict[str, Any], buttons: list[dict[str, Any]]) -> dict[str, Any]:
    body["message"]["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
    return body


def text_bodies(user_id: str, text: str,
                buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
    """Request bodies sending ``text`` (split if needed); the last one carries the buttons."""
    parts = split_text(text) or ([""] if buttons else [])
    bodies: list[dict[str, Any]] = [
        {"recipient": {"user_id": user_id}, "message": {"text": part}} for part in parts
    ]
    pairs = [(button, zalo) for button in buttons if (zalo := zalo_button(button))]
    all_buttons = [zalo for _, zalo in pairs]
    ratings = [zalo for button, zalo in pairs if button.is_rating]
    others = [zalo for button, zalo in pairs if not button.is_rating]
    if len(all_buttons) <= MAX_BUTTONS:
        others, ratings = all_buttons, []
    if bodies and others:
        _with_buttons(bodies[-1], others[:MAX_BUTTONS])
    if bodies and ratings:
        bodies.append(_with_buttons(
            {"recipient": {"user_id": user_id}, "message": {"text": RATING_PROMPT}},
            ratings[:MAX_BUTTONS]))
    return bodies


def image_body(user_id: str, url: str) -> dict[str, Any]:
    """A request body sending the image at ``url``."""
    return {"recipient": {"user_id": user_id}, "message": {"attachment": {
        "type": "template",
        "payload": {"template_type": "media", "elements": [{"media_type": "image", "url": url}]},
    }}}


def card_bodies(user_id: str, procedure: Procedure | None) -> list[dict[str, Any]]:
    """Request bodies for a custom payload of the bot (see procedures_catalog/answers/).

    A procedure answer's payload becomes a small card: the procedure's name and code
    with a button opening its page on the portal (an overview answer already opens with
    the name, so its card gives the code only). Payloads that only serve machines
    (``choices``, ``handoff``: the text that follows says it all) send nothing.
    """
    if procedure is None or not procedure.name:
        return []
    name = "📌 " + shorten(procedure.name, 300)
    lines = [] if procedure.overview else [name]
    if procedure.code:
        lines.append(f"Mã thủ tục: {procedure.code}")
    buttons = [Button(PORTAL_TITLE, url=procedure.portal_url)] if procedure.portal_url else []
    return text_bodies(user_id, "\n".join(lines) or name, buttons)

"""The buttons under an answer: the next questions, the checklist card, ratings, "other"."""

from __future__ import annotations

from collections.abc import Sequence

# Buttons for the next question; payloads are Rasa intents.
NEXT_BUTTONS: list[tuple[str, str, str]] = [
    ("documents", "📄 Giấy tờ", "/ask_documents"),
    ("fees", "💰 Lệ phí", "/ask_fees"),
    ("where", "📍 Nộp ở đâu", "/ask_where"),
    ("online", "🌐 Làm online", "/ask_online"),
    ("time", "⏱ Bao lâu", "/ask_time"),
    ("steps", "📋 Các bước", "/ask_steps"),
]
OTHER_BUTTON = {"title": "🔎 Hỏi thủ tục khác", "payload": "/ask_other"}
CARD_BUTTON = {"title": "🖼 Gửi ảnh danh sách", "payload": "/ask_card"}
# Citizens rate an answer; the staff dashboard shows the ratings.
RATING_PROMPT = "Câu trả lời có giúp được bạn không?"
RATING_BUTTONS = [
    {"title": "👍", "payload": '/rate_answer{"rating":"up"}'},
    {"title": "👎", "payload": '/rate_answer{"rating":"down"}'},
]


def next_buttons(current: str | Sequence[str] | None, *, card: bool = False) -> list[dict[str, str]]:
    """Buttons for the next questions (the aspects just answered left out), then "other".

    With ``card``, the checklist card's button comes first (after a documents list).
    """
    answered = {current} if isinstance(current, str) or current is None else set(current)
    buttons = [{"title": t, "payload": pl} for a, t, pl in NEXT_BUTTONS if a not in answered][:4]
    if card:
        buttons = [CARD_BUTTON, *buttons[:3]]
    return buttons + [OTHER_BUTTON]

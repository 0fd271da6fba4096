"""The citizen's 👍/👎 on an answer, and the reason of a 👎."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from procedures_catalog import turnlog
from procedures_catalog.normalize import fold

from .common import channel_of, get_catalog, log

# Typed verdicts ("chưa hữu ích", "câu trả lời không đúng") that mean 👎.
_NEGATIVE = re.compile(r"\b(?:khong|chua|sai|kho hieu|thieu|te|do)\b")


#: The reply to a rating payload with no valid value (typed by hand, not a button).
USE_THE_BUTTONS = "Bạn bấm 👍 hoặc 👎 ngay dưới câu trả lời để đánh giá giúp mình nhé."


def rating_of(tracker: Tracker) -> tuple[str | None, str | None]:
    """("up" | "down" | None, reason code or None) from the payload's entities or the words.

    A payload (``/rate_answer{...}``) counts only with a valid value: ``"evil"`` is
    no rating at all, not a 👍. Typed words ("chưa hữu ích") are read as 👎 or 👍.
    """
    rating = next(tracker.get_latest_entity_values("rating"), None)
    reason = next(tracker.get_latest_entity_values("rating_reason"), None)
    reason = str(reason) if reason in turnlog.RATING_REASONS else None
    if rating in turnlog.RATINGS:
        return str(rating), reason
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return None, None
    return ("down" if "👎" in text or _NEGATIVE.search(fold(text)) else "up"), None


class ActionRateAnswer(Action):
    """Record a rating of the latest answer; on 👎 ask why, then record the reason."""

    def name(self) -> str:
        return "action_rate_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        rating, reason = rating_of(tracker)
        if rating is None:
            dispatcher.utter_message(text=USE_THE_BUTTONS)
            return []
        try:
            engine = get_catalog().engine
            if reason:
                turnlog.record_rating_reason(engine, conversation_id=tracker.sender_id, reason=reason)
            else:
                turnlog.record_rating(engine, conversation_id=tracker.sender_id, rating=rating,
                                      channel=channel_of(tracker))
        except Exception:  # noqa: BLE001 - a lost rating must not break the conversation
            log.warning("rating not recorded", exc_info=True)
        if reason:
            dispatcher.utter_message(response="utter_rate_thanks_down")
        elif rating == "down":
            dispatcher.utter_message(response="utter_rate_ask_reason")
        else:
            dispatcher.utter_message(response="utter_rate_thanks_up")
        return []

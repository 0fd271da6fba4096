"""What every channel checks before a citizen's message reaches the assistant.

One place for the limits all channels share (REST, socket.io, Zalo, the Telegram
bridge) and for the kind Vietnamese replies that go with them:

* a message longer than ``MESSAGE_MAX_CHARS`` is answered with :data:`TOO_LONG`
  and never parsed (one huge message used to hold up everyone's turn and stay in
  the tracker);
* more than ``CHANNEL_RATE_LIMIT`` messages a minute from one conversation are
  answered with :data:`SLOW_DOWN` instead of being processed (per conversation,
  never per address: many rural users share one carrier address).

Standard library only: it runs in both virtual environments. The settings are read
by :func:`get_limits` (cheap; call it when a channel is created).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from bot.channels.ratelimit import ConversationRateLimiter

T = TypeVar("T", int, float)

#: The header a bridge (Telegram) sends ``BRIDGE_TOKEN`` in to Rasa's REST channel.
BRIDGE_HEADER = "X-Bridge-Token"

DEFAULT_MESSAGE_MAX_CHARS = 1000
DEFAULT_RATE_LIMIT = 30

#: The reply to a message over the length limit (the limit is filled in).
TOO_LONG = ("Tin nhắn dài quá (hơn {limit} ký tự) nên mình chưa đọc được. "
            "Bạn hỏi ngắn gọn giúp mình nhé, ví dụ: “lệ phí làm căn cước”.")
#: The reply to a message over the rate limit.
SLOW_DOWN = ("Bạn nhắn nhanh quá, mình chưa đọc kịp tin này. "
             "Bạn đợi khoảng một phút rồi nhắn lại giúp mình nhé.")
#: The reply to something that is not a text message (an object, a list, a number...).
NOT_TEXT = "Mình chỉ đọc được tin nhắn chữ. Bạn gõ câu hỏi giúp mình nhé."
#: What a web chat socket that names a conversation it did not open is told.
NOT_YOUR_SESSION = "Phiên trò chuyện đã hết hạn. Bạn tải lại trang rồi hỏi lại giúp mình nhé."
#: The reply to an empty message.
EMPTY = "Mình chưa thấy câu hỏi. Bạn gõ việc cần làm giúp mình nhé, ví dụ: “làm giấy khai sinh”."


@dataclass(frozen=True)
class Limits:
    """The limits every channel applies.

    Attributes:
        message_max_chars: longest message read (``MESSAGE_MAX_CHARS``, default 1000).
        rate_limit: messages a minute one conversation may send through REST and
            socket.io (``CHANNEL_RATE_LIMIT``, default 30; 0 turns it off). Telegram
            and Zalo have their own settings (``TELEGRAM_RATE_LIMIT``, ``ZALO_RATE_LIMIT``).
    """

    message_max_chars: int = DEFAULT_MESSAGE_MAX_CHARS
    rate_limit: int = DEFAULT_RATE_LIMIT

    def too_long(self, text: str) -> bool:
        """Whether ``text`` is over the length limit."""
        return len(text) > self.message_max_chars

    def too_long_reply(self) -> str:
        """The kind reply to a message over the length limit."""
        return TOO_LONG.format(limit=self.message_max_chars)

    def limiter(self) -> ConversationRateLimiter:
        """A new per-conversation rate limiter with this rate."""
        return ConversationRateLimiter(self.rate_limit)


class EnvReader:
    """How every channel reads its settings: empty values count as unset, numbers checked.

    Raises (from :meth:`number`):
        ValueError: the value is not a number in range (the message names the
            variable, never its value).
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def text(self, name: str, default: str | None = None) -> str | None:
        """The variable, stripped; ``default`` when it is unset or empty."""
        return (self.env.get(name) or "").strip() or default

    def number(self, name: str, default: T, *, kind: Callable[[str], T],
               minimum: float | None = 0) -> T:
        """The variable as ``kind`` (int or float), at least ``minimum`` (None: any)."""
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"{name} must be a {'whole ' if kind is int else ''}number") from None
        if minimum is not None and value < minimum:  # type: ignore[operator]
            raise ValueError(f"{name} must not be negative" if minimum == 0
                             else f"{name} must be at least {minimum:g}")
        return value


def get_limits(env: Mapping[str, str] | None = None) -> Limits:
    """Read ``MESSAGE_MAX_CHARS`` and ``CHANNEL_RATE_LIMIT`` (see .env.example).

    Raises:
        ValueError: a value is not a whole number in range (the message names it).
    """
    read = EnvReader(env)
    return Limits(
        message_max_chars=read.number("MESSAGE_MAX_CHARS", DEFAULT_MESSAGE_MAX_CHARS,
                                      kind=int, minimum=50),
        rate_limit=read.number("CHANNEL_RATE_LIMIT", DEFAULT_RATE_LIMIT, kind=int),
    )

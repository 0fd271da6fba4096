"""The Telegram bridge's pieces that need no network: rendering, callback data, the limit.

The bridge end to end (a fake Bot API, the real assistant) is in tests/e2e/test_telegram.py.
"""

from __future__ import annotations

from bot.channels import telegram_bridge as tb
from bot.channels.replies import parse
from bot.channels.telegram_io import CallbackStore
from bot.channels.telegram_render import render, split_text


def test_long_reply_is_split_below_telegrams_limit():
    words = [f"từ{i}" for i in range(2500)]
    text = "\n\n".join(" ".join(words[i:i + 25]) for i in range(0, len(words), 25))
    buttons = [{"title": "📄 Giấy tờ", "payload": "/ask_documents"}]
    out = render(parse([{"text": text, "buttons": buttons}]))
    assert len(out) >= 3
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in out)
    assert " ".join(" ".join(m.text.split()) for m in out) == " ".join(words)
    assert [m.keyboard for m in out[:-1]] == [[]] * (len(out) - 1)
    assert out[-1].keyboard[0][0].payload == "/ask_documents"
    emoji = split_text("😀" * 5000)
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in emoji)


def test_long_payloads_get_short_callback_data_only_their_chat_resolves():
    store = CallbackStore()
    payload = '/ask_procedure{"query":"cấp giấy chứng nhận quyền sử dụng đất lần đầu"}'
    assert len(payload.encode()) > 64
    data = store.encode(1, payload)
    assert len(data.encode()) <= 64 and store.encode(1, payload) == data
    assert store.decode(1, data) == payload
    assert store.decode(2, data) is None
    assert store.decode(1, "k:unknown") is None and store.decode(1, "junk") is None
    assert store.encode(1, "/ask_fees") == "/ask_fees" == store.decode(1, "/ask_fees")


def test_rate_limiter_warns_once_then_drops_until_the_window_frees():
    now = [0.0]
    limiter = tb.ChatRateLimiter(2, clock=lambda: now[0])
    assert [limiter.check(7) for _ in range(4)] == ["allow", "allow", "warn", "drop"]
    assert limiter.check(8) == "allow"
    now[0] = 61.0
    assert limiter.check(7) == "allow"

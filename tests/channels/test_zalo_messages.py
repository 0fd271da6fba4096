"""Rasa messages → Zalo OA message API bodies (bot/channels/zalo_messages.py)."""

from __future__ import annotations

from typing import Any

from bot.channels.replies import Button, buttons_of, parse_message
from bot.channels.zalo_messages import (
    MAX_BUTTONS,
    MAX_TEXT,
    MAX_TITLE,
    render,
    split_text,
    text_bodies,
)
from bot.channels.zalo_messages import zalo_button as to_zalo

USER = "6142494823"


def zalo_button(button: dict[str, Any]) -> dict[str, Any] | None:
    return to_zalo(buttons_of([button])[0])


def custom_bodies(user: str, custom: dict[str, Any]) -> list[dict[str, Any]]:
    [reply] = parse_message({"custom": custom})
    return render(user, reply)


def test_plain_text_is_one_message_to_the_user():
    assert text_bodies(USER, "Chào bạn") == [
        {"recipient": {"user_id": USER}, "message": {"text": "Chào bạn"}}
    ]


def test_intent_payloads_become_hidden_queries_and_others_shown_queries():
    assert zalo_button({"title": "💰 Lệ phí", "payload": "/ask_fees"}) == {
        "title": "💰 Lệ phí", "type": "oa.query.hide", "payload": "/ask_fees"}
    choose = '/choose_procedure{"procedure_code":"1.001193"}'
    assert zalo_button({"title": "1. Khai sinh", "payload": choose})["payload"] == choose
    assert zalo_button({"title": "Có", "payload": "có"})["type"] == "oa.query.show"
    assert zalo_button({"title": "Cổng", "url": "https://dichvucong.gov.vn"}) == {
        "title": "Cổng", "type": "oa.open.url", "payload": {"url": "https://dichvucong.gov.vn"}}


def test_buttons_stay_within_zalo_limits():
    buttons = [{"title": f"Nút {n} " + "rất dài " * 30, "payload": f"/intent_{n}"} for n in range(8)]
    buttons.append({"title": "payload too long", "payload": "/x" + "a" * 2000})
    [body] = text_bodies(USER, "Chọn một", buttons_of(buttons))
    zalo = body["message"]["attachment"]["payload"]["buttons"]
    assert len(zalo) == MAX_BUTTONS
    assert [b["payload"] for b in zalo] == [f"/intent_{n}" for n in range(MAX_BUTTONS)]
    assert all(len(b["title"]) <= MAX_TITLE for b in zalo)
    assert zalo_button({"title": "payload too long", "payload": "/x" + "a" * 2000}) is None


def test_long_text_is_split_and_the_buttons_go_on_the_last_part():
    text = "\n".join(f"{n}. " + "giấy tờ " * 20 for n in range(30))
    bodies = text_bodies(USER, text, [Button("Khác", "/ask_other")])
    assert len(bodies) > 1
    assert all(len(b["message"]["text"]) <= MAX_TEXT for b in bodies)
    assert "attachment" not in bodies[0]["message"]
    assert bodies[-1]["message"]["attachment"]["payload"]["buttons"][0]["payload"] == "/ask_other"
    assert " ".join("\n".join(b["message"]["text"] for b in bodies).split()) == " ".join(text.split())


def test_split_text_cuts_a_single_long_word():
    assert [len(p) for p in split_text("x" * 4500)] == [2000, 2000, 500]


def test_a_procedure_payload_becomes_a_card_with_a_portal_link():
    custom = {"procedure": {"code": "1.001193", "name": "Đăng ký khai sinh", "level": "xa",
                            "online_level": "toan_trinh",
                            "portal_url": "https://dichvucong.gov.vn/p/1.001193"},
              "aspect": "fees"}
    [body] = custom_bodies(USER, custom)
    assert "Đăng ký khai sinh" in body["message"]["text"]
    assert "1.001193" in body["message"]["text"]
    [button] = body["message"]["attachment"]["payload"]["buttons"]
    assert button["type"] == "oa.open.url"
    assert button["payload"] == {"url": "https://dichvucong.gov.vn/p/1.001193"}


def test_an_overview_card_leaves_the_name_to_the_answer_text():
    custom = {"procedure": {"code": "1.001193", "name": "Đăng ký khai sinh", "portal_url": "https://x"},
              "aspect": "overview"}
    [body] = custom_bodies(USER, custom)
    assert body["message"]["text"] == "Mã thủ tục: 1.001193"


def test_machine_only_payloads_send_nothing():
    assert custom_bodies(USER, {"choices": ["1.001193", "1.000656"]}) == []
    assert custom_bodies(USER, {"handoff": {"hotline": {"phone": "1022"}}}) == []

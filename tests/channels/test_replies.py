"""Rasa's bot messages → the one reply model every channel renders (bot/channels/replies.py)."""

from __future__ import annotations

from bot.channels.replies import PORTAL_TITLE, Button, Procedure, Reply, parse, parse_message
from bot.channels.telegram_render import render as telegram
from bot.channels.webchat_render import render as web
from bot.channels.zalo_messages import render as zalo
from procedures_catalog.answers import RATING_BUTTONS, RATING_PROMPT

PROCEDURE = {"code": "1.001193", "name": "Đăng ký khai sinh",
             "portal_url": "https://dichvucong.gov.vn/p/1.001193"}


def test_a_message_gives_its_parts_in_the_order_rasa_sends_them():
    message = {"text": " Chọn một ", "buttons": [{"title": "Có", "payload": "/affirm"}],
               "custom": {"procedure": PROCEDURE, "aspect": "overview"},
               "image": "https://x/card.png", "attachment": "https://x/file.pdf",
               "elements": [{"title": "A", "subtitle": "B",
                             "buttons": [{"title": "Mở", "url": "https://x"}]}]}
    assert parse_message(message) == [
        Reply("Chọn một", (Button("Có", "/affirm"),)),
        Reply(custom=message["custom"],
              procedure=Procedure("1.001193", "Đăng ký khai sinh", PROCEDURE["portal_url"], True)),
        Reply(image="https://x/card.png"),
        Reply("https://x/file.pdf"),
        Reply("A\nB", (Button("Mở", url="https://x"),)),
    ]


def test_quick_replies_are_buttons_and_malformed_parts_are_skipped():
    assert parse_message({"text": "?", "quick_replies": [{"title": "Có", "payload": "có"}]}) == [
        Reply("?", (Button("Có", "có"),))]
    assert parse(["junk", None, {"text": "  "}, {"buttons": "x", "elements": "y"},
                  {"custom": {}}, {"text": "ok", "buttons": [1, {"title": ""}, None]}]) == [
        Reply("ok")]
    assert parse_message({"custom": {"choices": ["1.001193"]}})[0].procedure is None


def test_rating_buttons_are_known_by_their_payload():
    buttons = parse_message({"text": "?", "buttons": RATING_BUTTONS + [
        {"title": "Khác", "payload": "/ask_other"}]})[0].buttons
    assert [b.is_rating for b in buttons] == [True, True, False]


def test_each_channel_shows_the_same_portal_link_under_a_procedure_answer():
    # An answer's payload comes first, its texts after.
    replies = parse([{"custom": {"procedure": PROCEDURE, "aspect": "fees"}},
                     {"text": "Lệ phí: miễn phí."}])
    [message] = telegram(replies)
    assert [(b.title, b.url) for row in message.keyboard for b in row] == [
        (PORTAL_TITLE, PROCEDURE["portal_url"])]
    [card] = zalo("1", replies[0])
    [button] = card["message"]["attachment"]["payload"]["buttons"]
    assert (button["title"], button["payload"]) == (PORTAL_TITLE, {"url": PROCEDURE["portal_url"]})


def test_zalo_sends_the_rating_apart_when_the_buttons_do_not_fit():
    buttons = [{"title": f"Hỏi {n}", "payload": f"/ask_{n}"} for n in range(4)] + RATING_BUTTONS
    [reply] = parse_message({"text": "Trả lời", "buttons": buttons})
    answer, rating = zalo("1", reply)
    assert [b["payload"] for b in answer["message"]["attachment"]["payload"]["buttons"]] == [
        f"/ask_{n}" for n in range(4)]
    assert rating["message"]["text"] == RATING_PROMPT
    assert [b["title"] for b in rating["message"]["attachment"]["payload"]["buttons"]] == ["👍", "👎"]


def test_the_widget_gets_rasas_socketio_shapes_and_the_custom_payload_unchanged():
    custom = {"procedure": PROCEDURE, "aspect": "fees"}
    replies = parse([{"custom": custom}, {"text": "Lệ phí\n\nmiễn phí", "buttons": [
        {"title": "Có", "payload": "/affirm"}, {"title": "Cổng", "url": "https://x"}]},
        {"image": "https://x/card.png"}])
    assert [event for reply in replies for event in web(reply)] == [
        custom,
        {"text": "Lệ phí", "quick_replies": []},
        {"text": "miễn phí", "quick_replies": [
            {"content_type": "text", "title": "Có", "payload": "/affirm"}]},
        {"attachment": {"type": "image", "payload": {"src": "https://x/card.png"}}},
    ]

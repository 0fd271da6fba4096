"""Multi-turn conversations through the REST webhook of a real Rasa server."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import choices_of, custom_payloads, procedure_of, texts

pytestmark = pytest.mark.e2e

BIRTH, DEATH, MARRIAGE = "1.001193", "1.000656", "1.000894"


def test_describing_the_need_then_follow_ups(servers, sender):
    reply = servers.talk(sender, "con tui moi sinh thi lam giay gi")
    assert procedure_of(reply) == (BIRTH, "overview")
    reply = servers.talk(sender, "còn lệ phí thì sao?")
    assert procedure_of(reply) == (BIRTH, "fees")
    reply = servers.talk(sender, "vay nop o dau")
    assert procedure_of(reply) == (BIRTH, "where")
    assert any("xã" in t for t in texts(reply))
    reply = servers.talk(sender, "làm online được ko")
    assert procedure_of(reply) == (BIRTH, "online")
    reply = servers.talk(sender, "cần giấy tờ gì")
    code, aspect = procedure_of(reply)
    assert (code, aspect) == (BIRTH, "documents")
    assert any(line.startswith("1. ") for t in texts(reply) for line in t.splitlines())


def test_new_procedure_mid_conversation_replaces_it(servers, sender):
    assert procedure_of(servers.talk(sender, "lệ phí đăng ký khai sinh bao nhiêu"))[0] == BIRTH
    reply = servers.talk(sender, "còn khai tử thì sao")
    # The same question about the new procedure, introduced first: overview, then fees.
    assert procedure_of(reply) == (DEATH, "overview")
    (payload,) = [p for p in custom_payloads(reply) if "procedure" in p]
    assert payload["aspects"] == ["overview", "fees"]
    assert procedure_of(servers.talk(sender, "mất bao lâu"))[0] == DEATH


def test_correction(servers, sender):
    assert procedure_of(servers.talk(sender, "thủ tục đăng ký kết hôn cần giấy tờ gì"))[0] == MARRIAGE
    reply = servers.talk(sender, "không phải, ý tôi là đăng ký khai tử")
    code, aspect = procedure_of(reply)
    assert code == DEATH
    assert aspect == "documents"


def test_every_answer_ends_with_next_question_buttons(servers, sender):
    reply = servers.talk(sender, "đăng ký khai sinh")
    last_text = [m for m in reply if m.get("text")][-1]
    titles = " ".join(b["title"] for b in last_text.get("buttons", []))
    for word in ("Giấy tờ", "Lệ phí", "Nộp ở đâu", "Làm online", "thủ tục khác"):
        assert word in titles


def test_disambiguation_by_number(servers, sender):
    reply = servers.talk(sender, "giấy phép")
    choices = choices_of(reply)
    assert len(choices) == 3
    reply = servers.talk(sender, "cái thứ 2")
    assert procedure_of(reply)[0] == choices[1]


def test_disambiguation_by_button(servers, sender):
    choices = choices_of(servers.talk(sender, "giấy phép"))
    assert choices
    reply = servers.talk(sender, f'/choose_procedure{{"procedure_code":"{choices[2]}"}}')
    assert procedure_of(reply)[0] == choices[2]


def test_statistics_from_the_database(servers, sender):
    reply = servers.talk(sender, "tỉnh có bao nhiêu thủ tục làm online toàn trình?")
    assert any("1.215" in t for t in texts(reply))
    reply = servers.talk(sender, "tổng cộng có bao nhiêu thủ tục hành chính")
    assert any("1.787" in t for t in texts(reply))


def test_human_handoff(servers, sender):
    reply = servers.talk(sender, "cho tôi gặp cán bộ")
    assert any("handoff" in m.get("custom", {}) for m in reply)
    assert any("1022" in t for t in texts(reply))


def test_two_misunderstandings_offer_the_hotline(servers, sender):
    first = servers.talk(sender, "asdkjh qwpoeiru zxcmvn")
    assert texts(first) and not any("1022" in t for t in texts(first))
    second = servers.talk(sender, "lkjqwe poiuzx mnbvqq")
    assert any("1022" in t for t in texts(second))


def test_portal_help(servers, sender):
    reply = servers.talk(sender, "quên mật khẩu vneid thì làm sao")
    assert any("Quên mật khẩu" in t for t in texts(reply))


@pytest.mark.parametrize("message", [
    "", "   ", "a" * 10_000, "😀😀😀", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "\x00\x01\x02 \x1b[31m", "đ" * 3000,
])
def test_bad_input_gets_a_short_kind_reply(servers, sender, message):
    reply = servers.talk(sender, message)
    for text in texts(reply):
        assert len(text) <= 600
    if message.strip():
        assert texts(reply), f"no reply to {message[:20]!r}"


def test_no_message_over_600_characters(servers, sender):
    for message in ("giấy tờ đăng ký khai sinh", "các bước cấp giấy phép xây dựng nhà ở",
                    "sang tên sổ đỏ cần giấy tờ gì", "thủ tục đăng ký thành lập hộ kinh doanh"):
        for text in texts(servers.talk(sender, message)):
            assert len(text) <= 600


def test_personal_data_never_reaches_the_tracker(servers, sender):
    reply = servers.talk(sender, "sđt tôi 0912 345 678, cccd 079123456789, hỏi lệ phí khai tử")
    assert procedure_of(reply)[0] == DEATH
    stored = [e.get("text") or "" for e in servers.tracker(sender)["events"] if e["event"] == "user"]
    assert stored and not any(d in t for t in stored for d in ("0912", "345 678", "079123456789"))
    assert "[SĐT]" in stored[-1]

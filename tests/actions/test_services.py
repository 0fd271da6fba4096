"""Actions beyond one procedure: statistics, portal help, a person, fallback, small talk."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.services import (
    ActionAffirm,
    ActionBotChallenge,
    ActionCatalogueStats,
    ActionFallback,
    ActionGoodbye,
    ActionGreet,
    ActionHandoff,
    ActionOutOfScope,
    ActionPortalHelp,
    ActionThanks,
    ReplyAction,
    detect_portal_topic,
)

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
KHAI_SINH = "1.001193"
DOI_GPLX = "3.000347"  # solved at the provincial level


def _n(value: int) -> str:
    """A count written the Vietnamese way (1.787)."""
    return f"{value:,}".replace(",", ".")


@pytest.fixture(scope="module")
def responses() -> set[str]:
    """The response names the domain defines."""
    names: set[str] = set()
    for path in DOMAIN_DIR.glob("*.yml"):
        names |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return names


# ---------------------------------------------------------------- statistics
def _stats(run, tracker, text: str):
    out = run(ActionCatalogueStats(), tracker("new_question", text=text, intent="catalogue_stats"))
    assert len(out.texts) == 1
    assert out.payloads() == ["/ask_other"]
    assert out.slots == {"misunderstandings": 0}
    out.assert_short()
    return out.texts[0]


def test_stats_total(run, tracker, catalog) -> None:
    stats = catalog.stats()
    text = _stats(run, tracker, "tổng cộng có bao nhiêu thủ tục hành chính")
    assert text.startswith(f"Tỉnh có {_n(stats['total'])} thủ tục")
    assert _n(stats["total"]) == "1.787"
    for count in [*stats["by_level"].values(), *stats["by_online_level"].values()]:
        assert _n(count) in text


# Figures say which list they count.
WHICH_LIST = "🗓 Theo danh mục tỉnh Tiền Giang năm 2024 (bản mẫu), từ 01/01/2024."


def test_stats_online_toan_trinh(run, tracker, catalog) -> None:
    stats = catalog.stats()
    text = _stats(run, tracker, "tỉnh có bao nhiêu thủ tục làm online toàn trình?")
    assert text == (f"Có {_n(stats['by_online_level']['toan_trinh'])} thủ tục làm online "
                    f"toàn trình (trên tổng số {_n(stats['total'])}).\n{WHICH_LIST}")


@pytest.mark.parametrize("question", ["cấp xã có bao nhiêu thủ tục",
                                      "ở phường làm được mấy thủ tục"])
def test_stats_cap_xa(run, tracker, catalog, question) -> None:
    stats = catalog.stats()
    text = _stats(run, tracker, question)
    assert text == (f"Cấp xã có {_n(stats['by_level']['xa'])} thủ tục (trên tổng số "
                    f"{_n(stats['total'])}).\n{WHICH_LIST}")


def test_stats_of_a_field(run, tracker, catalog) -> None:
    count = catalog.field_counts()["Hộ tịch"]
    text = _stats(run, tracker, "lĩnh vực hộ tịch có bao nhiêu thủ tục")
    assert text == f"Lĩnh vực “Hộ tịch” có {_n(count)} thủ tục (trên tổng số 1.787).\n{WHICH_LIST}"


@pytest.mark.parametrize("question", ["tỉnh có bao nhiêu thủ tục về xã hội?",
                                      "có bao nhiêu thủ tục về phương tiện giao thông"])
def test_stats_words_that_only_look_like_a_level(run, tracker, question) -> None:
    # "xã hội" is not "cấp xã", "phương tiện" is not "phường": the totals answer.
    assert _stats(run, tracker, question).startswith("Tỉnh có 1.787 thủ tục")


# --------------------------------------------------------------- portal help
@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("làm sao tạo tài khoản dịch vụ công", "account"),
        ("đăng nhập bằng vneid thế nào", "login"),
        ("trả phí online được không", "payment"),
        ("hồ sơ của tôi tới đâu rồi", "tracking"),
        ("quên mật khẩu vneid", "password"),
        ("hướng dẫn dịch vụ công", None),
    ],
)
def test_portal_help_by_words(run, tracker, responses, text, topic) -> None:
    assert detect_portal_topic(text) == topic
    out = run(ActionPortalHelp(), tracker("new_question", text=text, intent="portal_help"))
    expected = f"utter_portal_help_{topic or 'menu'}"
    assert out.responses == [expected]
    assert expected in responses
    assert out.slots == {"portal_topic": None, "misunderstandings": 0}


@pytest.mark.parametrize("topic", ["account", "login", "payment", "tracking", "password"])
def test_portal_help_by_entity(run, tracker, topic) -> None:
    # The menu's buttons send /portal_help{"portal_topic": ...}; the entity wins over words.
    out = run(ActionPortalHelp(), tracker(
        "new_question", text=f'/portal_help{{"portal_topic":"{topic}"}}', intent="portal_help",
        entities=[{"entity": "portal_topic", "value": topic}]))
    assert out.responses == [f"utter_portal_help_{topic}"]


def test_portal_help_ignores_an_unknown_topic(run, tracker) -> None:
    out = run(ActionPortalHelp(), tracker(
        "new_question", text="/portal_help", intent="portal_help",
        entities=[{"entity": "portal_topic", "value": "hack"}]))
    assert out.responses == ["utter_portal_help_menu"]


# ------------------------------------------------------------------- handoff
@pytest.mark.parametrize(("code", "level"), [(None, "xa"), (KHAI_SINH, "xa"), (DOI_GPLX, "tinh")])
def test_handoff_gives_the_hotline_and_the_office(run, tracker, catalog, code, level) -> None:
    out = run(ActionHandoff(), tracker("new_question", text="cho tôi gặp cán bộ",
                                       intent="human_handoff", procedure_code=code))
    offices = catalog.offices()
    assert [bool(m.get("custom")) for m in out.messages] == [True, False]
    contacts = out.customs[0]["handoff"]
    assert set(contacts) == {"hotline", level}
    assert contacts["hotline"] == offices["hotline"].as_dict()
    assert contacts[level] == offices[level].as_dict()
    assert offices["hotline"].phone in out.texts[0]
    assert offices[level].name in out.texts[0]
    assert out.payloads() == ["/ask_other"]
    out.assert_short()
    assert out.slots == {"misunderstandings": 0}


# ------------------------------------------------------------------ fallback
def test_fallback_on_gibberish_says_so_kindly(run, tracker) -> None:
    out = run(ActionFallback(), tracker("gibberish"))
    assert out.customs == []
    assert len(out.texts) == 1 and out.texts[0].startswith("Xin lỗi, mình chưa hiểu ý bạn.")
    assert out.payloads() == ["/ask_other", "/portal_help", "/human_handoff"]
    assert out.slots == {"misunderstandings": 1}


def test_fallback_twice_in_a_row_offers_a_person(run, tracker, catalog) -> None:
    out = run(ActionFallback(), tracker("gibberish", misunderstandings=1.0))
    hotline = catalog.offices()["hotline"]
    assert out.customs[0]["handoff"]["hotline"]["phone"] == hotline.phone
    assert hotline.phone in out.texts[0]
    assert out.slots == {"misunderstandings": 0}


def test_fallback_on_a_real_procedure_question_answers_it(run, tracker, catalog) -> None:
    out = run(ActionFallback(), tracker("gibberish", text="con tui moi sinh thi lam giay gi",
                                        misunderstandings=1.0))
    out.assert_answer(catalog, KHAI_SINH, "overview")


def test_fallback_on_a_vague_question_offers_choices(run, tracker) -> None:
    out = run(ActionFallback(), tracker("gibberish", text="giấy phép"))
    codes = out.customs[0]["choices"]
    assert len(codes) == 3
    assert out.slots == {"choices": codes, "pending_aspect": "overview", "misunderstandings": 0}


def test_fallback_on_a_bare_payload_is_not_searched(run, tracker) -> None:
    out = run(ActionFallback(), tracker("gibberish", text="/unknown_intent"))
    assert out.texts[0].startswith("Xin lỗi, mình chưa hiểu ý bạn.")


# ----------------------------------------------------------------- small talk
REPLIES = [
    (ActionGreet, "action_greet", "utter_greet", "smalltalk"),
    (ActionGoodbye, "action_goodbye", "utter_goodbye", "smalltalk"),
    (ActionThanks, "action_thanks", "utter_thanks", "smalltalk"),
    (ActionAffirm, "action_affirm", "utter_affirm_ack", "smalltalk"),
    (ActionBotChallenge, "action_bot_challenge", "utter_iamabot", "smalltalk"),
    (ActionOutOfScope, "action_out_of_scope", "utter_out_of_scope", "out_of_scope"),
]


def test_every_reply_action_is_listed() -> None:
    assert {cls for cls, *_ in REPLIES} == set(ReplyAction.__subclasses__())


@pytest.mark.parametrize(("cls", "name", "response", "outcome"), REPLIES)
def test_reply_actions_send_their_domain_response(run, tracker, turns, responses, cls, name,
                                                  response, outcome) -> None:
    assert cls().name() == name
    assert response in responses
    sender = f"smalltalk-{name}"
    out = run(cls(), tracker("new_question", text="chào bạn", intent="greet", sender_id=sender))
    assert out.responses == [response]
    assert out.texts == [] and out.customs == []
    assert out.events == []
    assert [t.outcome for t in turns(sender)][-1:] == [outcome]

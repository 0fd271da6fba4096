"""Search-aware routing and the aspect decision, through the real actions.

The patterns of issue 8: the aspect lost to the procedure words, real questions
refused or sent to portal help or a person, southern follow-ups, silent switches.
"""

from __future__ import annotations

import pytest

from actions.procedures import ActionAnswerOnline, ActionAnswerOverview, ActionChooseProcedure
from actions.services import (
    ActionFallback,
    ActionHandoff,
    ActionOutOfScope,
    ActionPortalHelp,
    ActionThanks,
)

KHAI_SINH = "1.001193"
THUONG_TRU = "1.004222"


def _answer(out):
    (payload,) = [c for c in out.customs if "procedure" in c]
    return payload["procedure"]["code"], payload.get("aspects") or [payload["aspect"]]


def test_the_aspect_asked_wins_over_the_procedure_words(run, tracker) -> None:
    # Classified ask_procedure (the procedure words weigh more), but it asks documents.
    out = run(ActionAnswerOverview(), tracker(
        "new_question", text="làm giấy khai sinh cho con cần giấy tờ gì", intent="ask_procedure",
        procedure_code=None))
    assert _answer(out) == (KHAI_SINH, ["documents"])


def test_two_aspects_in_one_message_are_answered_together(run, tracker) -> None:
    out = run(ActionAnswerOverview(), tracker(
        "new_question", text="khai sinh cho con cần giấy gì, tốn nhiêu tiền", intent="ask_documents",
        procedure_code=None))
    assert _answer(out) == (KHAI_SINH, ["documents", "fees"])
    assert out.slots["last_aspect"] == "documents,fees"


def test_duoc_hong_about_a_named_procedure_is_not_an_online_question(run, tracker) -> None:
    out = run(ActionAnswerOverview(), tracker(
        "new_question", text="đăng ký khai sinh cho cháu nội được hông", intent="ask_online",
        procedure_code=None))
    assert _answer(out)[1] == ["overview"]


def test_a_named_procedure_is_not_refused_as_out_of_scope(run, tracker) -> None:
    out = run(ActionOutOfScope(), tracker(
        "new_question", text="cho hỏi làm giấy khai sinh cho con", intent="out_of_scope",
        procedure_code=None))
    assert out.responses == []
    codes = [c for c in out.customs if "choices" in c or "procedure" in c]
    assert codes, out.messages  # answered, or offered as a choice (the classifier was sure)


@pytest.mark.parametrize("text", ["giá vàng hôm nay bao nhiêu", "kể chuyện cười đi", "thời tiết mai sao"])
def test_out_of_scope_stays_out_of_scope_without_procedure_words(run, tracker, text) -> None:
    out = run(ActionOutOfScope(), tracker("new_question", text=text, intent="out_of_scope",
                                          procedure_code=None))
    assert out.responses == ["utter_out_of_scope"]
    assert not out.customs


def test_online_question_about_a_named_procedure_gets_its_online_level(run, tracker) -> None:
    out = run(ActionPortalHelp(), tracker(
        "new_question", text="đăng ký thường trú nộp qua mạng được không", intent="portal_help",
        procedure_code=None))
    code, aspects = _answer(out)
    assert aspects == ["online"] and code == THUONG_TRU
    assert any("dịch vụ công" in t or "dichvucong" in t for t in out.texts)


def test_portal_questions_stay_portal_help(run, tracker) -> None:
    out = run(ActionPortalHelp(), tracker("new_question", text="làm sao tạo tài khoản dịch vụ công",
                                          intent="portal_help", procedure_code=None))
    assert out.responses == ["utter_portal_help_account"]


def test_a_handoff_intent_without_a_person_asked_answers_the_procedure(run, tracker) -> None:
    out = run(ActionHandoff(), tracker(
        "new_question", text="làm khai sinh cho con có nộp hồ sơ qua mạng được không",
        intent="human_handoff", procedure_code=None))
    assert _answer(out) == (KHAI_SINH, ["online"])


def test_asking_for_a_phone_number_gets_a_person_whatever_nlu_said(run, tracker) -> None:
    out = run(ActionAnswerOverview(), tracker(
        "mid_conversation", text="cho tui số điện thoại địa chính xã đi", intent="ask_where"))
    assert any("handoff" in c for c in out.customs)


def test_southern_follow_up_without_a_procedure_stays_on_the_current_one(run, tracker) -> None:
    # "hổng có giấy đó thì sao" was nlu_fallback and got a land procedure.
    out = run(ActionFallback(), tracker(
        "mid_conversation", text="hổng có giấy đó thì sao", intent="nlu_fallback",
        procedure_code=THUONG_TRU))
    assert _answer(out) == (THUONG_TRU, ["documents"])


def test_thanks_with_procedure_words_is_still_thanks_when_nothing_is_named(run, tracker) -> None:
    out = run(ActionThanks(), tracker("mid_conversation", text="cảm ơn nha", intent="thanks"))
    assert out.responses == ["utter_thanks"]


def test_a_follow_up_while_a_choice_is_open_asks_the_choice_again(run, tracker, catalog) -> None:
    choices = [c.code for c in catalog.index().entries[:3]]
    out = run(ActionChooseProcedure(), tracker(
        "choice_open", text="nộp ở đâu vậy", intent="choose_option", choices=choices,
        procedure_code=None))
    assert [c for c in out.customs if "choices" in c] == [{"choices": choices}]
    assert out.slots["pending_aspect"] == "where"


def test_every_answer_names_the_procedure_so_a_switch_is_visible(run, tracker, catalog) -> None:
    out = run(ActionAnswerOverview(), tracker(
        "mid_conversation", text="lệ phí đăng ký kết hôn", intent="ask_fees"))
    name = catalog.get(out.customs[0]["procedure"]["code"]).name
    assert out.texts[0].startswith(f"📌 {name[:40]}")


def test_an_unsure_answer_offers_the_next_ones_under_it(run, tracker) -> None:
    # The search is not sure (probability 0.4): answer, and put the next two one tap away.
    out = run(ActionAnswerOverview(), tracker("new_question", text="tui muốn làm sổ đỏ",
                                              intent="ask_procedure", procedure_code=None))
    answered = out.customs[0]["procedure"]["code"]
    (offered,) = [c["choices"] for c in out.customs if "choices" in c]
    assert len(offered) == 2 and answered not in offered
    assert out.slots["procedure_code"] == answered and out.slots["choices"] == offered
    # "cái thứ 2" then picks the second of those, with the same aspect.
    picked = run(ActionChooseProcedure(), tracker(
        "choice_open", text="cái thứ 2", intent="choose_option", choices=offered,
        procedure_code=answered, pending_aspect=None, last_aspect="overview"))
    assert picked.customs[0]["procedure"]["code"] == offered[1]


def test_a_follow_up_after_an_unsure_answer_is_about_the_answer(run, tracker) -> None:
    out = run(ActionAnswerOverview(), tracker(
        "mid_conversation", text="lệ phí bao nhiêu", intent="ask_fees",
        choices=["1.000656", "1.000894"]))
    assert _answer(out) == (KHAI_SINH, ["fees"])


@pytest.mark.parametrize("text", ["giấy phép", "sổ đỏ"])
def test_a_broad_request_gets_buttons_not_a_guess(run, tracker, text) -> None:
    out = run(ActionAnswerOverview(), tracker("new_question", text=text, intent="ask_procedure",
                                              procedure_code=None))
    assert [c for c in out.customs if "procedure" in c] == []
    assert len(next(c["choices"] for c in out.customs if "choices" in c)) == 3


def test_giving_ones_own_phone_number_is_no_request_for_a_person(run, tracker) -> None:
    out = run(ActionOutOfScope(), tracker(
        "new_question", text="sđt tôi [SĐT], cccd [CCCD], hỏi lệ phí khai tử", intent="ask_fees",
        procedure_code=None))
    assert not any("handoff" in c for c in out.customs)


@pytest.mark.parametrize(("text", "code"), [
    ("thẩm định thiết kế phòng cháy chữa cháy cho nhà xưởng", "3.000489"),
    ("nhà bị cháy, cuốn sổ hồng cháy luôn rồi", "1.012786"),
])
def test_a_message_the_catalogue_is_sure_of_is_answered_whatever_nlu_said(run, tracker, text, code) -> None:
    # No domain word ("thủ tục", "giấy phép"…), classified out of scope (0.9): the catalogue's
    # own words match one procedure closely, so it is answered.
    out = run(ActionOutOfScope(), tracker("new_question", text=text, intent="out_of_scope",
                                          procedure_code=None))
    assert _answer(out)[0] == code


def test_sure_small_talk_is_not_read_as_a_procedure(run, tracker) -> None:
    # "dạ cảm ơn" folds close to "da cam" (Agent Orange benefits): still thanks.
    out = run(ActionThanks(), tracker("new_question", text="dạ cảm ơn bạn", intent="thanks",
                                      procedure_code=None))
    assert not [c for c in out.customs if "procedure" in c or "choices" in c]
    assert out.responses


def test_a_condition_read_as_online_asks_the_documents(run, tracker) -> None:
    # "… thì tui đi thay được hông" has no aspect words; the classifier reads "được hông"
    # as online, but a condition of the case is answered by the documents.
    out = run(ActionAnswerOnline(), tracker(
        "mid_conversation", text="bả đi hổng nổi thì tui đi thay được hông", intent="ask_online"))
    assert _answer(out) == (KHAI_SINH, ["documents"])

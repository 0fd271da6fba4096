"""The procedure actions: which procedure, which aspect, and what they send back."""

from __future__ import annotations

import json

import pytest

from actions.procedures import (
    ActionAnswerDocuments,
    ActionAnswerFees,
    ActionAnswerLevel,
    ActionAnswerOnline,
    ActionAnswerOverview,
    ActionAnswerSteps,
    ActionAnswerTime,
    ActionAnswerWhere,
    ActionAskOther,
    ActionChooseProcedure,
    ActionCorrectProcedure,
    AnswerAspectAction,
)
from procedures_catalog.answers import ASPECTS, ask_which, shorten

KHAI_SINH = "1.001193"
KHAI_TU = "1.000656"
KET_HON = "1.000894"
DOI_GPLX = "3.000347"  # a provincial one, with a long list of documents
# The choices offered in fixtures/choice_open.json and choice_button.json.
OFFERED = [KHAI_SINH, KHAI_TU, KET_HON]

ASPECT_ACTIONS: dict[str, type[AnswerAspectAction]] = {
    "overview": ActionAnswerOverview,
    "level": ActionAnswerLevel,
    "where": ActionAnswerWhere,
    "online": ActionAnswerOnline,
    "documents": ActionAnswerDocuments,
    "fees": ActionAnswerFees,
    "time": ActionAnswerTime,
    "steps": ActionAnswerSteps,
}
# The intent whose bare button payload leads to each aspect action.
ASPECT_INTENTS = {aspect: f"ask_{aspect}" for aspect in ASPECTS} | {"overview": "ask_procedure"}
ASK_WHICH = ask_which()[0].text


def test_there_is_one_action_per_aspect() -> None:
    assert set(ASPECT_ACTIONS) == set(ASPECTS)
    for aspect, action in ASPECT_ACTIONS.items():
        assert action().name() == f"action_answer_{aspect}"


# ------------------------------------------------------------- a new question
def test_a_named_procedure_is_answered(run, tracker, catalog) -> None:
    out = run(ActionAnswerOverview(), tracker("new_question"))
    out.assert_answer(catalog, KHAI_SINH, "overview")
    assert "khai sinh" in out.texts[0]


def test_a_greeting_button_carries_its_query(run, tracker, catalog) -> None:
    # utter_greet's buttons send /ask_procedure{"query": ...}: the query is the question.
    out = run(ActionAnswerOverview(), tracker(
        "new_question", text='/ask_procedure{"query":"đăng ký khai sinh"}',
        entities=[{"entity": "query", "value": "đăng ký khai sinh"}]))
    out.assert_answer(catalog, KHAI_SINH, "overview")


@pytest.mark.parametrize("code", [KHAI_SINH, KHAI_TU, DOI_GPLX])
@pytest.mark.parametrize("aspect", ASPECTS)
def test_every_aspect_of_the_current_procedure(run, tracker, catalog, code, aspect) -> None:
    # A bare next-question button ("/ask_fees") answers about the current procedure.
    out = run(ASPECT_ACTIONS[aspect](), tracker(
        "mid_conversation", text=f"/{ASPECT_INTENTS[aspect]}", intent=ASPECT_INTENTS[aspect],
        procedure_code=code))
    out.assert_answer(catalog, code, aspect)


def test_a_long_list_of_documents_is_split_into_short_messages(run, tracker, catalog) -> None:
    out = run(ActionAnswerDocuments(), tracker(
        "mid_conversation", text="cần giấy tờ gì", intent="ask_documents", procedure_code=KHAI_TU))
    out.assert_answer(catalog, KHAI_TU, "documents")
    assert len(out.texts) > 1
    assert any(line.startswith("1. ") for line in out.texts[0].splitlines())


# ------------------------------------------------------------------ follow-ups
def test_a_follow_up_keeps_the_procedure(run, tracker, catalog) -> None:
    # fixtures/mid_conversation.json: "còn lệ phí thì sao" about 1.001193.
    out = run(ActionAnswerFees(), tracker("mid_conversation"))
    out.assert_answer(catalog, KHAI_SINH, "fees")
    assert out.texts[0].startswith("📌 Thủ tục đăng ký khai sinh\n💰 Lệ phí:")  # names the procedure


def test_a_question_without_a_procedure_keeps_the_procedure(run, tracker, catalog) -> None:
    out = run(ActionAnswerTime(), tracker("mid_conversation", text="mất bao lâu",
                                          intent="ask_time", last_aspect="fees"))
    out.assert_answer(catalog, KHAI_SINH, "time")


def test_a_new_procedure_mid_conversation_replaces_it(run, tracker, catalog) -> None:
    out = run(ActionAnswerFees(), tracker("mid_conversation", text="lệ phí đăng ký kết hôn"))
    out.assert_answer(catalog, KET_HON, "fees")


def test_a_contrast_asks_the_same_question_of_another_procedure(run, tracker, catalog) -> None:
    # After the fees of 1.001193, "còn khai tử thì sao" (ask_procedure) means its fees;
    # the new procedure is introduced first (its overview), then the fees.
    out = run(ActionAnswerOverview(), tracker(
        "mid_conversation", text="còn khai tử thì sao", intent="ask_procedure",
        last_aspect="fees"))
    payload = out.messages[0]["custom"]
    assert payload["procedure"]["code"] == KHAI_TU
    assert (payload["aspect"], payload["aspects"]) == ("overview", ["overview", "fees"])
    assert any(m.get("text", "").startswith("💰 Lệ phí") for m in out.messages[1:])


def test_without_a_contrast_a_new_procedure_gets_an_overview(run, tracker, catalog) -> None:
    out = run(ActionAnswerOverview(), tracker(
        "mid_conversation", text="đăng ký khai tử", intent="ask_procedure", last_aspect="fees"))
    out.assert_answer(catalog, KHAI_TU, "overview")


# ------------------------------------------------------------------ corrections
def test_a_correction_replaces_the_procedure_and_keeps_the_aspect(run, tracker, catalog) -> None:
    out = run(ActionCorrectProcedure(), tracker(
        "mid_conversation", text="không phải, ý tôi là khai tử", intent="correct_procedure",
        last_aspect="documents"))
    out.assert_answer(catalog, KHAI_TU, "documents")


def test_a_correction_never_answers_the_procedure_corrected(run, tracker, catalog) -> None:
    out = run(ActionCorrectProcedure(), tracker(
        "mid_conversation", text="không phải, ý tôi là đăng ký khai sinh lưu động",
        intent="correct_procedure", last_aspect="fees"))
    assert out.customs[0]["procedure"]["code"] != KHAI_SINH
    assert out.slots["last_aspect"] == "fees"


def test_a_bare_no_asks_which_procedure(run, tracker) -> None:
    out = run(ActionCorrectProcedure(), tracker(
        "mid_conversation", text="không", intent="correct_procedure", last_aspect="fees"))
    assert out.texts == [ASK_WHICH]
    assert out.customs == []
    assert out.slots == {"procedure_code": None, "pending_aspect": "fees"}


# ------------------------------------------------------------ choice questions
def _choice_codes(out) -> list[str]:
    payloads = out.payloads()
    assert payloads[-1] == "/ask_other"
    codes = []
    for payload in payloads[:-1]:
        assert payload.startswith("/choose_procedure{")
        codes.append(json.loads(payload[len("/choose_procedure"):])["procedure_code"])
    return codes


@pytest.mark.parametrize(("action", "aspect"), [(ActionAnswerOverview, "overview"),
                                                 (ActionAnswerFees, "fees")])
def test_an_unclear_query_asks_which_procedure(run, tracker, catalog, action, aspect) -> None:
    out = run(action(), tracker("new_question", text="giấy phép"))
    # The payload before the question, with the codes in the order shown.
    assert [bool(m.get("custom")) for m in out.messages] == [True, False]
    codes = out.customs[0]["choices"]
    assert len(codes) == 3 and len(set(codes)) == 3
    assert all(catalog.get(code) for code in codes)
    assert _choice_codes(out) == codes
    for n, code in enumerate(codes, 1):
        assert f"{n}. {shorten(catalog.get(code).name, 150)}" in out.texts[0]
    out.assert_short()
    assert out.slots == {"choices": codes, "pending_aspect": aspect, "misunderstandings": 0}


def test_choosing_after_an_unclear_query_answers_the_aspect_asked(run, tracker, catalog) -> None:
    asked = run(ActionAnswerFees(), tracker("new_question", text="lệ phí giấy phép"))
    codes = asked.slots["choices"]
    out = run(ActionChooseProcedure(), tracker(
        "choice_open", text="số 3", choices=codes, pending_aspect=asked.slots["pending_aspect"]))
    out.assert_answer(catalog, codes[2], "fees")


def test_choosing_by_button(run, tracker, catalog) -> None:
    # fixtures/choice_button.json: the third button, asked about documents.
    out = run(ActionChooseProcedure(), tracker("choice_button"))
    out.assert_answer(catalog, KET_HON, "documents")


def test_a_button_works_even_when_the_choices_were_forgotten(run, tracker, catalog) -> None:
    out = run(ActionChooseProcedure(), tracker("choice_button", choices=None, pending_aspect=None))
    out.assert_answer(catalog, KET_HON, "overview")


def test_a_button_for_an_unknown_code_answers_nothing_about_it(run, tracker) -> None:
    out = run(ActionChooseProcedure(), tracker(
        "choice_button", text='/choose_procedure{"procedure_code": "9.999999"}',
        entities=[{"entity": "procedure_code", "value": "9.999999"}]))
    assert out.customs == []
    assert out.texts == [ASK_WHICH]
    assert "procedure_code" not in out.slots


@pytest.mark.parametrize(("reply", "index"),
                         [("cái thứ 2", 1), ("số 3", 2), ("1", 0), ("cái đầu tiên", 0),
                          ("cái cuối", 2), ("số 2 nha", 1)])
def test_choosing_by_number(run, tracker, catalog, reply, index) -> None:
    out = run(ActionChooseProcedure(), tracker("choice_open", text=reply))
    out.assert_answer(catalog, OFFERED[index], "fees")


@pytest.mark.parametrize(("reply", "code"), [("cái kết hôn", KET_HON), ("khai tử", KHAI_TU),
                                             ("đăng ký khai sinh", KHAI_SINH)])
def test_choosing_by_words(run, tracker, catalog, reply, code) -> None:
    out = run(ActionChooseProcedure(), tracker("choice_open", text=reply))
    out.assert_answer(catalog, code, "fees")


def test_a_number_typed_as_a_question_still_picks(run, tracker, catalog) -> None:
    # NLU may read "cái thứ 2" as ask_procedure: the aspect action picks all the same.
    out = run(ActionAnswerOverview(), tracker("choice_open", intent="ask_procedure"))
    out.assert_answer(catalog, KHAI_TU, "fees")


def test_choosing_without_a_pending_aspect_repeats_the_last(run, tracker, catalog) -> None:
    out = run(ActionChooseProcedure(), tracker("choice_open", pending_aspect=None,
                                               last_aspect="time"))
    out.assert_answer(catalog, KHAI_TU, "time")


def test_a_number_with_nothing_offered_asks_which(run, tracker) -> None:
    # Searched as a question, "số 2" would name "lý lịch tư pháp số 2".
    out = run(ActionChooseProcedure(), tracker("choice_open", text="số 2", choices=None))
    assert out.customs == []
    assert out.texts == [ASK_WHICH]
    assert out.slots == {"pending_aspect": "fees"}


def test_words_with_nothing_offered_are_a_question(run, tracker, catalog) -> None:
    out = run(ActionChooseProcedure(), tracker("choice_open", text="cái đăng ký khai tử",
                                               choices=None, pending_aspect=None))
    out.assert_answer(catalog, KHAI_TU, "overview")


# ----------------------------------------------------- no procedure named yet
def test_a_bare_aspect_button_asks_which_procedure(run, tracker) -> None:
    # fixtures/bare_payload.json: "/ask_fees" before any procedure was named.
    out = run(ActionAnswerFees(), tracker("bare_payload"))
    assert out.customs == []
    assert out.texts == [ASK_WHICH]
    assert out.slots == {"pending_aspect": "fees"}


def test_the_pending_aspect_is_answered_once_the_procedure_is_named(run, tracker,
                                                                    catalog) -> None:
    out = run(ActionAnswerOverview(), tracker("new_question", pending_aspect="fees"))
    out.assert_answer(catalog, KHAI_SINH, "fees")


def test_nothing_found_gets_a_kind_reply(run, tracker) -> None:
    out = run(ActionAnswerOverview(), tracker("new_question", text="qwerty zxcv asdf"))
    assert out.customs == []
    assert len(out.texts) == 1 and out.texts[0].startswith("Mình chưa tìm ra thủ tục")
    assert out.payloads() == ["/portal_help", "/human_handoff"]
    assert out.slots == {"misunderstandings": 1}


def test_a_second_miss_offers_a_person(run, tracker, catalog) -> None:
    out = run(ActionAnswerOverview(), tracker("new_question", text="qwerty zxcv asdf",
                                              misunderstandings=1.0))
    hotline = catalog.offices()["hotline"]
    assert out.messages[0]["custom"]["handoff"]["hotline"]["phone"] == hotline.phone
    assert hotline.phone and hotline.phone in out.texts[0]
    out.assert_short()
    assert out.slots == {"misunderstandings": 0}


# ------------------------------------------------------------------ ask other
def test_asking_about_another_procedure_forgets_the_current_one(run, tracker) -> None:
    out = run(ActionAskOther(), tracker("mid_conversation", text="/ask_other", intent="ask_other",
                                        choices=OFFERED, pending_aspect="fees"))
    assert out.texts == [ASK_WHICH]
    assert out.slots == {"procedure_code": None, "choices": None, "pending_aspect": None,
                         "misunderstandings": 0}


def test_a_bare_no_starts_over_but_a_question_ending_in_hong_keeps_the_procedure(run, tracker) -> None:
    out = run(ActionAskOther(), tracker("mid_conversation", text="không", intent="deny"))
    assert out.texts == [ASK_WHICH] and out.slots["procedure_code"] is None
    # fixtures/mid_conversation.json is about 1.001193 (khai sinh).
    out = run(ActionAskOther(), tracker("mid_conversation", text="phải đăng báo hay niêm yết gì hông",
                                        intent="deny"))
    assert out.customs and out.customs[0]["procedure"]["code"] == "1.001193"
    assert out.slots.get("procedure_code") == "1.001193"


def test_asking_for_another_procedure_in_the_same_message_answers_it(run, tracker) -> None:
    out = run(ActionAskOther(), tracker("mid_conversation", intent="ask_other",
                                        text="thôi hỏi cái khác, đăng ký kết hôn cần giấy tờ gì"))
    assert out.customs[0]["procedure"]["code"] == "1.000894" and out.customs[0]["aspect"] == "documents"

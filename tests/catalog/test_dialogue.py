"""Which procedure a message is about, given the conversation so far."""

from __future__ import annotations

import pytest

from procedures_catalog.dialogue import parse_choice, resolve, strip_correction
from procedures_catalog.search import SearchIndex

KHAI_SINH = "1.001193"
KHAI_SINH_LUU_DONG = "1.003583"
KHAI_TU = "1.000656"
KET_HON = "1.000894"
CHOICES = [KHAI_SINH, KHAI_TU, KET_HON]


# -------------------------------------------------------------- parse_choice
@pytest.mark.parametrize(
    ("reply", "index"),
    [
        ("1", 0), ("2", 1), ("3", 2),
        ("cái thứ 2", 1), ("số 3", 2), ("chọn 2 nha", 1), ("thứ hai", 1),
        ("cái đầu tiên", 0), ("cái cuối", 2), ("cái cuối cùng", 2), ("Số 1 ạ", 0),
    ],
)
def test_parse_choice_reads_ordinals(reply: str, index: int) -> None:
    assert parse_choice(reply, 3) == index


@pytest.mark.parametrize("reply", ["4", "0", "khai sinh", "", None, "2 3", "😀", "thủ tục 12"])
def test_parse_choice_refuses_what_is_not_a_choice(reply: str | None) -> None:
    assert parse_choice(reply, 3) is None


def test_parse_choice_respects_the_number_offered() -> None:
    assert parse_choice("3", 2) is None
    assert parse_choice("cái cuối", 2) == 1


# ---------------------------------------------------------- strip_correction
@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("không phải, ý tôi là khai tử", "khai tu"),
        ("Không phải! Ý tôi là khai tử", "khai tu"),
        ("sai rồi, kết hôn", "ket hon"),
        ("ko phải, kết hôn", "ket hon"),
        ("không đúng, tôi hỏi khai tử", "khai tu"),
    ],
)
def test_strip_correction_removes_the_correction(text: str, rest: str) -> None:
    assert strip_correction(text) == (rest, True)


@pytest.mark.parametrize(
    ("text", "folded"),
    # "khai tử" once lost its "k" to the "k" (= "không") of a correction.
    [("khai tử", "khai tu"), ("kết hôn", "ket hon"), ("Đăng ký", "dang ky"), ("", "")],
)
def test_strip_correction_leaves_other_messages(text: str, folded: str) -> None:
    assert strip_correction(text) == (folded, False)


def test_a_bare_no_is_a_correction_with_nothing_after() -> None:
    assert strip_correction("không") == ("", True)


# ------------------------------------------------------------------- resolve
def test_a_named_procedure_is_resolved(sample_index: SearchIndex) -> None:
    r = resolve(sample_index, "đăng ký khai sinh")
    assert (r.kind, r.code, r.new) == ("procedure", KHAI_SINH, True)
    assert r.hits and r.hits[0].code == KHAI_SINH


def test_naming_the_current_procedure_again_is_not_new(sample_index: SearchIndex) -> None:
    r = resolve(sample_index, "đăng ký khai sinh", current=KHAI_SINH)
    assert r.code == KHAI_SINH and not r.new


def test_a_number_picks_among_the_choices(sample_index: SearchIndex) -> None:
    r = resolve(sample_index, "cái thứ 2", choices=CHOICES)
    assert (r.kind, r.code, r.new) == ("procedure", KHAI_TU, True)


def test_words_pick_among_the_choices(sample_index: SearchIndex) -> None:
    r = resolve(sample_index, "cái lưu động", choices=[KHAI_SINH, KHAI_SINH_LUU_DONG])
    assert (r.kind, r.code) == ("procedure", KHAI_SINH_LUU_DONG)


@pytest.mark.parametrize(
    "question",
    ["lệ phí bao nhiêu", "cần giấy tờ gì", "mất bao lâu", "làm online được không", "ở đâu",
     "vậy nộp ở đâu", "cảm ơn"],
)
def test_a_question_without_a_procedure_follows_up(sample_index: SearchIndex,
                                                    question: str) -> None:
    r = resolve(sample_index, question, current=KHAI_SINH)
    assert (r.kind, r.code, r.new) == ("followup", KHAI_SINH, False)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("không phải, ý tôi là khai tử", KHAI_TU),
        ("khai tử", KHAI_TU),
        ("còn kết hôn thì sao", KET_HON),
    ],
)
def test_a_new_procedure_replaces_the_current_one(sample_index: SearchIndex, text: str,
                                                  code: str) -> None:
    r = resolve(sample_index, text, current=KHAI_SINH)
    assert (r.kind, r.code, r.new) == ("procedure", code, True)


def test_a_correction_never_returns_the_procedure_corrected(sample_index: SearchIndex) -> None:
    r = resolve(sample_index, "không phải, ý tôi là đăng ký khai sinh lưu động", current=KHAI_SINH)
    assert r.code != KHAI_SINH


def test_a_vague_message_asks_which(sample_index: SearchIndex) -> None:
    r = resolve(sample_index, "giấy phép")
    assert r.kind == "choices"
    assert 2 <= len(r.hits) <= 3
    assert r.code is None


@pytest.mark.parametrize("text", [None, "", "   ", "😀", "<script>alert(1)</script>", "\x00"])
def test_empty_or_hostile_messages(sample_index: SearchIndex, text: str | None) -> None:
    assert resolve(sample_index, text).kind == "none"
    r = resolve(sample_index, text, current=KHAI_SINH)
    assert (r.kind, r.code) == ("followup", KHAI_SINH)


@pytest.mark.parametrize("text", [
    "nếu đất chưa có sổ đỏ thì sao",
    "nhà mới mua giấy tay chưa có sổ hồng thì sao",
    "hổng có giấy đó thì sao",
])
def test_a_condition_stays_on_the_current_procedure(sample_index, text) -> None:
    # "nếu …/chưa có … thì sao" asks about the procedure at hand; "còn … thì sao" switches.
    assert resolve(sample_index, text, current="1.013225").kind == "followup"
    assert resolve(sample_index, "còn khai tử thì sao", current="1.001193").code == "1.000656"


def test_a_question_while_choices_are_open_keeps_them_open(sample_index) -> None:
    offered = ["1.001193", "1.000656", "1.000894"]
    again = resolve(sample_index, "nộp ở đâu vậy", choices=offered)
    assert again.kind == "choices" and [h.code for h in again.hits] == offered


@pytest.mark.parametrize("text", [
    "bạn gái mình hộ khẩu ở xã khác thì nộp ở đâu",   # a situation, then the question
    "làm ở công an xã được ko",                       # place words name no procedure
    "nộp ở ubnd xã hả",
    "giờ xin ở xã hay lên tỉnh",
    "sửa lại thì cần giấy gì",                         # a bare verb before "thì"
])
def test_question_and_place_words_never_switch_the_procedure(sample_index, text) -> None:
    r = resolve(sample_index, text, current=KET_HON)
    assert (r.kind, r.code) == ("followup", KET_HON)


def test_a_clause_that_does_something_still_switches(sample_index) -> None:
    r = resolve(sample_index, "còn khai tử thì cần giấy gì", current=KET_HON)
    assert r.code == KHAI_TU


def test_a_question_does_not_pick_an_alternative_shown_under_the_answer(sample_index) -> None:
    # Alternatives under an unsure answer stay offered; "có cần mang theo hộ khẩu giấy ko"
    # asks about the answer's procedure (cấp đổi thẻ căn cước), it does not pick one by a
    # shared word.
    r = resolve(sample_index, "có cần mang theo hộ khẩu giấy ko", current="1.014063",
                choices=["1.014061", "1.002755"])
    assert (r.kind, r.code) == ("followup", "1.014063")
    assert resolve(sample_index, "cái lưu động", choices=[KHAI_SINH, KHAI_SINH_LUU_DONG]).code == KHAI_SINH_LUU_DONG


def test_leaving_the_procedure_on_a_guess_keeps_it_one_tap_away(sample_index) -> None:
    r = resolve(sample_index, "còn giấy phép kinh doanh karaoke thì sao", current=KHAI_SINH)
    if r.kind == "procedure" and r.alternatives:
        assert r.alternatives[0].code == KHAI_SINH
    sure = resolve(sample_index, "còn khai tử thì sao", current=KHAI_SINH)
    assert sure.code == KHAI_TU and KHAI_SINH not in [h.code for h in sure.alternatives]


def test_a_paper_named_in_a_documents_question_stays_on_the_procedure_and_is_offered(sample_index) -> None:
    # "có cần giấy xác nhận độc thân hk" while asking about marriage: most likely a paper
    # for the marriage; the certificate's own procedure is one tap away.
    r = resolve(sample_index, "có cần giấy xác nhận độc thân hk", current=KET_HON)
    assert (r.kind, r.code) == ("followup", KET_HON)
    assert [h.code for h in r.alternatives] == ["1.004873"]
    # A bare question offers nothing.
    assert resolve(sample_index, "cần giấy tờ gì", current=KET_HON).alternatives == []


def test_in_a_conversation_a_near_tie_in_the_same_field_wins(sample_index) -> None:
    from procedures_catalog.dialogue import _prefer_field
    from procedures_catalog.search import SearchHit

    field = sample_index.entries[sample_index.by_code[KET_HON]].field
    other = SearchHit("9.000001", "x", "tinh", "toan_trinh", "Xây dựng", 1.0, "x")
    same = SearchHit("9.000002", "y", "xa", "toan_trinh", field, 0.8, "y")
    far = SearchHit("9.000003", "z", "xa", "toan_trinh", field, 0.3, "z")
    assert _prefer_field(sample_index, [other, same], KET_HON) == ([same, other], True)
    # Too far behind, or the best already in the field: unchanged.
    assert _prefer_field(sample_index, [other, far], KET_HON) == ([other, far], False)
    assert _prefer_field(sample_index, [same, other], KET_HON) == ([same, other], False)


def test_words_that_name_another_procedure_offer_it_under_a_follow_up(sample_index) -> None:
    # After death registration, the land the father left is another procedure: not
    # surely enough to leave the current one, so it stays the answer and the land
    # procedures are one tap away; a bare question offers nothing.
    r = resolve(sample_index, "rồi đất của ổng đứng tên giờ sang qua cho má tui sao", current=KHAI_TU)
    assert (r.kind, r.code) == ("followup", KHAI_TU)
    assert r.alternatives and all(sample_index.entries[sample_index.by_code[h.code]].field
                                  == "Đất đai" for h in r.alternatives)
    assert resolve(sample_index, "còn lệ phí thì sao", current=KHAI_SINH).alternatives == []


@pytest.mark.parametrize(("text", "aspect"), [
    ("nếu ổng hổng về ký được thì sao", "documents"),      # a condition of the case
    ("có phải khám sức khỏe hông", "documents"),           # a requirement
    ("chủ nhà có cần đi cùng không", "documents"),
    ("làm luôn cho vợ được hông", "overview"),
    ("vậy hả", "overview"),
])
def test_a_follow_up_without_aspect_words_asks_documents_when_it_is_a_condition(text, aspect) -> None:
    from procedures_catalog.dialogue import followup_aspect

    assert followup_aspect(text) == aspect


def test_a_near_tie_is_asked_only_when_the_words_do_not_say_which() -> None:
    from procedures_catalog.dialogue import _variants_unasked

    first, second = "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", "Cấp lại thẻ căn cước"
    assert _variants_unasked("làm căn cước", first, second)            # which one: ask
    assert not _variants_unasked("mất căn cước làm lại", first, second)  # "lại": said
    assert not _variants_unasked("hưởng chế độ thai sản", "Giải quyết hưởng chế độ thai sản",
                                 "Giải quyết hưởng chế độ ốm đau")

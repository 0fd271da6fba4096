"""The language data files: they load, they are validated, and they behave."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedures_catalog import aspects, language, routing
from procedures_catalog.normalize import normalize


def test_one_spelling_out_for_search_and_nlu(sample_catalog) -> None:
    # The NLU tokenizer's reading of a word is the search's reading of it.
    vocab = sample_catalog.index().vocab
    for typed in ["hông", "ko", "dc", "nhiêu", "cccd", "j", "hok", "tks", "fi"]:
        assert language.spell_out_token(typed) == " ".join(normalize(typed, vocab)), typed
    assert language.spell_out_token("hong") == "khong"   # typed without accents: unambiguous form
    assert language.spell_out_token("Lệ") == "le"


def test_malformed_words_file_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "words.yaml"
    bad.write_text("words:\n  ko: không\nfolded:\n  hông: không\n", encoding="utf-8")
    with pytest.raises(language.LanguageDataError, match="folded: 'hông'"):
        language.load_words(bad)
    bad.write_text("words:\n  ko: ''\nfolded:\n  dc: được\n", encoding="utf-8")
    with pytest.raises(language.LanguageDataError, match="words: 'ko'"):
        language.load_words(bad)
    bad.write_text("words: [1, 2]\nfolded:\n  dc: được\n", encoding="utf-8")
    with pytest.raises(language.LanguageDataError, match="section 'words'"):
        language.load_words(bad)


def test_malformed_cue_files_name_the_pattern(tmp_path: Path) -> None:
    bad = tmp_path / "aspects.yaml"
    bad.write_text("aspects:\n  fees:\n    - \\ble phi(\n", encoding="utf-8")
    with pytest.raises(aspects.CueError, match="fees: bad pattern"):
        aspects.load_cues(bad)
    bad.write_text("aspects:\n  price:\n    - \\bgia\\b\n", encoding="utf-8")
    with pytest.raises(aspects.CueError, match="unknown aspect 'price'"):
        aspects.load_cues(bad)
    bad.write_text("aspects:\n  fees:\n    - lệ phí\n", encoding="utf-8")
    with pytest.raises(aspects.CueError, match="folded ASCII"):
        aspects.load_cues(bad)
    bad = tmp_path / "routing.yaml"
    bad.write_text("domain: [a]\nhandoff: [b]\nportal_strong: [d]\nportal: [c]\ndossier: [e]\n", encoding="utf-8")
    with pytest.raises(routing.RoutingCueError, match="'stats'"):
        routing.load_groups(bad)


def test_malformed_rewrites_file_names_the_rule(tmp_path: Path) -> None:
    bad = tmp_path / "rewrites.yaml"
    cases = [
        ("rules:\n  - replace: dang ky khai sinh\n    patterns: ['\\bmoi sinh(']\n",
         r"rule 1 \('dang ky khai sinh'\): bad pattern"),
        ("rules:\n  - replace: đăng ký\n    patterns: ['\\bsinh\\b']\n", "rule 1 .*folded words"),
        ("rules:\n  - replace: a\n    patterns: ['x']\n  - replace: b\n    patterns: ['{lost} giay']\n",
         r"rule 2 \('b'\).*unknown fragment\(s\) \['lost'\]"),
        ("rules:\n  - replace: a\n    patterns: ['mới sinh']\n", "folded ASCII"),
        ("rules:\n  - replace: a\n", "rule 1 .*exactly 'replace' and 'patterns'"),
        ("fragments:\n  lose: (?:mat\nrules: []\n", "fragments: 'lose': bad pattern"),
        ("rule: []\n", "sections 'fragments' and 'rules'"),
    ]
    for text, message in cases:
        bad.write_text(text, encoding="utf-8")
        language.load_rewrites.cache_clear()
        with pytest.raises(language.LanguageDataError, match=message):
            language.load_rewrites(bad)
    language.load_rewrites.cache_clear()


def test_rewrite_rules_run_in_order_with_fragments_filled_in(tmp_path: Path) -> None:
    rules = language.load_rewrites()
    assert len(rules) >= 50
    assert all(r.startswith(" ") and r.endswith(" ") for _, r in rules)
    assert "{" not in "".join(p.pattern for p, _ in rules if "{lose}" in p.pattern)
    own = tmp_path / "rewrites.yaml"
    own.write_text("fragments:\n  lose: (?:mat|that lac)\n"
                   "rules:\n  - replace: thecancuoc\n    patterns: ['\\bcccd\\b']\n"
                   "  - replace: cap lai the can cuoc\n    patterns: ['{lose} thecancuoc']\n",
                   encoding="utf-8")
    (first, to_card), (second, again) = language.load_rewrites(own)
    assert (first.pattern, to_card) == (r"\bcccd\b", " thecancuoc ")
    assert (second.pattern, again) == ("(?:mat|that lac) thecancuoc", " cap lai the can cuoc ")
    language.load_rewrites.cache_clear()


def test_rewrites_map_a_described_need_onto_the_catalogue_words() -> None:
    from procedures_catalog import lexicon

    _, words, _ = lexicon.rewrite("em bi mat cccd roi".split())
    assert " ".join(words) == "em cap lai the can cuoc roi"
    _, words, _ = lexicon.rewrite("vo toi moi sinh".split())
    assert "dang ky khai sinh" in " ".join(words)
    # An age under 14 decides the identity card procedure; 15 does not.
    _, words, _ = lexicon.rewrite("con toi 8 tuoi lam can cuoc duoc chua".split())
    assert "duoi 14 tuoi" in " ".join(words) and "tu du 14" not in " ".join(words)
    _, words, _ = lexicon.rewrite("con toi 15 tuoi lam can cuoc".split())
    assert "duoi 14 tuoi" not in " ".join(words)


@pytest.mark.parametrize(("text", "expected"), [
    ("chuyển đất vườn lên thổ cư cần hồ sơ gì", ["documents"]),
    ("cần giấy tờ gì, tốn nhiêu tiền", ["documents", "fees"]),
    ("ra xã nộp hả", ["where"]),
    ("mấy bữa thì có", ["time"]),
    ("nộp qua mạng được hông", ["online"]),
    ("đăng ký hộ kinh doanh thì nộp ở xã hay lên tỉnh", ["level"]),
    ("tách thửa chia cho con thì làm sao", ["steps"]),
    ("hổng có giấy đó thì sao", ["documents"]),
    # Which procedure, not which documents / fees:
    ("con mới sinh làm giấy gì", ["overview"]),
    ("làm giấy tờ gì cho bé", ["overview"]),
    ("mở quán ăn phải làm những giấy phép gì", ["overview"]),
    ("hỗ trợ mai táng phí cho người già", []),
    ("con nhà nghèo có được miễn học phí hông", []),
    ("mở trại heo cần giấy chứng nhận gì", ["overview"]),
    ("cần giấy báo tử của bệnh viện không", ["documents"]),
    ("sang tên xe máy mất bao nhiu tiềnn", ["fees"]),
    ("điều chỉnh diện tích trên sổ đỏ sao", ["steps"]),
    ("còn khai tử thì sao", []),
    ("tui tính lắp điện mặt trời, có phải đăng ký hông", []),
    ("tiền sử dụng đất tính sao", ["fees"]),
    ("có hạn chót nộp hồ sơ không", ["time"]),
    # "chưa có sổ" describes the case; only a question about it asks for documents.
    ("đất ông bà để lại chưa có sổ, giờ muốn làm sổ lần đầu", []),
    ("ko có cccd làm được ko", ["documents"]),
    # A story first, then the question: only the question's words count.
    ("tủ đựng giấy tờ bị trôi mất, trong đó có cuốn sổ đỏ, giờ xin cấp lại thì làm sao ad", ["steps"]),
    ("tủ đựng giấy tờ bị trôi mất, trong đó có cuốn sổ đỏ, giờ xin cấp lại thì tính sao ad", []),
    ("quán có giấy phép, giờ nằm viện mấy tháng, muốn tạm nghỉ thì có phải báo ai hông", []),
    ("cần giấy tờ gì vậy ad, tui ở xã Mỹ Phong huyện Châu Thành nha", ["documents"]),
    ("mặt tiền đường huyện có phải xin phép xây dựng không", []),
    ("giấy phép xây dựng có thời hạn là sao, xin ở đâu", ["overview", "where"]),
    ("làm căn cước cho bé 3 tuổi có cần dẫn bé theo hông", ["documents"]),
    ("làm hộ cho em gái được hông", ["documents"]),          # the authorisation
    ("làm hộ chiếu ở đâu", ["where"]),                       # "hộ chiếu", not "on behalf"
    ("nộp chung 1 bộ được không", []),                       # together, not a sum
    ("căn cước còn ghi địa chỉ cũ, có phải đổi không", []),  # the card's address
    ("cho xin địa chỉ", ["where"]),
])
def test_aspect_cues(text: str, expected: list[str]) -> None:
    assert aspects.detect(text) == expected


def test_a_cue_inside_the_procedure_name_is_not_a_question() -> None:
    name = "Gia hạn thời hạn sử dụng đất nông nghiệp"
    assert aspects.detect("thời hạn", name=None) == ["time"]
    assert aspects.detect("gia hạn thời hạn sử dụng đất", name=name) == []


def test_a_paper_that_is_the_procedure_itself_is_no_documents_question() -> None:
    own = "Cấp giấy chứng nhận kiểm dịch động vật, sản phẩm động vật trên cạn"
    assert aspects.detect("chở bò qua tỉnh khác có cần giấy kiểm dịch hông", name=own) == []
    assert aspects.detect("có cần giấy xác nhận độc thân hk", name="Thủ tục đăng ký kết hôn") == ["documents"]


def test_the_classifier_is_trusted_only_with_a_reason() -> None:
    # "… được hông" about a named procedure is not a question about doing it online.
    # Unsure: the overview first (it sums up the online level too), then the aspect.
    assert aspects.decide("tách sổ cho con luôn được hông", "online", 0.69, names_procedure=True) == [
        "overview", "online"]
    assert aspects.decide("tách sổ cho con", "fees", 0.4, names_procedure=True) == ["overview"]
    assert aspects.decide("tách sổ cho con", "fees", 0.95, names_procedure=True) == ["fees"]
    # A bare follow-up keeps the classifier's aspect (a button, "còn cái kia").
    assert aspects.decide("", "fees", 1.0) == ["fees"]
    assert aspects.decide("tốn kém không", "fees", 0.9) == ["fees"]


def test_a_general_how_is_the_steps_and_with_a_named_procedure_the_overview_too() -> None:
    assert aspects.detect("làm lại sổ đỏ sao vậy") == ["steps"]
    assert aspects.detect("làm lại sổ đỏ sao vậy", names_procedure=True) == ["overview", "steps"]
    # Explicit steps stay the steps.
    assert aspects.detect("các bước làm lại sổ đỏ", names_procedure=True) == ["steps"]


def test_question_and_place_words_are_left_out_of_what_names_a_procedure() -> None:
    assert aspects.without_cues("làm ở công an xã được ko") == ""
    assert "ho khau" in aspects.without_cues("bạn gái mình hộ khẩu ở xã khác thì nộp ở đâu")


@pytest.mark.parametrize(("intent", "text", "kept"), [
    ("follow_dossier", "báo cho tui khi có kết quả nha", True),
    ("check_dossier", "hồ sơ của tui tới đâu rồi", True),
    ("check_dossier", "tra giúp hồ sơ H56.99-250101-0777", True),
    # A procedure question the classifier took for a dossier one is read by the catalogue.
    ("follow_dossier", "đổi tên trên sổ đỏ khi đã đổi cccd cần giấy tờ gì", False),
    ("portal_help", "nộp hồ sơ khai sinh rồi tra cứu ở đâu trên cổng dịch vụ công", True),
    ("catalogue_stats", "thủ tục lĩnh vực đất đai có bao nhiêu cái", True),
])
def test_intents_keep_their_meaning_only_with_their_own_words(sample_catalog, intent, text, kept) -> None:
    decision = routing.route(sample_catalog.index(), intent, 0.9, text)
    assert (decision.target == "intent") is kept, decision


def test_an_unread_condition_about_the_case_at_hand_is_answered(sample_catalog) -> None:
    index = sample_catalog.index()
    decision = routing.route(index, "nlu_fallback", 0.4, "còn nếu nghỉ luôn thì sao", current="1.001612")
    assert decision.target == "procedure" and decision.resolution.code == "1.001612"
    # Words that ask nothing of the case stay a message the bot could not read.
    assert routing.route(index, "nlu_fallback", 0.4, "hôm nay trời đẹp quá", current="1.001612").target == "intent"


def test_thanks_with_a_question_answers_the_question(sample_catalog) -> None:
    index = sample_catalog.index()
    decision = routing.route(index, "thanks", 0.9, "cảm ơn nha, mà lệ phí nhiêu vậy", current="1.001193")
    assert decision.target == "procedure" and decision.aspects == ["fees"]
    assert routing.route(index, "thanks", 0.9, "cảm ơn nhiều nha", current="1.001193").target == "intent"
    # Read as out of scope, a condition about the case at hand is still about it.
    decision = routing.route(index, "out_of_scope", 0.6, "mấy đứa kia ở xa hổng về được thì sao",
                             current="1.013831")
    assert decision.target == "procedure" and decision.resolution.code == "1.013831"

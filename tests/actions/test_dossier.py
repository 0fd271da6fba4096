"""The dossier and card actions, run with a CollectingDispatcher on fixture trackers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from actions.dossier import (
    ActionCheckDossier,
    ActionFollowDossier,
    ActionSendCard,
    ActionUnfollowDossier,
)
from procedures_catalog.dossier.pending import CodeStore

BIRTH = "1.001193"


@pytest.fixture(autouse=True)
def _dossier_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_STORE_PATH", str(tmp_path / "codes.sqlite3"))
    monkeypatch.setenv("CARD_DIR", str(tmp_path / "cards"))
    monkeypatch.setenv("CARD_BASE_URL", "http://bot.test/webhooks/cards")
    monkeypatch.delenv("DOSSIER_SOURCE", raising=False)


def test_the_code_comes_from_the_store_not_the_text(run, tracker, turns) -> None:
    CodeStore.from_settings().remember("conv-7", "H56.99-250101-0004")  # what the channel did
    out = run(ActionCheckDossier(), tracker("new_question", text="mã hồ sơ [MÃ HỒ SƠ] xong chưa",
                                            intent="check_dossier", sender_id="conv-7"))
    (payload,) = out.customs
    assert payload["dossier"]["status"] == "done" and payload["dossier"]["demo"] is True
    out.assert_short()
    (turn,) = turns("conv-7")
    assert turn.outcome == "dossier_found" and "250101" not in turn.text


def test_without_a_code_the_action_asks_for_it(run, tracker) -> None:
    out = run(ActionCheckDossier(), tracker("new_question", text="hồ sơ tới đâu rồi",
                                            intent="check_dossier", sender_id="conv-8"))
    assert not out.customs and "mã hồ sơ" in out.texts[0]


def test_follow_and_unfollow_send_their_answer_and_log_its_outcome(run, tracker, turns) -> None:
    # A web conversation cannot be told later: following is refused, in words.
    out = run(ActionFollowDossier(), tracker("new_question", text="báo cho tôi khi có kết quả",
                                             intent="follow_dossier", sender_id="conv-9"))
    assert out.texts and not out.customs
    out.assert_short()
    out = run(ActionUnfollowDossier(), tracker("new_question", text="thôi đừng báo nữa",
                                               intent="unfollow_dossier", sender_id="conv-9"))
    assert out.texts
    assert [t.outcome for t in turns("conv-9")] == ["dossier_no_follow", "dossier_unfollowed"]


def test_the_card_of_the_current_procedure(run, tracker, catalog, tmp_path: Path) -> None:
    out = run(ActionSendCard(), tracker("mid_conversation", text="/ask_card", intent="ask_card",
                                        procedure_code=BIRTH))
    (payload,) = out.customs
    card = payload["card"]
    assert card["procedure_code"] == BIRTH and card["url"].startswith("http://bot.test/webhooks/cards/")
    images = [m["image"] for m in out.messages if m.get("image")]
    assert images == card["pages"] and images[0] == card["url"]
    png = tmp_path / "cards" / card["url"].rsplit("/", 1)[1]
    assert Image.open(io.BytesIO(png.read_bytes())).size == (720, 1280)
    assert out.slots["procedure_code"] == BIRTH
    out.assert_short()


def test_the_card_names_its_procedure_in_words(run, tracker) -> None:
    out = run(ActionSendCard(), tracker("new_question", text="gửi danh sách giấy tờ làm khai tử",
                                        intent="ask_card"))
    assert out.customs[0]["card"]["procedure_code"] == "1.000656"


def test_a_card_without_a_procedure_asks_which(run, tracker) -> None:
    out = run(ActionSendCard(), tracker("new_question", text="gửi danh sách giấy tờ", intent="ask_card"))
    assert not out.customs and out.slots.get("pending_aspect") == "documents"


def test_the_card_prints_the_edition_in_force_and_the_reform_caveat(catalog) -> None:
    from actions.dossier import card_edition

    district = next(p for p in catalog.procedures() if p.level == "huyen")
    edition, caveat = card_edition(district, catalog.procedure_facts(district.code))
    assert "2024" in edition.name and edition.effective_from is not None
    assert caveat is not None and "cấp huyện" in caveat
    commune = catalog.get(BIRTH)
    assert card_edition(commune, catalog.procedure_facts(BIRTH))[1] is None

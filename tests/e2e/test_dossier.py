"""Dossier status and the checklist card through the REST webhook of a real Rasa server."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
import requests
from PIL import Image

from tests.e2e.conftest import custom_payloads, procedure_of, texts

pytestmark = pytest.mark.e2e

BIRTH = "1.001193"
RAW_FORMS = ("H56.99-250101-0003", "250101-0003", "250101 0003", "2501010003")


def dossier_of(messages: list[dict]) -> dict | None:
    return next((p["dossier"] for p in custom_payloads(messages) if "dossier" in p), None)


def card_of(messages: list[dict]) -> dict | None:
    return next((p["card"] for p in custom_payloads(messages) if "card" in p), None)


@pytest.mark.parametrize("message", ["mã hồ sơ là h56.99 250101 0003",
                                     "H56.99-250101-0003",
                                     "ho so H56.99--250101--0003 toi dau roi"])
def test_a_typed_code_is_looked_up(servers, sender, message):
    reply = servers.talk(sender, message)
    dossier = dossier_of(reply)
    assert dossier is not None, reply
    assert (dossier["status"], dossier["found"], dossier["demo"]) == ("needs_documents", True, True)
    assert dossier["code"] == "H56.99-250101-**03"
    text = " ".join(texts(reply))
    assert "dữ liệu mẫu" in text and "Cần bổ sung giấy tờ" in text


def test_the_raw_code_stays_out_of_tracker_turn_log_and_logs(servers, sender):
    servers.talk(sender, "mã hồ sơ của tui là h56.99-250101-0003, tới đâu rồi")
    tracker = json.dumps(servers.tracker(sender), ensure_ascii=False)
    assert "[MÃ HỒ SƠ]" in tracker
    path = servers.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        turns = " ".join(str(row) for row in db.execute("SELECT * FROM turns"))
    logs = " ".join((servers.workdir / f"{n}.log").read_text(errors="replace") for n in ("rasa", "actions"))
    for raw in RAW_FORMS:
        assert raw not in tracker and raw.lower() not in tracker.lower()
        assert raw not in turns and raw not in logs


def test_no_code_asks_for_it_then_the_code_alone_answers(servers, sender):
    reply = servers.talk(sender, "hồ sơ của tôi tới đâu rồi")
    assert dossier_of(reply) is None and "mã hồ sơ" in " ".join(texts(reply))
    reply = servers.talk(sender, "H56.99-250101-0005")
    dossier = dossier_of(reply)
    assert dossier is not None and dossier["late"] is True


def test_an_unknown_code_gets_a_kind_reply(servers, sender):
    reply = servers.talk(sender, "tra giúp hồ sơ H56.99-250101-0777")
    assert dossier_of(reply)["found"] is False
    assert "giấy biên nhận" in " ".join(texts(reply))


def test_procedure_questions_are_not_taken_for_dossier_questions(servers, sender):
    assert procedure_of(servers.talk(sender, "nộp hồ sơ khai sinh ở đâu"))[0] == BIRTH
    assert procedure_of(servers.talk(sender, "hồ sơ đăng ký kết hôn gồm những gì"))[1] == "documents"


def test_the_card_is_sent_as_an_image_at_a_stable_url(servers, sender):
    reply = servers.talk(sender, "gửi danh sách giấy tờ làm khai sinh")
    card = card_of(reply)
    assert card is not None, reply
    assert card["procedure_code"] == BIRTH
    images = [m["image"] for m in reply if m.get("image")]
    assert images[0] == card["url"] and card["url"].startswith(servers.rasa_url + "/webhooks/cards/")
    response = requests.get(card["url"], timeout=10)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (720, 1280)
    assert card["url"] in " ".join(texts(reply))  # a download link for channels without images
    # Asked again: the same URL (cached per procedure and edition).
    assert card_of(servers.talk(sender, "gửi lại danh sách giấy tờ"))["url"] == card["url"]


def test_the_documents_answer_offers_the_card(servers, sender):
    reply = servers.talk(sender, "đăng ký khai sinh cần giấy tờ gì")
    buttons = [b for m in reply for b in m.get("buttons", [])]
    button = next(b for b in buttons if b["payload"] == "/ask_card")
    card = card_of(servers.talk(sender, button["payload"]))
    assert card is not None and card["procedure_code"] == BIRTH


def test_card_urls_serve_only_card_files(servers):
    base = servers.rasa_url + "/webhooks/cards/"
    for name in ("..%2F..%2Fetc%2Fpasswd", ".hidden.png", "x.txt", "nothing-here.png"):
        assert requests.get(base + name, timeout=10).status_code == 404

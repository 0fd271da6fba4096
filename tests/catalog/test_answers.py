"""Citizen-facing answers: short messages, the payload contract, nothing invented.

The sweeping tests answer every aspect of every procedure of the sample, with and
without the office for its level: the sample's longest texts are where limits break.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from procedures_catalog.answers import (
    ASPECTS,
    MAX_CHARS,
    PORTAL_URL,
    Reply,
    answer,
    answer_aspects,
    choice_question,
    shorten,
    split_message,
)
from procedures_catalog.facts import procedure_facts
from procedures_catalog.normalize import tokens
from procedures_catalog.service import Catalog

# The aspect → the field it reads, for the aspects that can be missing.
FIELD_OF = {"documents": "documents", "fees": "fees", "time": "processing_time",
            "steps": "steps"}
MISSING = re.compile(r"^Danh mục chưa ghi .+ của thủ tục này\. Bạn hỏi .+ để biết chính xác nhé\.$")


@pytest.fixture(scope="module")
def procedures(sample_catalog: Catalog) -> list[dict[str, Any]]:
    """Every procedure as the actions pass it: with provenance, edition and contacts."""
    return [procedure_facts(sample_catalog, p) for p in sample_catalog.procedures()]


@pytest.fixture(scope="module")
def offices(sample_catalog: Catalog) -> dict[str, dict[str, Any]]:
    return {key: office.as_dict() for key, office in sample_catalog.offices().items()}


@pytest.fixture(scope="module")
def every_answer(procedures, offices) -> list[tuple[dict[str, Any], str, bool, list[Reply]]]:
    """(procedure, aspect, with office?, replies) for the whole sample."""
    out = []
    for p in procedures:
        for aspect in ASPECTS:
            out.append((p, aspect, True, answer(p, aspect, offices.get(p["level"]))))
            out.append((p, aspect, False, answer(p, aspect, None)))
    return out


FRESHNESS = "🗓 Theo danh mục tỉnh Tiền Giang năm 2024 (bản mẫu), từ 01/01/2024; chưa được cán bộ kiểm tra lại."
EXPECTED_PROVENANCE = {"portal": "official", "assigned": "estimate"}


def _texts(replies: list[Reply]) -> list[str]:
    """The answer's texts without the "📌 name" line that opens an aspect's answer, the
    freshness line and the one-line reform reminder."""
    texts = []
    for r in replies:
        if not r.text:
            continue
        text = re.sub(r"^📌 [^\n]*\n", "", r.text) if r.text.startswith("📌 ") and "\n" in r.text else r.text
        texts.append("\n".join(line for line in text.split("\n") if not line.startswith("🗓")))
    return [t for t in texts if t and not t.startswith("⚠ Lưu ý:")]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_sweep_covers_the_whole_sample(sample_catalog: Catalog, every_answer) -> None:
    # What was answered, read from the answers' own payloads: an aspect that fell
    # back to another one, or a procedure left out, leaves a hole.
    swept = {(p["code"], replies[0].custom["aspect"], with_office)
             for p, _, with_office, replies in every_answer}
    codes = {code for code, _, _ in swept}
    assert len(codes) == sample_catalog.count() == 1787
    assert swept == {(code, aspect, with_office) for code in codes for aspect in ASPECTS
                     for with_office in (True, False)}
    # The office really changes the answer, so both halves of the sweep are tested.
    where = {(p["code"], with_office): _texts(replies)
             for p, aspect, with_office, replies in every_answer if aspect == "where"}
    # (Except where the office of the catalogue's level is not where to go: the former
    # district-level ones, whose desks are gone, and the estimates the portal contradicts.)
    elsewhere = {p["code"] for p, *_ in every_answer
                 if p["level"] == "huyen" or (p["level_source"] == "assigned"
                                              and p["level_portal"] not in ("", p["level"]))}
    assert all(where[code, True] != where[code, False] for code in codes - elsewhere)
    assert all(where[code, True] == where[code, False] for code in elsewhere)


def test_no_message_is_longer_than_the_limit(every_answer) -> None:
    too_long = [(p["code"], aspect, len(t)) for p, aspect, _, replies in every_answer
                for t in _texts(replies) if len(t) > MAX_CHARS]
    assert too_long == []


def test_every_answer_starts_with_the_payload_and_ends_with_buttons(every_answer) -> None:
    for p, aspect, _, replies in every_answer:
        first, last = replies[0], replies[-1]
        # The level and where answers are one text, and the payload lists both.
        twin = {"level": ["level", "where"], "where": ["where", "level"]}
        assert first.text is None and first.custom == {
            **({"aspects": twin[aspect]} if aspect in twin else {}),
            "procedure": {
                "code": p["code"],
                "name": p["name"],
                "level": p["level"],
                "online_level": p["online_level"],
                "portal_url": p["detail_url"] or PORTAL_URL,
            },
            "aspect": aspect,
            "provenance": {"level": EXPECTED_PROVENANCE[p["level_source"]],
                           "online_level": EXPECTED_PROVENANCE[p["online_source"]]},
            "verified_on": None,
            "edition": {"id": 1, "name": "tỉnh Tiền Giang năm 2024 (bản mẫu)",
                        "effective_from": "2024-01-01"},
        }
        assert last.text.split("\n")[-1] == FRESHNESS, (p["code"], aspect)
        assert len(replies) >= 2 and all(r.text for r in replies[1:])
        assert last.buttons and last.buttons[-1]["payload"] == "/ask_other"
        assert all(not r.buttons for r in replies[:-1])
        assert f"/ask_{aspect}" not in {b["payload"] for b in last.buttons}


def test_a_missing_field_is_said_plainly_never_filled_in(every_answer) -> None:
    seen_missing = 0
    for p, aspect, with_office, replies in every_answer:
        field = FIELD_OF.get(aspect)
        if field is None:
            continue
        texts = _texts(replies)
        if not p[field]:
            seen_missing += 1
            assert len(texts) == 1 and MISSING.match(texts[0]), (p["code"], aspect, texts)
            if with_office:
                assert any(w in texts[0] for w in ("Trung tâm", "Bộ phận", "Ủy ban", "UBND"))
        else:
            assert not any("chưa ghi" in t for t in texts), (p["code"], aspect)
    assert seen_missing > 400  # the sample has hundreds of gaps


def _invented(text: str, source: str, framing: str = "") -> set[str]:
    """Words of ``text`` found neither in ``source`` nor in the fixed ``framing``."""
    return set(tokens(text)) - set(tokens(source)) - set(tokens(framing))


def test_fees_and_time_answers_quote_the_catalogue(every_answer) -> None:
    framing = {"fees": "💰 Lệ phí: Không mất phí (miễn phí).",
               "time": "⏱ Thời hạn giải quyết: tùy trường hợp"}
    for p, aspect, _, replies in every_answer:
        if aspect not in framing or not p[FIELD_OF[aspect]]:
            continue
        (text,) = _texts(replies)
        assert not _invented(text, p[FIELD_OF[aspect]], framing[aspect]), (p["code"], aspect)
        if aspect == "fees" and p["fee"]["free"]:
            assert "Không mất phí" in text


def test_documents_answers_list_only_the_catalogue_items(every_answer) -> None:
    for p, aspect, _, replies in every_answer:
        if aspect != "documents" or not p["documents"]:
            continue
        lines = "\n".join(_texts(replies)).split("\n")
        assert p["name"][:40] in lines[0] or _flat(p["name"])[:40] in lines[0]
        source = " ".join(p["documents"])
        items = [line for line in lines[1:] if not line.startswith("…còn ")]
        assert items, p["code"]
        for line in items:
            item = re.sub(r"^(?:\d+\.|[-•*])\s*", "", line)
            assert not _invented(item, source), (p["code"], line)


def test_where_names_the_office_for_the_level(procedures, offices) -> None:
    p = next(p for p in procedures if p["code"] == "1.001193")
    text = "\n".join(_texts(answer(p, "where", offices["xa"])))
    assert offices["xa"]["name"] in text
    assert "cấp xã" in text


def test_an_unknown_aspect_answers_the_overview(procedures) -> None:
    p = procedures[0]
    replies = answer(p, "weather")
    assert replies[0].custom["aspect"] == "overview"


def test_choice_question_lists_the_choices_in_order(sample_catalog: Catalog) -> None:
    hits = [h.as_dict() for h in sample_catalog.search("giấy phép")]
    replies = choice_question(hits)
    shown = hits[:3]
    assert replies[0].custom == {"choices": [h["code"] for h in shown]}
    (question,) = _texts(replies)
    assert len(question) <= MAX_CHARS
    lines = question.split("\n")[1:]
    for n, (line, hit) in enumerate(zip(lines, shown, strict=True), 1):
        assert line.startswith(f"{n}. ")
        assert _flat(hit["name"])[:40] in line
    payloads = [b["payload"] for b in replies[-1].buttons]
    prefix = "/choose_procedure"
    assert all(pl.startswith(prefix) for pl in payloads[:-1])
    chosen = [json.loads(pl[len(prefix):])["procedure_code"] for pl in payloads[:-1]]
    assert chosen == [h["code"] for h in shown]
    assert payloads[-1] == "/ask_other"


def test_split_message_keeps_every_word_within_the_limit() -> None:
    text = "\n".join(f"Dòng số {n}: " + "chữ " * 40 for n in range(30))
    parts = split_message(text)
    assert all(len(part) <= MAX_CHARS for part in parts)
    assert _flat(" ".join(parts)) == _flat(text)
    assert split_message("") == []


def test_every_answer_names_its_procedure(every_answer) -> None:
    # A follow-up that switched procedure must be visible in the answer itself.
    for p, aspect, _, replies in every_answer:
        first = next(r.text for r in replies if r.text)
        assert shorten(p["name"], 60)[:40] in first.replace("\n", " "), (p["code"], aspect, first[:80])


def test_two_aspects_in_one_answer(catalog: Catalog) -> None:
    p = procedure_facts(catalog, catalog.get("1.001193"))
    replies = answer_aspects(p, ["documents", "fees"])
    assert replies[0].custom["aspect"] == "documents"
    assert replies[0].custom["aspects"] == ["documents", "fees"]
    texts = [r.text for r in replies if r.text]
    assert texts[0].startswith("📄 Giấy tờ cho:") and any(t.startswith("💰 Lệ phí:") for t in texts)
    assert all(len(t) <= MAX_CHARS for t in texts)
    titles = [b["title"] for b in replies[-1].buttons]
    assert "📄 Giấy tờ" not in titles and "💰 Lệ phí" not in titles
    # One aspect: no "aspects" key (the payload contract is unchanged).
    assert "aspects" not in answer_aspects(p, ["fees"])[0].custom


def test_a_choice_list_never_states_the_district_level_as_todays() -> None:
    (_, question) = choice_question([{"code": "1.000001", "name": "Thủ tục A", "level": "huyen"},
                                     {"code": "1.000002", "name": "Thủ tục B", "level": "xa"}])
    assert "(trước 7/2025 thuộc cấp huyện)" in question.text and "(cấp xã)" in question.text

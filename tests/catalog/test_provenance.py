"""Truthful answers: every stated level, online level, fee and time is the catalogue's,
and every estimate is hedged, over every aspect of every procedure of the sample.

Expectations are computed here from the raw catalogue columns (``level_source``,
``level_portal``...), not with the wording helpers, so a wrong helper fails.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from procedures_catalog.answers import ASPECTS, Reply, answer
from procedures_catalog.facts import procedure_facts
from procedures_catalog.service import Catalog

ESTIMATED = ("assigned", "inferred", "default", "")
LEVEL_RE = re.compile(r"cấp (tỉnh|huyện|xã)")
LEVEL_OF_WORD = {"tỉnh": "tinh", "huyện": "huyen", "xã": "xa"}
# Key words of the answer's description of each online level.
ONLINE_MARKS = {"toan_trinh": "toàn trình", "mot_phan": "một phần", "thong_tin": "hướng dẫn"}
HEDGES = ("ước tính", "chưa rõ nguồn")


def _expected(p: dict[str, Any], field: str) -> tuple[str, bool]:
    """(value to state, hedged?) from the raw columns: the portal beats an estimate."""
    source = p["level_source" if field == "level" else "online_source"]
    portal = p["level_portal" if field == "level" else "online_portal"]
    if source in ESTIMATED:
        if portal and portal != p[field]:
            return portal, False
        return p[field], True
    return p[field], False


@pytest.fixture(scope="module")
def sweep(sample_catalog: Catalog) -> list[tuple[dict[str, Any], str, list[str]]]:
    out = []
    offices = {k: o.as_dict() for k, o in sample_catalog.offices().items()}
    for procedure in sample_catalog.procedures():
        p = procedure_facts(sample_catalog, procedure)
        for aspect in ASPECTS:
            replies: list[Reply] = answer(p, aspect, offices.get(p["level"]))
            out.append((p, aspect, [r.text for r in replies if r.text]))
    return out


def _first_statement(texts: list[str]) -> str:
    """The first line after the "📌 name" line that names the procedure."""
    return next(line for line in texts[0].split("\n") if not line.startswith("📌 "))


def _line(texts: list[str], prefix: str) -> str:
    return next(line for t in texts for line in t.split("\n") if line.startswith(prefix))


def test_the_sweep_covers_every_aspect_of_at_least_200_procedures(sweep) -> None:
    assert len({p["code"] for p, _, _ in sweep}) >= 200
    assert {aspect for _, aspect, _ in sweep} == set(ASPECTS)


def _check_level(p: dict[str, Any], sentence: str) -> None:
    value, hedged = _expected(p, "level")
    stated = {LEVEL_OF_WORD[w] for w in LEVEL_RE.findall(sentence)}
    assert stated == set(value.split("|")), (p["code"], sentence)
    assert any(h in sentence for h in HEDGES) == hedged, (p["code"], sentence)
    if value != p["level"]:
        assert "Cổng" in sentence, (p["code"], sentence)  # the portal's value is attributed


def test_stated_levels_are_the_catalogues_and_estimates_are_hedged(sweep) -> None:
    checked = {"estimate": 0, "portal": 0, "plain": 0}
    for p, aspect, texts in sweep:
        if p["level"] == "huyen":
            continue  # the reform caveat, below
        if aspect == "overview":
            sentence = _line(texts, "• Nơi giải quyết:")
        elif aspect in ("level", "where"):
            sentence = _first_statement(texts)
        else:
            continue
        _check_level(p, sentence)
        value, hedged = _expected(p, "level")
        checked["estimate" if hedged else "portal" if value != p["level"] else "plain"] += 1
    # The sample has 4 non-district estimates without a portal value, 86 the portal lists.
    assert checked == {"estimate": 4 * 3, "portal": 86 * 3, "plain": 1480 * 3}, checked


def test_stated_online_levels_are_the_catalogues_and_estimates_are_hedged(sweep) -> None:
    portal_preferred = 0
    for p, aspect, texts in sweep:
        if aspect == "overview":
            sentence = _line(texts, "• Làm online:")
        elif aspect == "online":
            sentence = _first_statement(texts)
        else:
            continue
        value, hedged = _expected(p, "online_level")
        assert ONLINE_MARKS[value] in sentence, (p["code"], sentence)
        others = [m for k, m in ONLINE_MARKS.items() if k != value and m != "hướng dẫn"]
        assert not any(m in sentence for m in others), (p["code"], sentence)
        assert any(h in sentence for h in HEDGES) == hedged, (p["code"], sentence)
        if value != p["online_level"]:
            portal_preferred += 1
            assert "Cổng" in sentence
            assert "không cần đến cơ quan" not in " ".join(texts)
    assert portal_preferred == 80 * 2  # the 80 information-only ones, overview and online


def test_fees_and_time_stated_are_the_catalogues(sweep) -> None:
    for p, aspect, texts in sweep:
        if aspect == "overview":
            for prefix, field in (("• Thời hạn: ", "processing_time"), ("• Lệ phí: ", "fees")):
                line = next((ln for t in texts for ln in t.split("\n") if ln.startswith(prefix)), None)
                assert (line is None) == (not p[field].strip()), (p["code"], field)
                if line and not (field == "fees" and p["fee"]["free"]):
                    said = line[len(prefix):].rstrip("…")
                    said = said.removeprefix("tùy trường hợp: ")
                    flat = " ".join(p[field].split())
                    assert said.split()[0] in flat and said.split()[-1] in flat, (p["code"], line)
        elif aspect == "fees" and p["fees"].strip() and not p["fee"]["free"]:
            said = _first_statement(texts).removeprefix("💰 Lệ phí: ").rstrip("…")
            assert " ".join(p["fees"].split()).startswith(said), p["code"]


def test_a_district_procedure_of_the_2024_edition_gets_the_reform_caveat(sweep) -> None:
    seen = 0
    for p, aspect, texts in sweep:
        text = "\n".join(texts)
        assert "lên huyện" not in text and "Một cửa cấp huyện" not in text
        if p["level"] != "huyen":
            continue
        seen += 1
        assert "không còn cấp huyện" in text, (p["code"], aspect)
        if aspect in ("overview", "level", "where"):
            assert "01/07/2025" in text and "UBND xã/phường" in text
            assert "☎" in text and "(Số điện thoại mẫu: cần kiểm tra lại.)" in text.split("\n")
            assert "Cổng Dịch vụ công quốc gia hiện ghi: " + {
                "xa": "cấp xã", "tinh|xa": "cấp tỉnh hoặc cấp xã"}[p["level_portal"]] in text
            # "cấp huyện" is said only as the old list's placement that ended.
            for line in text.split("\n"):
                if "cấp huyện" in line and not line.startswith(("Cơ quan", "Bước")):
                    assert "không còn cấp huyện" in line, (p["code"], line)
    assert seen == 217 * len(ASPECTS)


def test_every_answer_ends_with_the_freshness_line(sweep) -> None:
    for p, _, texts in sweep:
        assert texts[-1].split("\n")[-1].startswith("🗓 Theo danh mục tỉnh Tiền Giang năm 2024"), p["code"]


def test_chuyen_muc_dich_su_dung_dat_cap_xa_is_not_sent_to_the_district(sample_catalog: Catalog) -> None:
    p = sample_catalog.procedure_facts("1.115743")
    assert p is not None and p["provenance"]["level"] == "estimate"
    text = "\n".join(r.text for r in answer(p, "where") if r.text)
    assert "Cổng Dịch vụ công quốc gia hiện ghi: cấp xã." in text
    assert "do cấp huyện giải quyết" not in text


def test_figures_and_contacts_say_what_they_are(sample_catalog: Catalog) -> None:
    from procedures_catalog import editions
    from procedures_catalog.answers import handoff, stats_answer

    (reply,) = stats_answer(sample_catalog.stats(), edition=editions.in_force(sample_catalog))
    assert reply.text.split("\n")[-1] == "🗓 Theo danh mục tỉnh Tiền Giang năm 2024 (bản mẫu), từ 01/01/2024."
    offices = {k: o.as_dict() for k, o in sample_catalog.offices().items()}
    lines = handoff(offices, level="huyen")[1].text.split("\n")
    # Each sample contact is marked on a line of its own, right after it.
    assert lines[lines.index(next(ln for ln in lines if ln.startswith("☎"))) + 1] == (
        "(Số điện thoại mẫu: cần kiểm tra lại.)")
    assert "(Thông tin mẫu: nên gọi hỏi trước khi đi.)" in lines
    assert not any("huyện" in line for line in lines)  # no district desk since 2025

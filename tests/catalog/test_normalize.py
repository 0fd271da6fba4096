"""Normalisation of what citizens type: folding, Telex, teencode, glued words, sanitising."""

from __future__ import annotations

import unicodedata

import pytest

from procedures_catalog.normalize import (
    MAX_QUERY_CHARS,
    Vocabulary,
    fold,
    normalize,
    sanitize,
    strip_marks,
    tokens,
)
from procedures_catalog.search import SearchIndex

VIETNAMESE = (
    "Đăng ký khai sinh, kết hôn; Ủy ban nhân dân xã. Giấy chứng nhận quyền sử dụng đất: "
    "ắ ằ ẳ ẵ ặ ấ ầ ẩ ẫ ậ ế ề ể ễ ệ ố ồ ổ ỗ ộ ớ ờ ở ỡ ợ ứ ừ ử ữ ự ỳ ỷ ỹ ỵ"
)


@pytest.fixture(scope="module")
def vocab(sample_index: SearchIndex) -> Vocabulary:
    return sample_index.vocab


def _contains(seq: list[str], part: list[str]) -> bool:
    return any(seq[i : i + len(part)] == part for i in range(len(seq) - len(part) + 1))


# --------------------------------------------------------------------- fold
def test_fold_lowers_strips_marks_and_maps_d() -> None:
    assert fold("Đăng ký  KHAI SINH!") == "dang ky khai sinh"
    assert fold("đ Đ") == "d d"
    assert strip_marks("Đường") == "Duong"
    assert fold("") == ""


def test_nfc_and_nfd_inputs_fold_the_same() -> None:
    nfc = unicodedata.normalize("NFC", VIETNAMESE)
    nfd = unicodedata.normalize("NFD", VIETNAMESE)
    assert nfc != nfd
    assert fold(nfc) == fold(nfd)
    assert fold(nfc).isascii()
    assert normalize(nfc) == normalize(nfd)


def test_tokens_are_folded_words() -> None:
    assert tokens("Thủ tục (cấp xã) 1.001193") == ["thu", "tuc", "cap", "xa", "1", "001193"]
    assert tokens("") == []


# ------------------------------------------------------------------- repair
def test_telex_leftovers_are_repaired_with_the_index_vocabulary(vocab: Vocabulary) -> None:
    assert _contains(normalize("ddawng kys khai sinh", vocab), ["dang", "ky", "khai", "sinh"])
    assert _contains(normalize("ddawng kys khai tuwr", vocab), ["dang", "ky", "khai", "tu"])
    # Without the vocabulary there is nothing to repair towards.
    assert normalize("ddawng kys", None) == ["ddawng", "kys"]


def test_known_words_are_left_alone(vocab: Vocabulary) -> None:
    assert normalize("đăng ký khai sinh", vocab) == ["dang", "ky", "khai", "sinh"]
    assert normalize("dang ky khai sinh", vocab) == ["dang", "ky", "khai", "sinh"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ko", ["khong"]),
        ("dc", ["duoc"]),
        ("cccd", ["can", "cuoc", "cong", "dan"]),
        ("gplx", ["giay", "phep", "lai", "xe"]),
        ("hkd", ["ho", "kinh", "doanh"]),
        ("ko,", ["khong"]),
        ("đc?", ["duoc"]),
    ],
)
def test_teencode_is_expanded(vocab: Vocabulary, typed: str, meant: list[str]) -> None:
    assert normalize(typed, vocab) == meant
    assert normalize(typed) == meant


def test_teencode_inside_a_sentence(vocab: Vocabulary) -> None:
    toks = normalize("làm cccd cho con ko dc ạ", vocab)
    assert _contains(toks, ["can", "cuoc", "cong", "dan"])
    assert _contains(toks, ["khong", "duoc"])


def test_glued_words_are_split(vocab: Vocabulary) -> None:
    assert normalize("khaisinh", vocab) == ["khai", "sinh"]
    assert _contains(normalize("dang ky khaisinh", vocab), ["khai", "sinh"])
    assert normalize("khaisinh") == ["khaisinh"]


def test_unknown_words_are_kept_not_dropped(vocab: Vocabulary) -> None:
    assert "qwrtzpl" in normalize("qwrtzpl", vocab)


# ----------------------------------------------------------------- sanitize
def test_sanitize_removes_control_and_invisible_characters() -> None:
    text = sanitize("khai\x00sinh\x1b\u200b\ufeff\x7fok")
    assert not any(ch in text for ch in "\x00\x1b\u200b\ufeff\x7f")
    assert fold(text) == "khai sinh ok"


def test_sanitize_removes_tags_and_script_content() -> None:
    assert fold(sanitize("<b>đăng ký</b> khai sinh")) == "dang ky khai sinh"
    assert fold(sanitize("<script>alert(1)</script>")) == ""
    assert fold(sanitize("<SCRIPT src=x>alert(1)")) == ""
    assert fold(sanitize("kết hôn<style>p{color:red}</style>")) == "ket hon"


def test_sanitize_bounds_the_length() -> None:
    assert len(sanitize("x" * 10_000)) == MAX_QUERY_CHARS
    assert len(normalize("khai sinh " * 5_000)) <= MAX_QUERY_CHARS


@pytest.mark.parametrize("value", [None, "", "😀🎉", "\x00\x01"])
def test_sanitize_and_normalize_accept_anything(value: str | None) -> None:
    assert isinstance(sanitize(value), str)
    assert normalize(value) == []


def test_sanitize_keeps_the_words_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert sanitize(nfd) == "Đăng ký khai sinh"

"""Dossier codes typed however citizens have them are recognised, normalised and masked."""

from __future__ import annotations

import pytest

from procedures_catalog.dossier.codes import display, find_codes, normalise
from procedures_catalog.masking import DOSSIER_MASK, mask

CODE = "H56.22-240315-0001"


@pytest.mark.parametrize("text", [
    "H56.22-240315-0001",
    "h56.22-240315-0001",
    "h56.22 240315 0001",
    "H56.22--240315--0001",
    "H56.22 - 240315 - 0001",
    "H56.22/240315/0001",
    "H56.22-2403150001",
    "H56.22240315-0001",
    "H-56.22-240315-0001",
    "mã hồ sơ là H56.22-240315-0001 nha",
    "ma ho so: h56.22 240315 0001, xem giup",
    "Biên nhận hồ sơ\nMã hồ sơ: H56.22-240315-0001\nNgày hẹn trả: 22/03/2024",  # a photo caption
    "Ｈ５６.２２-２４０３１５-０００１",  # full-width, as some phone keyboards type
])
def test_typed_forms_normalise_to_one_code(text: str) -> None:
    assert normalise(text) == CODE
    assert DOSSIER_MASK in mask(text)
    assert "0001" not in mask(text)


def test_agency_prefix_and_longer_sequences_are_kept() -> None:
    assert normalise("000.00.22.H56-240315-0001") == "000.00.22.H56-240315-0001"
    assert normalise("g22.99/230101/00012") == "G22.99-230101-00012"


@pytest.mark.parametrize("text", ["0912345678", "1.001193", "lệ phí 100.000 đồng", "năm 2024",
                                  "CCCD 082090001234", "", "hồ sơ"])
def test_other_numbers_are_not_codes(text: str) -> None:
    assert normalise(text) is None


def test_a_bare_date_and_number_is_recognised_as_incomplete() -> None:
    (code,) = find_codes("hồ sơ 240315-0001 tới đâu rồi")
    assert (code.code, code.complete) == ("240315-0001", False)
    assert normalise("hồ sơ 240315-0001") is None


def test_two_codes_in_one_message_are_both_found_once() -> None:
    found = find_codes("H56.22-240315-0001 và h56.22 240315 0002, H56.22-240315-0001")
    assert [c.code for c in found] == [CODE, "H56.22-240315-0002"]


def test_the_shown_code_hides_the_sequence_number() -> None:
    assert display(CODE) == "H56.22-240315-**01"
    assert display("G22.99-230101-00012") == "G22.99-230101-***12"

"""Personal data in citizens' messages is masked before anything is stored or logged."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from procedures_catalog import turnlog
from procedures_catalog.masking import (
    DOSSIER_MASK,
    EMAIL_MASK,
    ID_MASK,
    PHONE_MASK,
    MaskingFilter,
    has_personal_data,
    mask,
)
from procedures_catalog.models import Turn

# (message, the personal data in it, the mask expected in its place)
CORPUS: list[tuple[str, str, str]] = [
    ("sdt của tôi là 0912345678 nhờ gọi lại", "0912345678", PHONE_MASK),
    ("gọi em số 0912 345 678 nha", "0912 345 678", PHONE_MASK),
    ("sđt 0912.345.678", "0912.345.678", PHONE_MASK),
    ("số điện thoại 091-234-5678", "091-234-5678", PHONE_MASK),
    ("liên hệ +84 912 345 678", "+84 912 345 678", PHONE_MASK),
    ("zalo (+84) 912345678", "(+84) 912345678", PHONE_MASK),
    ("đt 84912345678 ạ", "84912345678", PHONE_MASK),
    ("sdt0987654321", "0987654321", PHONE_MASK),
    ("máy bàn 0273 3873 456 giờ hành chính", "0273 3873 456", PHONE_MASK),
    ("0273.3873.456", "0273.3873.456", PHONE_MASK),
    ("số em là 0 9 1 2 3 4 5 6 7 8", "0 9 1 2 3 4 5 6 7 8", PHONE_MASK),
    ("số ０９１２３４５６７８ (gõ bằng bàn phím toàn độ rộng)", "０９１２３４５６７８", PHONE_MASK),
    ("số 09\u200b12\u200b345678 có ký tự ẩn", "09\u200b12\u200b345678", PHONE_MASK),
    ("cccd của tôi 079123456789 bị mất", "079123456789", ID_MASK),
    ("căn cước 079 123 456 789", "079 123 456 789", ID_MASK),
    ("cccd: 079.123.456.789", "079.123.456.789", ID_MASK),
    ("cmnd cũ 312345678 còn dùng được không", "312345678", ID_MASK),
    ("cmnd 312 345 678", "312 345 678", ID_MASK),
    ("mã số thuế 8012345678 của hộ kinh doanh", "8012345678", ID_MASK),
    ("số tài khoản 19036655123011 techcombank", "19036655123011", ID_MASK),
    ("email nguyenvana@gmail.com", "nguyenvana@gmail.com", EMAIL_MASK),
    ("gửi về Tran.Thi-B_1990@so-tu-phap.tiengiang.gov.vn giúp", "Tran.Thi-B_1990@so-tu-phap.tiengiang.gov.vn", EMAIL_MASK),
    ("mail mình: vana @ gmail . com", "vana @ gmail . com", EMAIL_MASK),
    ("mã hồ sơ H56.22-240315-0001 tới đâu rồi", "H56.22-240315-0001", DOSSIER_MASK),
    ("hồ sơ 000.00.00.H56-240315-0001", "000.00.00.H56-240315-0001", DOSSIER_MASK),
    ("tra cứu 000.00.31.H56-231201-0123 giúp", "000.00.31.H56-231201-0123", DOSSIER_MASK),
    ("hs G22.99-230101-00012 bộ", "G22.99-230101-00012", DOSSIER_MASK),
    ("ma ho so h56.22 - 240315 - 0001", "h56.22 - 240315 - 0001", DOSSIER_MASK),
    ("biên nhận số 240315-0001", "240315-0001", DOSSIER_MASK),
]

# Numbers that are not personal data and must stay readable.
KEPT = [
    "lệ phí thủ tục 1.001193 bao nhiêu",
    "1.000656.01: 5 ngày làm việc",
    "so sánh 1.001193 1.000656",
    "phạt 100.000.000 đồng",
    "giá 150.000đ một bộ",
    "năm 2024 tỉnh có 1.787 thủ tục",
    "gọi tổng đài 1022",
    "ngày 15/03/2024 tôi nộp",
    "cần 2 bản sao",
]


@pytest.mark.parametrize(("message", "secret", "placeholder"), CORPUS, ids=[c[1] for c in CORPUS])
def test_each_kind_of_personal_data_is_masked(message: str, secret: str, placeholder: str) -> None:
    masked = mask(message)
    assert placeholder in masked
    digits = re.sub(r"\D", "", secret)
    if digits:
        assert digits not in re.sub(r"\D", "", masked)
    assert has_personal_data(message)


@pytest.mark.parametrize("message", KEPT)
def test_procedure_codes_amounts_and_short_numbers_are_kept(message: str) -> None:
    assert mask(message) == message
    assert not has_personal_data(message)


def test_several_kinds_in_one_message() -> None:
    masked = mask("Tôi tên Lan, sdt 0912345678, cccd 079123456789, mail lan@gmail.com, hồ sơ H56.22-240315-0001")
    assert masked == (f"Tôi tên Lan, sdt {PHONE_MASK}, cccd {ID_MASK}, mail {EMAIL_MASK}, hồ sơ {DOSSIER_MASK}")


def test_empty_and_adversarial_inputs_are_quick() -> None:
    assert mask(None) == "" and mask("") == ""
    for text in ("a" * 10_000, "1" * 10_000, "0." * 5_000, "a@" * 5_000, "đ" * 3_000):
        assert isinstance(mask(text), str)
    assert mask("1" * 10_000) == ID_MASK


def test_nothing_unmasked_reaches_the_database(empty_engine) -> None:
    for n, (message, _, _) in enumerate(CORPUS):
        turnlog.record_turn(empty_engine, channel="rest", conversation_id=f"0912345{n:03d}", text=message,
                            intent="ask_procedure", confidence=0.9, procedure_code=None, score=None,
                            outcome="not_found")
    from procedures_catalog import db

    with db.session_scope(empty_engine) as s:
        stored = [(t.text, t.conversation) for t in s.scalars(select(Turn))]
        dump = "\n".join(f"{text}\t{conv}" for text, conv in stored)
    assert len(stored) == len(CORPUS)
    stored_digits = [re.sub(r"\D", "", text) for text, _ in stored]
    for _, secret, _ in CORPUS:
        assert secret not in dump
        digits = re.sub(r"\D", "", secret)
        assert not digits or all(digits not in d for d in stored_digits)
    # The conversation ids (phone-like sender ids) are hashed, not stored.
    assert all(re.fullmatch(r"[0-9a-f]{32}", conv) for _, conv in stored)
    assert not re.search(r"\d{9,}", "\n".join(text for text, _ in stored))


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.masking")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("citizen wrote %s", "gọi 0912345678 hoặc lan@gmail.com")
        try:
            raise ValueError("bad value 079123456789")
        except ValueError:
            logger.exception("failed for H56.22-240315-0001")
    finally:
        logger.removeHandler(handler)
    assert records[0].getMessage() == f"citizen wrote gọi {PHONE_MASK} hoặc {EMAIL_MASK}"
    assert "079123456789" not in (records[1].exc_text or "") and ID_MASK in (records[1].exc_text or "")
    assert DOSSIER_MASK in records[1].getMessage()

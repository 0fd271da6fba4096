"""The checklist card: a valid phone-sized PNG that OCR and a QR reader read back.

Uses Debian's tesseract-ocr (with the Vietnamese data) and zbar-tools, which
`make test` installs (scripts/ensure-debian-packages.sh ocr).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from procedures_catalog.card import HEIGHT, WIDTH, CardCache, Edition, import_edition, render_card
from procedures_catalog.settings import CardSettings, get_card_settings

URL = "https://dichvucong.gov.vn/p/thu-tuc-hanh-chinh/chi-tiet?ma=1.001193"
EDITION = Edition("Danh mục TTHC tỉnh Tiền Giang 2025", date(2025, 7, 1))


def procedure(documents: list[str] | None = None, **changes: Any) -> dict[str, Any]:
    p = {
        "code": "1.001193", "name": "Đăng ký khai sinh cho trẻ em", "level": "xa",
        "online_level": "mot_phan", "fees": "Miễn lệ phí", "fee": {"free": True},
        "processing_time": "Trong ngày làm việc", "detail_url": URL,
        "documents": documents if documents is not None else [
            "Giấy tờ phải nộp:", "Tờ khai đăng ký khai sinh theo mẫu",
            "Giấy chứng sinh (bản chính)", "Giấy tờ tùy thân của người đi đăng ký"],
    }
    p.update(changes)
    return p


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed (make test installs it: scripts/ensure-debian-packages.sh ocr)")
    return path


def ocr(png: bytes, tmp_path: Path) -> str:
    image = tmp_path / "card.png"
    image.write_bytes(png)
    out = subprocess.run([tool("tesseract"), str(image), "stdout", "-l", "vie"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


def qr(png: bytes, tmp_path: Path) -> str:
    image = tmp_path / "qr.png"
    image.write_bytes(png)
    return subprocess.run([tool("zbarimg"), "--raw", "-q", str(image)],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_a_card_is_a_phone_sized_png() -> None:
    (png,) = render_card(procedure(), edition=EDITION)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert Image.open(io.BytesIO(png)).size == (WIDTH, HEIGHT) == (720, 1280)


def test_ocr_reads_the_name_documents_and_edition_back(tmp_path: Path) -> None:
    (png,) = render_card(procedure(), edition=EDITION,
                         office={"name": "UBND xã Tân Hương"}, caveat="Từ 01/7/2025 nộp ở UBND xã mới.")
    text = ocr(png, tmp_path)
    assert "Đăng ký khai sinh cho trẻ em" in text
    assert "Giấy chứng sinh (bản chính)" in text
    assert "UBND xã Tân Hương" in text
    assert "01/07/2025" in text


def test_the_qr_code_leads_to_the_procedures_page(tmp_path: Path) -> None:
    (png,) = render_card(procedure(), edition=EDITION)
    assert qr(png, tmp_path) == URL


def test_thirty_documents_continue_on_another_image_in_the_same_type(tmp_path: Path) -> None:
    docs = [f"Giấy tờ số {n}: bản sao giấy xác nhận thông tin cư trú của người yêu cầu" for n in range(1, 31)]
    pages = render_card(procedure(docs), edition=EDITION)
    assert 2 <= len(pages) <= 6
    assert all(Image.open(io.BytesIO(p)).size == (WIDTH, HEIGHT) for p in pages)
    last = ocr(pages[-1], tmp_path)
    assert "Giấy tờ số 30" in last  # the end of the list, still at reading size
    assert f"Trang {len(pages)}/{len(pages)}" in last
    assert "Đăng ký khai sinh cho trẻ em" in last  # every image says which procedure
    assert qr(pages[-1], tmp_path) == URL


def test_a_huge_list_is_cut_with_a_pointer_to_the_portal(tmp_path: Path) -> None:
    docs = [f"Mục {n}: " + "giấy tờ rất dài " * 12 for n in range(1, 80)]
    pages = render_card(procedure(docs), edition=EDITION)
    assert len(pages) == 6
    text = ocr(pages[-1], tmp_path)
    assert "quét mã QR" in text and "Thời hạn" in text  # fees and time are never cut


def test_the_cache_keeps_a_stable_url_and_rebuilds_on_change(tmp_path: Path) -> None:
    settings = CardSettings(cache_dir=tmp_path / "cards", base_url="http://bot/webhooks/cards",
                            font_dir=get_card_settings().font_dir)
    cache = CardCache(settings)
    urls, cached = cache.ensure(procedure(), edition=EDITION)
    assert not cached and urls == [f"http://bot/webhooks/cards/1.001193-{EDITION.slug()}-1.png"]
    file = tmp_path / "cards" / urls[0].rsplit("/", 1)[1]
    before = file.read_bytes()
    started = time.perf_counter()
    assert cache.ensure(procedure(), edition=EDITION) == (urls, True)
    assert time.perf_counter() - started < 0.1
    changed = procedure(processing_time="05 ngày làm việc")
    assert cache.ensure(changed, edition=EDITION) == (urls, False)
    assert file.read_bytes() != before
    other = Edition("Danh mục 2026", date(2026, 1, 1))
    assert cache.ensure(changed, edition=other)[0] != urls


def test_the_fallback_edition_is_the_import_date() -> None:
    edition = import_edition(date(2026, 12, 3), "tien_giang_2024_sample.csv.gz")
    assert edition.effective_from == date(2026, 12, 3)
    assert "tien_giang_2024_sample" in edition.name


def test_missing_fonts_say_what_to_install(tmp_path: Path) -> None:
    settings = CardSettings(cache_dir=tmp_path, base_url="x", font_dir=tmp_path / "none")
    with pytest.raises(FileNotFoundError, match="fonts-dejavu-core"):
        render_card(procedure(), edition=EDITION, settings=settings)

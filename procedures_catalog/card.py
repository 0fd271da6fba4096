"""The checklist card: a procedure's documents as a phone-sized PNG to keep and show.

For a citizen (or the child who helps them) at the counter: procedure name, where to go
(with the reform caveat where it applies), the online level in plain words, the
documents as tick boxes, fees and time, a QR code to the procedure's page on the
national portal, and the catalogue edition with its date. Large type, black on white.
A long list continues on further images rather than shrinking the text.

Cards are cached per procedure and edition (:class:`CardCache`) under a stable file
name and rebuilt when what they show changes. Nothing here imports Rasa.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import qrcode
from PIL import Image, ImageDraw, ImageFont

from . import provenance as prov
from .answers import PORTAL_URL, shorten
from .normalize import fold
from .settings import CardSettings, get_card_settings

WIDTH, HEIGHT = 720, 1280  # 2x a 360 px phone screen: body text shows at 15 px there
MARGIN = 36
MAX_PAGES = 6
ITEM_CHARS = 220  # a document longer than this is cut (the QR code leads to the full text)
INK, MUTED, ACCENT, CAVEAT_BG = (17, 17, 17), (70, 70, 70), (11, 61, 145), (255, 243, 205)
FOOTER_H = 250
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


# How citizens ask for the card ("gửi giùm danh sách giấy tờ làm ..."), accents folded:
# removed before the rest of the message is searched for the procedure.
_CARD_REQUEST = re.compile(
    r"\b(?:(?:gui|cho|xin|in|xuat|tai|luu)(?: (?:giup|gium|dum|lai|toi|tui|em|minh|xin|ra))*"
    r"(?: (?:tam|cai|bang ke|bang|phieu|anh|hinh|danh sach|list))*"
    r"|danh sach|bang ke|phieu|anh|hinh)"
    r"(?: (?:cac|nhung))?(?: (?:giay to|ho so))?(?: (?:can|phai))?(?: (?:mang|mang theo|chuan bi|nop))?"
    r"(?: (?:lam|cho|de|ve|ra|theo))?\b"
    r"|\b(?:giup|gium|dum|voi|nha|nhe|ra quay|ra xa|ra phuong)\b"
)


def card_query(text: str | None) -> str:
    """The words of a card request that may name the procedure (the request removed)."""
    return " ".join(_CARD_REQUEST.sub(" ", fold(text or "")).split())


@dataclass(frozen=True)
class Edition:
    """The catalogue edition a card is printed from.

    Attributes:
        name: what the citizen reads after "Theo danh mục" ("tỉnh Tiền Giang năm 2024").
        effective_from: the day it applies from.
        key: a short stable id for file names (default: from name and date).
    """

    name: str
    effective_from: date | None = None
    key: str = ""

    def slug(self) -> str:
        """The key used in cache file names."""
        if self.key:
            return re.sub(r"[^a-z0-9]+", "-", self.key.lower()).strip("-")[:40] or "edition"
        digest = hashlib.sha1(f"{self.name}|{self.effective_from}".encode()).hexdigest()[:8]
        return f"{self.effective_from:%Y%m%d}-{digest}" if self.effective_from else digest


def import_edition(imported_on: date | None, source: str | None = None) -> Edition:
    """The fallback edition while the catalogue has none: the import date of the data."""
    name = "thủ tục hành chính tỉnh Tiền Giang"
    if source:
        name += f" (dữ liệu {Path(source).name.split('.')[0]})"
    return Edition(name=name, effective_from=imported_on)


@dataclass
class _Block:
    kind: str  # label, text, heading, check, more (a check item continued), caveat
    text: str


def _font(settings: CardSettings, weight: str, size: int) -> ImageFont.FreeTypeFont:
    path = settings.font_dir / FONT_FILES[weight]
    if not path.exists():
        raise FileNotFoundError(f"{path}: install Debian's fonts-dejavu-core (make setup does)")
    return ImageFont.truetype(str(path), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
    return lines


def _blocks(p: Mapping[str, Any], office: Mapping[str, Any] | None,
            caveat: str | None) -> tuple[list[_Block], list[_Block], list[_Block]]:
    """The card's content: (where and how, the documents, fees and time)."""
    # The level and online level as the answers state them (the portal's value preferred
    # over an estimate, hedged when uncertain).
    level = prov.level_words(prov.stated_level(p)[0])
    where = office["name"] if office and office.get("name") else f"Bộ phận Một cửa {level}"
    blocks = [_Block("label", f"Nơi nộp: {shorten(where, 160)} ({level})")]
    if office and office.get("address"):
        blocks.append(_Block("text", shorten(str(office["address"]), 160)))
    if caveat:
        blocks.append(_Block("caveat", shorten(caveat, 300)))
    online = prov.online_short(p)
    if online:
        blocks.append(_Block("label", f"Làm online: {online}"))
    blocks.append(_Block("heading", "Giấy tờ cần chuẩn bị (đánh dấu khi đã có):"))
    docs: list[_Block] = []
    items = [d.strip() for d in p.get("documents") or [] if d and d.strip()]
    if not items:
        docs.append(_Block("text", "Danh mục chưa ghi giấy tờ: hỏi nơi nộp trước khi đi."))
    for item in items:
        if item.endswith(":") and len(item) < 80:
            docs.append(_Block("heading", item))
        else:
            docs.append(_Block("check", shorten(item, ITEM_CHARS)))
    tail: list[_Block] = []
    fees = (p.get("fees") or "").strip()
    if fees:
        tail.append(_Block("label", "Lệ phí: " + ("không mất phí" if (p.get("fee") or {}).get("free")
                                                    else shorten(fees, 200))))
    if (p.get("processing_time") or "").strip():
        tail.append(_Block("label", "Thời hạn: " + shorten(p["processing_time"], 160)))
    return blocks, docs, tail


class _Painter:
    """Lays blocks out on as many pages as they need (never smaller type)."""

    def __init__(self, settings: CardSettings) -> None:
        self.fonts = {
            "title": _font(settings, "bold", 38), "label": _font(settings, "bold", 29),
            "heading": _font(settings, "bold", 29), "text": _font(settings, "regular", 29),
            "check": _font(settings, "regular", 29), "more": _font(settings, "regular", 29), "caveat": _font(settings, "regular", 27),
            "small": _font(settings, "regular", 23),
        }
        self.width = WIDTH - 2 * MARGIN
        self._measured: dict[tuple[str, str], tuple[list[str], int]] = {}

    def measure(self, block: _Block) -> tuple[list[str], int]:
        # Pagination measures the same blocks many times: wrap each once.
        key = (block.kind, block.text)
        if key not in self._measured:
            self._measured[key] = self._measure(block)
        return self._measured[key]

    def _measure(self, block: _Block) -> tuple[list[str], int]:
        font = self.fonts[block.kind]
        indent = 52 if block.kind in ("check", "more") else (24 if block.kind == "caveat" else 0)
        lines = _wrap(block.text, font, self.width - indent)
        line_h = int(font.size * 1.32)
        pad = 18 if block.kind in ("check", "heading", "caveat") else 12
        return lines, line_h * len(lines) + pad

    def paginate(self, blocks: Sequence[_Block], top: int) -> list[list[_Block]]:
        pages: list[list[_Block]] = [[]]
        y, bottom = top, HEIGHT - FOOTER_H
        queue = list(blocks)
        while queue:
            block = queue.pop(0)
            lines, h = self.measure(block)
            if y + h <= bottom or not pages[-1]:
                pages[-1].append(block)
                y += h
                continue
            fit = (bottom - y - 18) // int(self.fonts[block.kind].size * 1.32)
            if block.kind in ("check", "more", "text") and 2 <= fit < len(lines):
                # A long item goes on over the page break rather than leave a gap.
                pages[-1].append(_Block(block.kind, "\n".join(lines[:fit])))
                block = _Block("more", "\n".join(lines[fit:]))
            pages.append([])
            y = top
            queue.insert(0, block)
        return pages

    def draw_block(self, draw: ImageDraw.ImageDraw, block: _Block, y: int) -> int:
        lines, h = self.measure(block)
        font = self.fonts[block.kind]
        line_h = int(font.size * 1.32)
        x = MARGIN
        if block.kind == "caveat":
            draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + h - 8), fill=CAVEAT_BG)
            x += 12
        if block.kind == "check":
            draw.rectangle((x, y + 4, x + 30, y + 34), outline=INK, width=3)
        if block.kind in ("check", "more"):
            x += 52
        color = ACCENT if block.kind == "heading" else INK
        for n, line in enumerate(lines):
            draw.text((x, y + n * line_h), line, font=font, fill=color)
        return y + h


def _qr(url: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    return image.resize((size, size), Image.Resampling.NEAREST)


def render_card(p: Mapping[str, Any], *, edition: Edition, office: Mapping[str, Any] | None = None,
                caveat: str | None = None, settings: CardSettings | None = None) -> list[bytes]:
    """Render a procedure's checklist card.

    Args:
        p: the procedure as :func:`procedures_catalog.service.procedure_to_dict` gives it.
        edition: the catalogue edition (name and date) printed at the bottom.
        office: where citizens go for the procedure's level (``Office.as_dict()``).
        caveat: the reform caveat for this procedure, if one applies.
        settings: fonts (default: from the environment).

    Returns:
        PNG images of :data:`WIDTH` x :data:`HEIGHT`, one per page (at most :data:`MAX_PAGES`).
    """
    settings = settings or get_card_settings()
    p = {k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v for k, v in p.items()}
    p["documents"] = [unicodedata.normalize("NFC", d) for d in p.get("documents") or []]
    painter = _Painter(settings)
    title_lines = _wrap(shorten(p["name"], 150), painter.fonts["title"], painter.width)[:4]
    top = 78 + len(title_lines) * 50 + 24
    head, docs, tail = _blocks(p, office, caveat)
    pages = painter.paginate(head + docs + tail, top)
    if len(pages) > MAX_PAGES:
        # Too long even over several images: keep fees and time, cut the list's end, and
        # say how many items the portal page (the QR code) has besides. The most items
        # that fit are found by bisection.
        def attempt(kept: int) -> list[list[_Block]]:
            rest = sum(1 for b in docs[kept:] if b.kind == "check")
            note = _Block("caveat", f"Còn {rest} mục nữa: quét mã QR bên dưới để xem đủ "
                                    "trên Cổng Dịch vụ công.")
            return painter.paginate(head + docs[:kept] + [note] + tail, top)

        low, high = 0, len(docs) - 1  # attempt(low) fits (assumed), attempt(high + 1) does not
        while low < high:
            middle = (low + high + 1) // 2
            if len(attempt(middle)) <= MAX_PAGES:
                low = middle
            else:
                high = middle - 1
        pages = attempt(low)
    url = p.get("detail_url") or p.get("portal_url") or PORTAL_URL
    qr = _qr(url, FOOTER_H - 40)
    when = f", áp dụng từ {edition.effective_from:%d/%m/%Y}" if edition.effective_from else ""
    out = []
    for number, page in enumerate(pages, 1):
        image = Image.new("RGB", (WIDTH, HEIGHT), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, WIDTH, 56), fill=ACCENT)
        label = "GIẤY TỜ CẦN MANG THEO" + (" (tiếp theo)" if number > 1 else "")
        draw.text((MARGIN, 12), label, font=painter.fonts["label"], fill="white")
        for n, line in enumerate(title_lines):
            draw.text((MARGIN, 74 + n * 50), line, font=painter.fonts["title"], fill=INK)
        y = top
        draw.line((MARGIN, y - 14, WIDTH - MARGIN, y - 14), fill=INK, width=2)
        for block in page:
            y = painter.draw_block(draw, block, y)
        footer = HEIGHT - FOOTER_H
        draw.line((MARGIN, footer + 6, WIDTH - MARGIN, footer + 6), fill=INK, width=2)
        image.paste(qr, (MARGIN - 8, footer + 24))
        text_x = MARGIN + qr.width + 12
        footnote = (f"Quét mã để xem thủ tục trên Cổng Dịch vụ công. Mã thủ tục: {p['code']}. "
                f"Theo danh mục {edition.name}{when}.")
        for n, line in enumerate(_wrap(footnote, painter.fonts["small"], WIDTH - MARGIN - text_x)[:6]):
            draw.text((text_x, footer + 26 + n * 31), line, font=painter.fonts["small"], fill=MUTED)
        draw.text((text_x, HEIGHT - 44), f"Trang {number}/{len(pages)}", font=painter.fonts["small"], fill=INK)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def _fingerprint(p: Mapping[str, Any], edition: Edition, office: Mapping[str, Any] | None,
                 caveat: str | None) -> str:
    shown = {k: p.get(k) for k in ("code", "name", "level", "online_level", "documents", "fees",
                                   "fee", "processing_time", "detail_url")}
    data = json.dumps([shown, edition.name, str(edition.effective_from), office, caveat],
                      ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


class CardCache:
    """Rendered cards on disk under stable names: ``{code}-{edition}-{page}.png``.

    A card is rebuilt when anything it shows changed (a fingerprint is kept beside it),
    so its URL stays the same across catalogue corrections.
    """

    def __init__(self, settings: CardSettings | None = None) -> None:
        self.settings = settings or get_card_settings()
        self.dir = self.settings.cache_dir

    @staticmethod
    def stem(code: str, edition: Edition) -> str:
        """The file-name stem of a procedure's card in an edition."""
        return f"{re.sub(r'[^0-9A-Za-z.]', '_', code)}-{edition.slug()}"

    def ensure(self, p: Mapping[str, Any], *, edition: Edition, office: Mapping[str, Any] | None = None,
               caveat: str | None = None) -> tuple[list[str], bool]:
        """The card's page URLs, rendering it first when missing or out of date.

        Returns:
            (URLs of the pages in order, whether the cached card was used).
        """
        stem = self.stem(p["code"], edition)
        meta_path = self.dir / f"{stem}.json"
        fingerprint = _fingerprint(p, edition, office, caveat)
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            meta = {}
        pages = int(meta.get("pages") or 0)
        cached = (meta.get("fingerprint") == fingerprint and pages > 0
                  and all((self.dir / f"{stem}-{n}.png").exists() for n in range(1, pages + 1)))
        if not cached:
            images = render_card(p, edition=edition, office=office, caveat=caveat, settings=self.settings)
            self.dir.mkdir(parents=True, exist_ok=True)
            for n, png in enumerate(images, 1):
                _write_atomic(self.dir / f"{stem}-{n}.png", png)
            pages = len(images)
            _write_atomic(meta_path, json.dumps({"fingerprint": fingerprint, "pages": pages}).encode())
        return [f"{self.settings.base_url}/{stem}-{n}.png" for n in range(1, pages + 1)], cached


def _write_atomic(path: Path, data: bytes) -> None:
    # Another process may be serving the file: replace it in one step.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)

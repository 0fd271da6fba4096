"""The words citizens use, and how they map onto the catalogue's words.

All patterns work on *folded* text (see :func:`procedures_catalog.normalize.fold`).
Three kinds of knowledge live here:

* **Rewrite rules** turn a need described in everyday words into the catalogue's
  terms ("con mới sinh" → "đăng ký khai sinh", "sổ đỏ" → "giấy chứng nhận quyền sử
  dụng đất"). They are general: they name situations and things, not questions. They
  are data, in ``data/language/rewrites.yaml`` (read by :mod:`.language`).
* **Fillers and aspect words** ("cho em hỏi", "ở đâu", "lệ phí bao nhiêu") say what
  the citizen wants to know about a procedure, not which one; they are dropped.
* **Variant markers** ("có yếu tố nước ngoài", "lưu động", "đăng ký lại") mark
  procedures that only win when the citizen's words ask for them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .language import load_rewrites
from .normalize import fold, strip_marks

LEVEL_MARKER_RE = re.compile(
    r"\(?\b(?:thuc hien )?(?:tai |o )?cap (?:tinh|huyen|xa)\b\)?|\b(?:thuc hien tai|o) cap (?:trung uong)\b"
)


def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    # The rewrite rules are data: data/language/rewrites.yaml (see its README).
    return load_rewrites()


# Multi-word fillers and aspect phrases: what is asked about, not which procedure.
_DROP_PHRASES = [
    r"cho (?:em|toi|tui|minh|chau|con|co|hoi) hoi", r"xin hoi", r"cho hoi", r"hoi chut", r"hoi xiu",
    r"lam (?:sao|the nao|ntn|nhu the nao|gi)", r"nhu the nao", r"the nao", r"ra sao", r"sao (?:vay|day)",
    r"(?:nop|lam|di|den|nop ho so|gui|mang) (?:o|tai|toi|den) (?:dau|cho nao|noi nao|co quan nao)",
    r"(?:o|tai|lam|nop|den|di) (?:dau|cho nao|noi nao)", r"cho nao", r"noi nao",
    r"(?:mat|ton|het|la|co mat|co ton) (?:bao lau|may ngay|bao nhieu ngay|bao nhieu tien|may tuan|phi|tien|nhieu tien|nhieu ngay|thoi gian|bao nhieu)",
    r"bao lau", r"may ngay", r"bao nhieu (?:tien|ngay|lau)?", r"bn tien",
    r"(?:le phi|chi phi|phi)(?: (?:bao nhieu|het bao nhieu|la bao nhieu))?",
    r"(?:can|gom|phai co|phai mang|mang|chuan bi|nop) (?:nhung )?(?:giay to|ho so|giay) (?:gi|nao)",
    r"(?:giay to|ho so|thu tuc) (?:gi|nao|ra sao|the nao|gom nhung gi|can gi|can nhung gi)",
    r"can (?:nhung )?gi", r"can mang gi", r"(?:lam|nop|dang ky) (?:online|truc tuyen|qua mang|tren mang)",
    r"online", r"truc tuyen", r"qua mang", r"tren mang", r"tren dien thoai", r"dich vu cong",
    r"(?:co )?(?:duoc|dc) (?:khong|ko|hong|hok|k)", r"duoc khong", r"khong a", r"vay a",
    r"(?:cac|nhung) buoc", r"trinh tu", r"quy trinh",
    r"(?:o|len|ra|tai|cap|di|toi|den|nop) (?:xa|huyen|tinh|phuong)"
    r"(?: hay (?:la )?(?:o |len |ra |tai |cap )?(?:xa|huyen|tinh|phuong))?",
    r"(?:xa|huyen|tinh) (?:lam|giai quyet|cap) (?:duoc )?(?:khong|ko|k|hong)",
    r"thu tuc hanh chinh", r"thu tuc", r"ho so",
]
_DROP_RE = re.compile(r"\b(?:" + "|".join(_DROP_PHRASES) + r")\b")

_LEVEL_HINTS = [
    (re.compile(r"\b(?:cap tinh|o tinh|len tinh|so \w+|tinh tien giang|ubnd tinh|uy ban tinh)\b"), "tinh"),
    (re.compile(r"\b(?:cap huyen|o huyen|len huyen|ra huyen|ubnd huyen|quan huyen)\b"), "huyen"),
    (re.compile(r"\b(?:cap xa|o xa|len xa|ra xa|ubnd xa|uy ban xa|phuong|xa phuong)\b"), "xa"),
]

# Query-word weights. Folding merges words ("đăng"/"đang", "hộ"/"họ", "nhà"/"nha",
# "đỏ"/"do"), so only fillers that stay unambiguous once folded get weight 0; the
# ambiguous ones are merely damped and IDF does the rest.
_ZERO_WEIGHT = set(
    """a ah ak nhe nhen nghen ne vay roi thi la voi khong ko duoc dc gi nao oi ad admin
    shop nhi hen ta phai biet vui hi hello alo nay kia se rat nhieu it chut xiu hom
    ok oke okie uh um giup gium dum""".split()
)
_LOW_WEIGHT = {
    **{w: 0.3 for w in "lam lau muon em minh tia ong lay".split()},
    **{w: 0.5 for w in """sao ma nen cam day gio qua mai moi vua da ngay thang tuan can
       xin cho de den ve ra vao len di cua trong tren duoi nop con anh chau vo cha me ba
       toi nguoi tui""".split()},
    **{w: 0.7 for w in "co bo chi".split()},
}
# Everyday syllables that must never be "repaired" into a catalogue word.
_COMMON = """lay nhan lanh gui a ai am an anh ao ay ba bac bai ban bang bao bat bay be ben bi biet bo bon bot bu bua
bui buon but ca cac cai cam can cang cao cap cau cay chac chan chang chao chat chau che chi chia
chieu chinh cho choi chon chu chua chuc chung chuyen co con cong cu cua cuc cung cuoi da dai dam
dan dang danh dao dap dat day de dem den deu di dia dien dinh do doi don dong du dua dung duoc
duong gan gap gi gia giao giay gio gioi giup giua ha hai han hang hay he het hieu hinh ho hoac hoc
hoi hom hon hop hu hua hung huong it ke keo khac khach khi khien kho khoe khong khu kia kiem kieu
kip la lai lam lan lau le len lien lo loai loi long luc luon ly ma mai man mang mat may me mien
minh mo moi mon mot mua muon nam nao nay ne neu ngan ngay nghe nghi ngoai ngoi nguoi nha nhan nhanh
nhat nhau nhe nhieu nho nhu nhung noi non nua nuoc o ong phai phan phi phong phu qua quan que
ra rang rat re rieng roi rong ruot sang sao sau se so song su sua sung ta tai tam tan tang tao tat
tay the them theo thi thiet thoi thu thuc thuong tien tieng tim tin tinh to toan toi tot tra tren
tri trong truoc tu tuan tuoi tuy tuyet va vai van vao ve vi viec viet voi vua vui xa xay xem xin xong
yeu""".split()

KNOWN_WORDS = sorted(
    _ZERO_WEIGHT
    | set(_LOW_WEIGHT)
    | set(_COMMON)
    | set(
        """online mang truc tuyen zalo vneid email facebook pass mat khau tai khoan
        sinh de mat chet cuoi vo chong con chau be nha dat ruong vuon tiem quan ban mua
        xay sua doi lam moi cu rach hu hong het han tro thue ghe xe bang tap hoa toc
        lylich giay to thu tuc""".split()
    )
)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Words spelling repair must leave alone: everyday words and the syllables of the
    national procedure texts (data/syllables.txt)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "syllables.txt"
    syllables = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                syllables.add(line.strip())
    return frozenset(KNOWN_WORDS) | frozenset(syllables)


def token_weight(token: str) -> float:
    """Weight of a query token: 0 for fillers, lower for people and generic verbs."""
    if token in _ZERO_WEIGHT:
        return 0.0
    return _LOW_WEIGHT.get(token, 1.0)


def rewrite(tokens: list[str]) -> tuple[list[str], list[str], str | None]:
    """Drop fillers and aspect words, then apply the rewrite rules.

    Args:
        tokens: folded, repaired tokens of the query.

    Returns:
        The tokens without fillers (the citizen's own words), the same after the
        rewrite rules (the catalogue's words), and the level mentioned, if any.
    """
    text = " " + " ".join(tokens) + " "
    level_hint = None
    for pattern, level in _LEVEL_HINTS:
        if pattern.search(text):
            level_hint = level
            break
    # Aspect words go first: "mất bao lâu" must not read as a death.
    text = _DROP_RE.sub(" ", text)
    own = text.split()
    text = " " + " ".join(own) + " "
    for pattern, repl in _rules():
        if pattern.search(text):
            text = " " + " ".join(pattern.sub(repl, text).split()) + " "
    return own, text.split(), level_hint


# Marker phrases of variants: a name carrying one the query does not ask for is a
# ranking feature ("variant_unasked").
VARIANT_MARKERS: tuple[str, ...] = (
    "co yeu to nuoc ngoai", "luu dong", "dang ky lai", "khu vuc bien gioi", "ket hop",
    "nguoi da co ho so giay to ca nhan", "lien thong", "nguoi nuoc ngoai", "cap trung uong",
    "ghi vao so ho tich", "quan doi", "cong an nhan dan", "trong truong hop", "to chuc",
    "doanh nghiep", "du an",
)
_VARIANT_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in VARIANT_MARKERS) + r")\b")


def variant_markers(folded: str) -> set[str]:
    """The variant markers present in a folded text."""
    return set(_VARIANT_RE.findall(folded))


# Procedures whose name starts with one of these actions are variants of a base
# procedure ("Cấp lại …" of "Cấp …"); they win only when the words ask for them,
# in any of the ways the pattern accepts.
_ACTION_WORDS: dict[str, str] = {
    "cap lai": r"cap lai|lam lai|xin lai|mat|that lac|hu|hong|rach|chay|bi lay|trom",
    "cap doi": r"cap doi|doi|het han|cu|hu|hong|rach|sai|mo|mau moi",
    "doi": r"doi|het han|cu|hu|hong|rach|mau moi",
    "gia han": r"gia han|het han|keo dai|them thoi gian|qua han",
    "cap dieu chinh": r"dieu chinh|sua|doi|thay doi|cap nhat|them",
    "dieu chinh": r"dieu chinh|sua|doi|thay doi|cap nhat|sai",
    "thay doi": r"thay doi|doi|sua|chuyen|them|bot|bo sung|cap nhat",
    "thu hoi": r"thu hoi|bi thu|tich thu|rut",
    "cham dut": r"cham dut|nghi luon|dep|giai the|dong cua|thoi|khong lam nua|ngung",
    "tam ngung": r"tam ngung|tam nghi|nghi|ngung|dong cua|tam dung",
    "tam dung": r"tam dung|tam ngung|tam nghi|nghi|ngung|dung",
    "xoa": r"xoa|cat|huy|rut|bo",
    "huy": r"huy|xoa|bo",
    "giai the": r"giai the|dep|dong cua|cham dut",
    "dang ky lai": r"dang ky lai|lam lai|dang ky lai|so bo|so goc|so ho tich",
    "dinh chinh": r"dinh chinh|sai|sua|nham",
    "sua doi": r"sua|doi|thay doi|dieu chinh",
    "cap ban sao": r"ban sao|sao|trich luc|them ban",
    "tiep tuc": r"tiep tuc|lai|mo lai|hoat dong lai",
    "mo khoa": r"mo khoa|mo lai|bi khoa",
}
_ACTION_ORDER = sorted(_ACTION_WORDS, key=len, reverse=True)
_ACTION_RES = {a: re.compile(rf"\b(?:{w})\b") for a, w in _ACTION_WORDS.items()}


_NAME_VERB = re.compile(r"^(?:dang ky|thong bao|de nghi|to khai|giai quyet|thu tuc)\s+")


def leading_action(folded_name: str) -> str | None:
    """The variant action a name starts with ("cap lai", "gia han"...), if any.

    "Đăng ký thay đổi …", "Thông báo tạm ngừng …" count as their second verb.
    """
    text = _NAME_PREFIX.sub("", folded_name)
    text = _NAME_VERB.sub("", text)
    for action in _ACTION_ORDER:
        if text == action or text.startswith(action + " "):
            return action
    return None


def action_expressed(action: str, folded_query: str) -> bool:
    """Whether the citizen's words ask for ``action`` (directly or in everyday words)."""
    return bool(_ACTION_RES[action].search(folded_query))


_NAME_PREFIX = re.compile(r"^(?:thu tuc|trinh tu thu tuc|trinh tu)\s+")

# Situations a curated alias may name ("mất sổ đỏ", "đổi bằng lái hết hạn"): an alias
# that names one only matches well when the citizen's words name it too. Each group:
# (words in the alias, words in the query that express it).
_ALIAS_MARKERS: dict[str, tuple[str, str]] = {
    # Lost or damaged papers are both replaced by a "cấp lại".
    "replace": (r"mất|bị mất|thất lạc|làm lại|cấp lại|xin lại|làm mất|rơi mất|rách|hư|hỏng|bị cháy|cháy mất|nhòe|mờ chữ|bị ướt",
                r"mat|that lac|lam lai|cap lai|xin lai|roi|trom|chay|cuop|moc|khong con|khong thay|rach|hu|hong|nhoe|mo|uot|gay|nat|cu"),
    "renew": (r"hết hạn|gia hạn|cấp đổi|đổi mới|đổi sang|đổi qua",
              r"het han|gia han|doi|sap het|qua han|keo dai|mau moi|cu"),
    "change": (r"thay đổi|sửa|điều chỉnh|cập nhật|đổi tên|đổi địa chỉ|đổi chủ|thêm tên|bớt tên",
               r"thay doi|sua|dieu chinh|cap nhat|doi|sai|them|bot|chuyen|nham"),
    "stop": (r"tạm ngừng|tạm nghỉ|nghỉ bán|giải thể|chấm dứt|đóng cửa|ngừng|dẹp|thôi",
             r"tam ngung|tam nghi|nghi|giai the|cham dut|dong cua|ngung|dep|thoi|khong lam|khong ban"),
    "remove": (r"xóa|xoá|hủy bỏ|huỷ bỏ|thu hồi|cắt tên", r"xoa|huy|thu hoi|cat|rut|bo"),
    "foreign": (r"nước ngoài|việt kiều|đài loan|hàn quốc|trung quốc|nhật bản|campuchia|ngoại quốc",
                r"nuoc ngoai|viet kieu|dai loan|han|trung quoc|nhat|my|uc|phap|campuchia|lao|thai|ngoai quoc|quoc tich|tay"),
    "reregister": (r"đăng ký lại|sổ bộ|sổ gốc", r"dang ky lai|lam lai|so bo|so goc|so ho tich|mat so"),
    "copy": (r"bản sao|trích lục|sao y", r"ban sao|sao|trich luc|them ban"),
}
# Alias patterns read the accented text (aliases are written with accents): folded,
# "sổ hồng" would read as "hỏng" and "vắng mặt" as "mất".
_ALIAS_MARKER_RES = {
    g: (re.compile(rf"(?<!\w)(?:{a})(?!\w)"), re.compile(rf"\b(?:{q})\b"))
    for g, (a, q) in _ALIAS_MARKERS.items()
}
_ALIAS_MARKER_FOLDED = {
    g: re.compile(r"\b(?:" + "|".join(fold(x) for x in a.split("|")) + r")\b")
    for g, (a, _) in _ALIAS_MARKERS.items()
}


def alias_markers(alias: str) -> frozenset[str]:
    """The situations an alias names (see ``_ALIAS_MARKERS``).

    Reads the accented, lower-case alias; an alias typed without accents is read folded.
    """
    text = unicodedata.normalize("NFC", alias).lower()
    if strip_marks(text) == text:
        return frozenset(g for g, pattern in _ALIAS_MARKER_FOLDED.items() if pattern.search(text))
    return frozenset(g for g, (pattern, _) in _ALIAS_MARKER_RES.items() if pattern.search(text))


def marker_expressed(group: str, folded_query: str) -> bool:
    """Whether the citizen's words name the situation ``group``."""
    return bool(_ALIAS_MARKER_RES[group][1].search(folded_query))


def strip_name(folded_name: str) -> list[str]:
    """Tokens of a folded procedure name used for matching (no "thủ tục", no level tag)."""
    text = _NAME_PREFIX.sub("", folded_name)
    text = LEVEL_MARKER_RE.sub(" ", text)
    return text.split()

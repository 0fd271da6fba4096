"""Which procedure a message is about, given the conversation so far.

The Rasa actions call :func:`resolve` with the citizen's words, the procedure the
conversation is about and the choices last offered; it decides whether the message
names a new procedure, picks one of the offered choices, is a follow-up about the
current one, or cannot be placed. Kept free of Rasa so it can be tested alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from . import aspects as aspect_cues
from . import lexicon
from .masking import mask
from .normalize import fold, normalize, sanitize
from .search import SearchHit, SearchIndex

# A message needs at least this much procedure-specific weight (IDF units) to be
# read as naming a procedure rather than following up on the current one.
NAMING_WEIGHT = 2.5
# ... and this much to replace the procedure the conversation is about.
REPLACE_WEIGHT = 4.0
# Minimum search score, and match, for a new procedure to replace the current one.
REPLACE_SCORE = 0.3
REPLACE_MATCH = 0.45
# With this much specific vocabulary an unclear message is a new question (ask which
# procedure) rather than a follow-up on the current one.
STRONG_WEIGHT = 5.0
# A reply needs this much naming weight to pick an offered choice by its words.
PICK_WEIGHT = 1.0
# A follow-up whose words name another procedure this well (but not well enough to
# leave the current one) gets it offered under the answer.
ASIDE_SCORE = 0.25
ASIDE_SURE = 0.8
ASIDE_MATCH = 0.6
# Below this the search has found nothing worth offering.
MIN_SCORE = 0.18
# When to ask instead of answering: a rival is nearly as probable as the best ("làm
# căn cước": first issue, re-issue, change...). When the best is not sure enough, or its
# best description matches the words poorly, it is answered and the next ones are
# offered under the answer (one tap away). Chosen on the development questions
# (bench/dialogue_accuracy.py --sets dev): right directly 78 % → 88 %, right within two
# turns 93 % → 95 % (with BROAD_PROBABILITY: 88 % / 95.5 %). A rival is asked about
# only when the citizen's words do not tell the two apart (dev4 round: right directly on
# the dev questions 86.7 % → 87.6 %, within two turns unchanged).
RIVAL_RATIO = 0.8
# Below this the words are too broad to guess ("giấy phép", "bảo hiểm"): ask.
BROAD_PROBABILITY = 0.25
SURE_PROBABILITY = 0.6
SURE_MATCH = 0.3
# In a conversation, a hit of the current procedure's field this close to the best one
# is preferred (and answered as a guess, the others one tap away).
FIELD_RATIO = 0.7

_ORDINALS = {
    "1": 1, "mot": 1, "nhat": 1, "dau": 1, "dau tien": 1,
    "2": 2, "hai": 2, "nhi": 2,
    "3": 3, "ba": 3,
    "cuoi": -1, "cuoi cung": -1, "sau cung": -1,
}
_CHOICE_RE = re.compile(
    r"^(?:(?:chon|lay|la|cai|so|thu|muc|y|phuong an|dong|thu tuc)\s+){0,3}"
    r"(1|2|3|mot|hai|ba|nhat|nhi|dau tien|dau|cuoi cung|cuoi|sau cung)"
    r"(?:\s+(?:a|nha|nhe|do|day|ha|thoi|di|ne|a ban|bot|nhat|tien|cung))*$"
)
_CORRECTION_RE = re.compile(
    # The \b keeps "k"/"ko" from eating the start of a word ("khai tử" is no correction).
    r"^(?:khong|ko|k|hong|hok|sai|nham|khong phai|ko phai|k phai|chua dung|khong dung|ko dung)\b"
    # Southern "hổng có giấy đó thì sao" is "không có" (lacking), not "no, I meant".
    r"(?!\s+(?:co|duoc|biet|can|hieu|nho|thay|lam|di|con|it|du|kip)\b)"
    r"(?:\s+(?:phai|dung|roi|a|nha|nhe|dau|cai do|thu tuc do|vay|z))*"
    r"(?:\s+(?:y (?:toi|tui|minh|em|con|chau) la|toi hoi|tui hoi|minh hoi|em hoi|toi muon hoi|ma la|la|y la|toi can|tui can))?\s*"
)
_CONTRAST_RE = re.compile(r"^(?:vay |the |con |con vay |vay con |the con )+|(?:thi sao|the nao|ra sao|sao)$")


# A masked number and the label before it ("sđt tôi 09..." → "sđt tôi [SĐT]").
_PERSONAL = re.compile(
    r"(?:\b(?:sdt|sđt|số điện thoại|so dien thoai|điện thoại|dien thoai|đt|dt|email|mail|gmail|"
    r"cccd|cmnd|số cccd|so cccd|căn cước số|can cuoc so|mã hồ sơ|ma ho so|số|so)"
    r"(?:\s+(?:của\s+)?(?:tôi|tui|em|mình|toi|minh|là|la))*\s*:?\s*)?\[[^\]]{1,20}\]",
    re.IGNORECASE,
)


# Words of a follow-up question that name no procedure ("cấp nào giải quyết", "hồ sơ
# cần chuẩn bị những gì", "mấy ngày có kết quả"); dropped before deciding whether a
# message names a new procedure while one is being discussed.
_FOLLOWUP_NOISE = re.compile(r"\b(?:" + "|".join([
    r"(?:cap|co quan|noi|ai|don vi|phong) nao (?:giai quyet|cap|lam|thu ly|tiep nhan|xu ly)",
    r"(?:cai|thu tuc|ho so|giay|vu|viec|giay to) (?:nay|do|kia|ay|vua roi|tren)",
    r"(?:chuan bi|can chuan bi|gom|gom co|bao gom) (?:nhung )?(?:gi|nhung gi)", r"nhung gi",
    r"(?:trinh tu|cach|buoc) (?:thuc hien|lam)", r"thuc hien (?:ra sao|sao|the nao|nhu the nao)",
    r"(?:co|lay|nhan|tra|bao gio co) ket qua", r"ket qua",
    r"(?:trong|ngay trong|lay trong) ngay", r"lay (?:lien|ngay|lien duoc)",
    r"(?:gui|nop) (?:ho so )?(?:qua|tren) (?:mang|dien thoai|app|zalo|vneid)", r"tren vneid", r"qua vneid",
    r"(?:co|nhan|lanh) tien", r"bao gio", r"duoc (?:hem|hong|hok|khong|ko)",
    # Southern "giờ" is "now" ("giờ xin ở xã hay lên tỉnh").
    r"^(?:bay )?gio", r"bay gio",
]) + r")\b")

# "nếu đất chưa có sổ thì sao", "mà công ty chưa chốt sổ thì sao", "hổng có giấy đó
# thì sao": a condition of the current procedure, not a new one (unlike "còn … thì sao").
_CONDITION = re.compile(
    r"^(?:neu|lo|ma|nhung|truong hop|rui|lo nhu|gia su|con neu)\b"
    r"|\b(?:khong|chua|hong|het|mat) (?:co|con|kip|du)\b.*\bthi (?:sao|lam sao|duoc khong|co duoc khong|tinh sao)$"
)

# "bạn gái mình hộ khẩu ở xã khác thì nộp ở đâu", "ổng bệnh nằm nhà đi không được thì
# sao": a situation, then a short question about the current procedure. A clause that
# does something ("làm căn cước cho con thì cần gì") may name a new procedure instead.
_THEN_QUESTION = re.compile(r"^(?P<clause>.+?)\bthi(?P<tail>(?: [a-z]+){1,6})$")
_ACTION = re.compile(
    r"\b(?:lam|xin|dang ky|cap|doi|sang ten|chung thuc|tach|nhap|khai|mua|ban (?:dat|nha|xe)|chuyen|sua|xay|cat"
    r"|gia han|mo|thanh lap|huong|nhan|nuoi|ket hon|ly hon|dang ki|thue|bao|to cao|khieu nai)\b"
)


# "còn …", "vậy còn …" (not "con của ổng", "con gái tui": a child).
_STILL = re.compile(r"^(?:vay |the )?con\b(?! (?:cua|nho|gai|trai|ruot|nuoi|be|chau|neu)\b)")


def _is_condition(folded: str) -> bool:
    """A condition on the current procedure rather than a new one (see above)."""
    if _STILL.match(folded):
        return False  # "còn sang tên cho con thì sao": another procedure
    if _CONDITION.search(folded):
        return True
    match = _THEN_QUESTION.match(folded)
    if match is None:
        return False
    # "sửa lại thì cần giấy gì": a bare verb names nothing new either.
    clause = match.group("clause")
    return len(clause.split()) <= 2 or not _ACTION.search(clause)


# "cái này", "thủ tục đó", "hồ sơ này": the citizen points back at the current procedure.
_REFERS_BACK = re.compile(
    r"\b(?:cai|thu tuc|ho so|giay|vu|viec|giay to|cai giay|giay phep|giay chung nhan|so|the|bang|don)"
    r" (?:nay|do|kia|ay|vua roi|tren|vua noi)\b"
)


@dataclass
class Resolution:
    """What a message refers to.

    Attributes:
        kind: ``procedure`` (code set), ``choices`` (ask among ``hits``), ``followup``
            (the current procedure), or ``none`` (nothing found).
        code: the procedure to answer about (for ``procedure`` and ``followup``).
        hits: the search results (best first).
        new: True when the message named a procedure different from the current one.
        alternatives: for an answer the search is not sure of, the next procedures to
            offer under it.
    """

    kind: str
    code: str | None = None
    hits: list[SearchHit] = field(default_factory=list)
    new: bool = False
    alternatives: list[SearchHit] = field(default_factory=list)


def without_personal(text: str | None) -> str:
    """The message with phone and ID numbers (and their labels) taken out.

    They say nothing about the procedure ("sđt tôi 09…" is no request for a phone
    number) and only add noise.
    """
    return _PERSONAL.sub(" ", mask(sanitize(text)))


def parse_choice(text: str | None, n_choices: int = 3) -> int | None:
    """The 0-based index a reply like "cái thứ 2", "số 3", "1" or "cái cuối" picks."""
    folded = fold(sanitize(text))
    if not folded:
        return None
    match = _CHOICE_RE.match(folded)
    if not match:
        return None
    value = _ORDINALS.get(match.group(1))
    if value is None:
        return None
    index = n_choices - 1 if value == -1 else value - 1
    return index if 0 <= index < n_choices else None


def strip_correction(text: str) -> tuple[str, bool]:
    """Remove a leading "không phải, ý tôi là" and say whether there was one."""
    folded = fold(sanitize(text))
    match = _CORRECTION_RE.match(folded)
    if match and match.end() > 0 and match.group(0).strip():
        return folded[match.end():].strip(), True
    return folded, False


def is_condition(text: str) -> bool:
    """True for "nếu chưa có sổ thì sao", "bạn gái mình hộ khẩu ở xã khác thì nộp ở đâu"."""
    return _is_condition(fold(sanitize(text)))


# "có phải khám sức khỏe hông", "chủ nhà có cần đi cùng không": whether the case needs
# something; the documents (with the conditions) answer it, not the overview.
_REQUIREMENT = re.compile(
    r"(?:^|\bco )(?:phai|can|bat buoc) (?:[a-z]+ ){1,6}(?:khong|ko|k|hong|hok|hem|chua)(?: (?:a|ad|vay|z|ha|ta))?$")


def followup_aspect(text: str) -> str:
    """What a follow-up with no aspect words asks about the procedure at hand.

    A condition ("nếu ổng hổng về ký được thì sao") or a requirement ("có phải có người
    làm chứng hông") is answered by the documents; anything else by the overview.
    """
    folded = fold(sanitize(text))
    return "documents" if _is_condition(folded) or _REQUIREMENT.search(folded) else "overview"


def is_contrast(text: str) -> bool:
    """True for "còn … thì sao" / "vậy còn …": the same question about another procedure.

    Not for a condition ("nếu chưa có sổ thì sao"), which is about the current one.
    """
    folded = fold(sanitize(text))
    if _is_condition(folded):
        return False
    return bool(_STILL.match(folded)) or folded.endswith(("thi sao", "the nao"))


def _pick_by_words(index: SearchIndex, text: str, choices: Sequence[str]) -> str | None:
    """Pick among offered choices by the words of the reply (e.g. "cái lưu động")."""
    folded = fold(text)
    if not folded:
        return None
    scored = []
    for code in choices:
        i = index.by_code.get(code)
        if i is None:
            continue
        name = fold(index.entries[i].name)
        scored.append((fuzz.partial_token_set_ratio(folded, name) + fuzz.token_set_ratio(folded, name), code))
    if not scored:
        return None
    scored.sort(reverse=True)
    best, runner = scored[0], scored[1] if len(scored) > 1 else (0, None)
    if best[0] >= 120 and best[0] - runner[0] >= 15:
        return best[1]
    return None


def resolve(
    index: SearchIndex,
    text: str | None,
    *,
    current: str | None = None,
    choices: Sequence[str] = (),
) -> Resolution:
    """Decide which procedure ``text`` is about.

    Args:
        index: the catalogue's search index.
        text: what the citizen typed (any input).
        current: the procedure the conversation is about, if any.
        choices: codes offered in the last choice question, if still open.
    """
    clean = without_personal(text)
    if choices:
        picked = parse_choice(clean, len(choices))
        if picked is not None:
            return Resolution("procedure", choices[picked], new=choices[picked] != current)
    query, corrected = strip_correction(clean)
    clean_folded = fold(clean)
    # Words that pick an offered choice ("cái lưu động"); not a question about the
    # procedure just answered ("có cần mang theo hộ khẩu giấy ko" with alternatives
    # shown under the answer).
    asked = aspect_cues.detect(clean) if current else []
    asks_aspect = any(a != "overview" for a in asked)
    if (choices and not asks_aspect
            and index.naming_weight(_FOLLOWUP_NOISE.sub(" ", query)) >= PICK_WEIGHT):
        # Words that name something ("cái lưu động"), not a bare "nộp ở đâu".
        code = _pick_by_words(index, query, choices)
        if code:
            return Resolution("procedure", code, new=code != current)
    spoken = query
    if current and not corrected:
        # Question and place words name no procedure: "làm ở công an xã được ko" asks
        # where, it does not name "Trình báo mất thẻ ABTC (thực hiện tại cấp xã)".
        spoken = " ".join(_FOLLOWUP_NOISE.sub(" ", query).split())
        query = aspect_cues.without_cues(spoken)
    hits = index.search(query, limit=5) if query else []
    weight = index.naming_weight(query) if query else 0.0
    names_one = bool(hits) and weight >= NAMING_WEIGHT and hits[0].score >= MIN_SCORE
    if choices and not current and not names_one and not corrected and clean.strip():
        # "nộp ở đâu" while the choice is still open: ask again, keeping the question.
        return Resolution("choices", None, _hits_for(index, choices))
    if current and not corrected:
        # The words fit the current procedure about as well as anything: a follow-up.
        near = {h.code for h in hits[:3]} | {a["code"] for h in hits[:3] for a in h.also}
        # "Còn … thì sao" asks about another procedure even when it is a close sibling.
        condition = _is_condition(clean_folded)
        contrast = is_contrast(clean) and not condition and hits and hits[0].code != current

        def replaces_with(found: list[SearchHit], strength: float) -> bool:
            return (
                bool(found) and strength >= NAMING_WEIGHT and found[0].score >= MIN_SCORE
                and (contrast or current not in near) and not _REFERS_BACK.search(clean_folded)
                and not condition
                and strength >= REPLACE_WEIGHT
                and found[0].score >= REPLACE_SCORE and found[0].match >= REPLACE_MATCH
                and (not found[0].ambiguous or strength >= STRONG_WEIGHT)
            )

        if not replaces_with(hits, weight):
            # A thing named inside the question ("có cần giấy xác nhận độc thân hk",
            # "mang theo hộ khẩu không") is most likely a paper of this procedure; when
            # it is a procedure of its own too, it is offered one tap away.
            aside: list[SearchHit] = []
            if spoken != query and spoken and "documents" in asked:
                named = index.search(spoken, limit=3)
                if (named and named[0].code != current
                        and replaces_with(named, index.naming_weight(spoken))):
                    aside = named[:1]
            if (not aside and hits and hits[0].score >= ASIDE_SCORE and weight >= STRONG_WEIGHT
                    and current not in near and not _REFERS_BACK.search(clean_folded)
                    and (not condition or (hits[0].probability >= ASIDE_SURE
                                           and hits[0].match >= ASIDE_MATCH))):
                # Words that name something else, not surely enough to leave the
                # procedure under discussion: answered about it, the others one tap away
                # (after a condition, "còn nếu nghỉ bán luôn thì sao", only a sure one).
                aside = hits[:2]
            return Resolution("followup", current, hits, alternatives=aside)
    if not names_one:
        return Resolution("none", None, hits)
    top = hits[0]
    if corrected and current:
        hits = [h for h in hits if h.code != current and current not in {a["code"] for a in h.also}] or hits
        top = hits[0]
    promoted = False
    if current and not corrected:
        hits, promoted = _prefer_field(index, hits, current)
        top = hits[0]
    if not promoted and needs_choice(hits, query):
        return Resolution("choices", None, hits[:3])
    unsure = promoted or top.probability < SURE_PROBABILITY or top.match < SURE_MATCH
    alternatives = hits[1:3] if unsure else []
    if unsure and current and not corrected and top.code != current:
        # Leaving the procedure under discussion on a guess: it stays one tap away.
        alternatives = _hits_for(index, [current]) + hits[1:2]
    return Resolution("procedure", top.code, hits, new=top.code != current,
                      alternatives=alternatives)


def _prefer_field(index: SearchIndex, hits: list[SearchHit], current: str) -> tuple[list[SearchHit], bool]:
    """Among near-tied hits, the one in the field of the procedure under discussion.

    A conversation about building permits that goes on with "còn sửa lại nhà cũ thì sao"
    most likely means another construction procedure, not a same-worded one of another
    field. Returns the hits and whether one was moved up.
    """
    i = index.by_code.get(current)
    if i is None or not hits or hits[0].field == index.entries[i].field:
        return hits, False
    field_of_current = index.entries[i].field
    for j, hit in enumerate(hits[1:3], 1):
        if hit.field == field_of_current and hit.score >= FIELD_RATIO * hits[0].score:
            return [hit, *hits[:j], *hits[j + 1:]], True
    return hits, False


def _hits_for(index: SearchIndex, codes: Sequence[str]) -> list[SearchHit]:
    """The offered procedures again, as hits in the order they were shown."""
    out = []
    for code in codes:
        i = index.by_code.get(code)
        if i is not None:
            e = index.entries[i]
            out.append(SearchHit(e.code, e.name, e.level, e.online_level, e.field, 0.0, ""))
    return out


# Words of a name that tell nothing apart ("thủ tục", "thực hiện tại cấp tỉnh").
_PLAIN_NAME_WORDS = frozenset("thu tuc thuc hien tai cap tinh huyen xa trung uong va cua cho doi voi".split())


def _variants_unasked(query: str, first: str, second: str) -> bool:
    """True when no word telling the two names apart is among the citizen's own words.

    "làm căn cước" meets "Cấp thẻ căn cước cho người từ đủ 14 tuổi" and "Cấp lại thẻ
    căn cước": the citizen said neither "lại" nor "14 tuổi", so the choice is theirs;
    "chế độ thai sản" against "chế độ ốm đau" said which.
    """
    a, b = set(fold(first).split()), set(fold(second).split())
    telling = (a ^ b) - _PLAIN_NAME_WORDS
    # The citizen's own words: the rewrite spells out a default variant ("làm căn cước"
    # → "cấp thẻ căn cước cho người từ đủ 14 tuổi") that they did not choose.
    own = set(lexicon.rewrite(normalize(query))[0])
    return not telling & own


def needs_choice(hits: Sequence[SearchHit], query: str) -> bool:
    """True when the citizen should pick among the top hits rather than get the first.

    The words are too broad (no hit is probable), or a rival is nearly as probable and
    the query does not say which of the two it means.
    """
    if len(hits) < 2:
        return False
    if hits[0].probability < BROAD_PROBABILITY:
        return True
    if hits[1].probability < RIVAL_RATIO * hits[0].probability:
        return False
    return _variants_unasked(query, hits[0].name, hits[1].name)

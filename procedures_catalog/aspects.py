"""Which aspect of a procedure a message asks about: a decision of its own.

The intent classifier learns aspects from examples, but a question that also names a
procedure ("chuyển đất vườn lên thổ cư cần hồ sơ gì") is often classified by its
procedure words and loses the aspect. The aspects are a small closed set with strong
question words ("giấy tờ", "bao nhiêu tiền", "mấy ngày", "ở đâu", "qua mạng", "các
bước"), kept in ``data/language/aspects.yaml``; :func:`decide` combines those cues
with the classifier's reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .language import compile_patterns, load_words
from .normalize import fold, normalize

ASPECTS = ("overview", "level", "where", "online", "documents", "fees", "time", "steps")
# Aspects a message can ask about (overview is what is left when none is asked).
ASKABLE = ASPECTS[1:]
# Cues may also mark "which procedure" (the overview), overriding a classifier's guess,
# and "how do I do it" in general words (``how``: the steps, with the overview when the
# message names the procedure itself).
CUE_ASPECTS = (*ASPECTS, "how")
DATA = Path(__file__).resolve().parent / "data" / "language" / "aspects.yaml"
# At most this many aspects are answered for one message.
MAX_ASPECTS = 2
# Below this confidence an aspect intent without any cue word is not trusted; when the
# message also names a procedure, the classifier mostly reads its procedure words, so
# it must be nearly sure (dev questions: most aspect errors came from there).
TRUST_INTENT = 0.6
TRUST_INTENT_NAMED = 0.9


@dataclass(frozen=True)
class Cue:
    """One aspect cue found in a message."""

    aspect: str
    start: int
    text: str


class CueError(ValueError):
    """The aspect cue file is malformed (names the aspect and pattern)."""


@lru_cache(maxsize=4)
def load_cues(path: Path = DATA) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Read and validate the cue file: known aspects, compilable patterns."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = raw.get("aspects")
    if not isinstance(table, dict):
        raise CueError(f"{path.name}: top-level 'aspects' mapping missing")
    out: list[tuple[str, re.Pattern[str]]] = []
    for aspect, patterns in table.items():
        if aspect not in CUE_ASPECTS:
            raise CueError(f"{path.name}: unknown aspect {aspect!r} (one of {', '.join(CUE_ASPECTS)})")
        out.extend((aspect, p) for p in compile_patterns(patterns, f"{path.name}: {aspect}", CueError))
    return tuple(out)


@lru_cache(maxsize=8)
def load_section(name: str, path: Path = DATA) -> tuple[re.Pattern[str], ...]:
    """A list of patterns of the cue file besides the aspects (``places``, ``items``)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    patterns = raw.get(name)
    if not isinstance(patterns, list) or not patterns:
        raise CueError(f"{path.name}: {name!r} needs a list of patterns")
    return tuple(compile_patterns(patterns, f"{path.name}: {name}", CueError))


def without_cues(text: str | None) -> str:
    """The cue text of ``text`` without its question and place words.

    What is left is what could name a procedure: "bạn gái mình hộ khẩu ở xã khác thì
    nộp ở đâu" → "ban gai minh ho khau thi". A paper to bring ("có cần mang theo hộ
    khẩu không") is left out too: it is a document of the procedure, not a new one.
    """
    folded = cue_text(text)
    # Every cue's span on the same text, so one cue cannot break another's words.
    keep = [True] * len(folded)
    for pattern in (*(p for _, p in load_cues()), *load_section("places"), *load_section("items")):
        for match in pattern.finditer(folded):
            keep[match.start():match.end()] = [False] * (match.end() - match.start())
    return " ".join("".join(c if k else " " for c, k in zip(folded, keep)).split())


# "uu" only after a vowel ("đâuu"): "cứu", "hưu", "lưu" end in "uu".
_DOUBLED_END = re.compile(r"([a-tv-z])\1+\b|(?<=[aeioy])(u)u+\b")
# "bao nhiêu" with "nhiêu" spelled out as "bao nhiêu".
_BAO_BAO = re.compile(r"\bbao (?=bao nhieu\b)")


@lru_cache(maxsize=4096)
def cue_text(text: str | None) -> str:
    """The folded message with teencode and southern words spelled out.

    A letter typed twice at a word's end ("tiềnn", "ngàyy") is typed once: no
    Vietnamese syllable ends so (but for "uu": "cứu", "hưu").
    """
    folded = load_words()[1]
    words = (fold(folded[t]) if t in folded else t for t in normalize(text))
    return _BAO_BAO.sub("", _DOUBLED_END.sub(lambda m: m.group(1) or m.group(2), " ".join(words)))


# The words of a documents cue around the paper it names ("có cần giấy … không").
_PAPER_FRAME = frozenset(
    "can co phai giay to khong ko k hong hok chua mang dem theo nop gi nao chi nua nhung cac may cai".split())


def _names_own_paper(cue: str, name_folded: str) -> bool:
    """True when the paper a documents cue names is the procedure's own result.

    "có cần giấy kiểm dịch hông" about "Cấp giấy chứng nhận kiểm dịch động vật" asks
    whether the procedure is needed, not for its documents.
    """
    words = [w for w in cue.split() if w not in _PAPER_FRAME]
    return bool(words) and all(f" {w} " in name_folded for w in words)


def find_cues(text: str | None, name: str | None = None) -> list[Cue]:
    """Aspect cues in ``text``, in the order they appear (one per aspect).

    Args:
        text: what the citizen typed.
        name: the procedure's name, if known: a cue that is part of it ("thời hạn"
            in "gia hạn thời hạn sử dụng đất") names the procedure, not the question.
    """
    folded = cue_text(text)
    if not folded:
        return []
    name_folded = f" {fold(name)} " if name else ""
    found: dict[str, Cue] = {}
    for aspect, pattern in load_cues():
        for match in pattern.finditer(folded):
            if name_folded and f" {match.group(0).strip()} " in name_folded:
                continue
            if aspect == "documents" and name_folded and _names_own_paper(match.group(0), name_folded):
                continue
            best = found.get(aspect)
            if best is None or match.start() < best.start:
                found[aspect] = Cue(aspect, match.start(), match.group(0))
            break
    if "level" in found:
        # "ở xã hay lên tỉnh": the level answer says where to go as well.
        found.pop("where", None)
    if "steps" in found:
        found.pop("how", None)
    return sorted(found.values(), key=lambda c: c.start)


# Clause breaks, and words that end a question ("… có phải báo ai hông").
_CLAUSE = re.compile(r"[,.;!?\n]+")
_ASKS = re.compile(r"\b(?:khong|ko|k|hong|hok|hem|chua|sao|gi|dau|nao|nhieu|vay|z|ha|ta)"
                   r"(?: (?:ad|ban|bot|a|nha|nhe|vay|z|ha|ta|em|chi|anh|co|chu|cau))*$")
# A trailing clause this short and without cues is a sign-off ("ad", "tui ở Cai Lậy").
SHORT_TAIL = 4


@lru_cache(maxsize=4096)
def question_part(text: str | None) -> str | None:
    """The clauses that ask, at the end of a message that tells its story first.

    "tủ đựng giấy tờ bị trôi mất, trong đó có cuốn sổ đỏ, giờ xin cấp lại thì làm sao":
    the papers are the story, the question is "thì làm sao". The last clause with cues
    and the ones with cues just before it ("cần giấy gì, tốn nhiêu") are kept; a last
    question without cues ("muốn tạm nghỉ bán thì có phải báo ai hông") stands alone.
    Otherwise (one clause, or no question at the end) the whole message.
    """
    if not text:
        return text
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    if len(clauses) < 2:
        return text
    cued = [bool(find_cues(c)) for c in clauses]
    end = len(clauses)
    while end > 1 and not cued[end - 1] and len(clauses[end - 1].split()) <= SHORT_TAIL:
        end -= 1
    if not cued[end - 1]:
        return clauses[end - 1] if _ASKS.search(cue_text(clauses[end - 1])) else text
    start = end - 1
    while start > 0 and cued[start - 1]:
        start -= 1
    return ", ".join(clauses[start:end])


def detect(text: str | None, name: str | None = None, *, names_procedure: bool = False) -> list[str]:
    """The aspects ``text`` asks about, in order (``[]`` when it asks none).

    ``["overview"]`` means the words ask which procedure ("cần làm những giấy tờ gì").
    A general "how" ("làm lại sổ đỏ sao vậy") asks for the steps; when the message
    names the procedure itself (``names_procedure``) and asks nothing else, it gets the
    overview and the steps.
    """
    found = [c.aspect for c in find_cues(question_part(text), name)]
    asked = [a for a in found if a != "overview"]
    if asked == ["how"] and names_procedure:
        return ["overview", "steps"]
    asked = list(dict.fromkeys("steps" if a == "how" else a for a in asked))
    if asked and "overview" in found:
        # "giấy phép xây dựng có thời hạn là sao, xin ở đâu": what it is, then where.
        return ["overview", *asked][:MAX_ASPECTS]
    return asked[:MAX_ASPECTS] if asked else found[:1]


def decide(text: str | None, intent_aspect: str | None, confidence: float | None = None,
           *, name: str | None = None, names_procedure: bool = False) -> list[str]:
    """The aspects to answer, combining the cue words with the classifier.

    Args:
        text: what the citizen typed.
        intent_aspect: the aspect of the classified intent (``overview`` for
            ``ask_procedure``), or None when the intent is not about a procedure.
        confidence: the classifier's confidence in that intent.
        name: the procedure's name, if resolved (its own words are not cues).
        names_procedure: True when the message itself names a procedure (not a bare
            follow-up); then an aspect the classifier guessed without any cue word
            is not trusted ("tách sổ cho con được hông" asks about the procedure).

    Returns:
        One or two aspects, first the one asked first.
    """
    cues = detect(text, name, names_procedure=names_procedure)
    if cues:
        return cues
    aspect = intent_aspect if intent_aspect in ASPECTS else "overview"
    if aspect == "overview":
        return ["overview"]
    if names_procedure and (aspect == "online" or (confidence or 0.0) < TRUST_INTENT_NAMED):
        # Unsure whether the classifier read the question or the procedure's words
        # ("… được hông" reads as "online?" to it): the overview (which sums up level,
        # online, time and fees) and the aspect.
        return ["overview", aspect] if (confidence or 0.0) >= TRUST_INTENT else ["overview"]
    if (confidence or 0.0) < TRUST_INTENT:
        return ["overview"]
    return [aspect]

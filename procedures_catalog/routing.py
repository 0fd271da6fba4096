"""Search-aware routing: a procedure question is never refused for its wording.

The intent classifier reads "cho tui hỏi làm giấy phép cất nhà" as small talk now
and then, "… nộp qua mạng được không" as portal help, "hổng có giấy đó thì sao" as
nothing at all. :func:`route` looks at the same message with the catalogue search and
a few explicit cue lists (``data/language/routing.yaml``) and decides whether to keep
the classifier's intent or answer about a procedure instead:

* an explicit request keeps its intent (a person, the portal itself, the totals);
* a follow-up about the procedure under discussion that asks an aspect is answered;
* a message with procedure words that names a catalogue procedure is answered, or,
  when the classifier was sure it was something else, offered as a choice;
* anything else keeps its intent (``out_of_scope`` only when both agree).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from . import aspects as aspect_cues
from .dialogue import (
    Resolution,
    followup_aspect,
    is_contrast,
    resolve,
    strip_correction,
    without_personal,
)
from .language import compile_patterns
from .masking import DOSSIER_MASK, mask
from .normalize import fold
from .search import SearchIndex

DATA = Path(__file__).resolve().parent / "data" / "language" / "routing.yaml"
GROUPS = ("domain", "handoff", "portal_strong", "portal", "stats", "dossier")
# Intents whose own answer is not about one procedure.
SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge"})
# A citizen's own dossier: its status, following it.
DOSSIER = frozenset({"check_dossier", "follow_dossier", "unfollow_dossier"})
OTHER_INTENTS = SMALL_TALK | DOSSIER | {"out_of_scope", "nlu_fallback", "human_handoff",
                                        "portal_help", "catalogue_stats"}
# A "yes"/"no" this long is a question of its own.
LONG_REPLY = 4
# A classifier this sure of a non-procedure intent only gets a choice question.
SURE = 0.8
# ... unless the catalogue is this sure of one procedure: its description matches the
# words this well and no rival comes close ("thẩm định thiết kế phòng cháy chữa cháy
# cho nhà xưởng", "nhà bị cháy, cuốn sổ hồng cháy luôn rồi").
CATALOGUE_MATCH = 0.6
CATALOGUE_PROBABILITY = 0.8


class RoutingCueError(ValueError):
    """The routing cue file is malformed."""


@lru_cache(maxsize=4)
def load_groups(path: Path = DATA) -> dict[str, tuple[re.Pattern[str], ...]]:
    """Read and validate the routing cue file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, tuple[re.Pattern[str], ...]] = {}
    for group in GROUPS:
        patterns = raw.get(group)
        if not isinstance(patterns, list) or not patterns:
            raise RoutingCueError(f"{path.name}: group {group!r} needs a list of patterns")
        compiled = compile_patterns(patterns, f"{path.name}: {group}", RoutingCueError)
        out[group] = tuple(compiled)
    unknown = set(raw) - set(GROUPS)
    if unknown:
        raise RoutingCueError(f"{path.name}: unknown group(s) {sorted(unknown)}")
    return out


def has_cue(group: str, text: str | None) -> bool:
    """True when ``text`` carries a cue of ``group`` (domain, handoff, portal, stats)."""
    folded = aspect_cues.cue_text(text)
    return bool(folded) and any(p.search(folded) for p in load_groups()[group])


_WORD = re.compile(r"\w+")


def accents_disagree(text: str, name: str) -> bool:
    """True when the words shared with ``name`` are shared only without their accents.

    Folding lets "giá vàng hôm nay" meet "Khai báo tạm vắng": a message typed with
    accents whose accented words never equal the name's, and one of them differs from a
    name word only by its accents, is not about that procedure.
    """
    named = {fold(w): w for w in _WORD.findall(name.lower())}
    exact = clash = 0
    for word in _WORD.findall(text.lower()):
        twin = named.get(fold(word))
        if twin is None or word == fold(word) or len(word) < 3:
            continue  # not in the name, typed without accents, or a short word ("đỏ"/"do")
        if word == twin:
            exact += 1
        else:
            clash += 1
    return clash > 0 and exact == 0


@dataclass
class Route:
    """Where a message goes.

    Attributes:
        target: ``intent`` (do what the classified intent says), ``procedure`` or
            ``handoff`` (an explicit request for a person).
        resolution: the procedure resolution when ``target`` is ``procedure``.
        aspects: the aspects to answer.
        offer: ask with the top choices rather than answer directly.
    """

    target: str
    resolution: Resolution | None = None
    aspects: list[str] = field(default_factory=lambda: ["overview"])
    offer: bool = False


KEEP = Route("intent")


def route(index: SearchIndex, intent: str | None, confidence: float | None, text: str | None, *,
          current: str | None = None, choices: Sequence[str] = ()) -> Route:
    """Decide whether a message classified as ``intent`` is a procedure question.

    Args:
        index: the catalogue's search index.
        intent: the classified intent (only :data:`OTHER_INTENTS` are re-read).
        confidence: the classifier's confidence.
        text: what the citizen typed.
        current: the procedure the conversation is about, if any.
        choices: the codes of an open choice question.
    """
    if intent in DOSSIER and (DOSSIER_MASK in mask(text or "") or has_cue("dossier", text)):
        return KEEP  # "hồ sơ của tui tới đâu rồi", a dossier code
    text = without_personal(text)
    if not text.strip():
        return KEEP
    if has_cue("handoff", text):
        # "cho tui số điện thoại địa chính xã": a person, whatever else it names.
        return KEEP if intent == "human_handoff" else Route("handoff")
    if intent not in OTHER_INTENTS:
        return KEEP
    if intent == "catalogue_stats" and has_cue("stats", text):
        return KEEP
    asked = aspect_cues.detect(text)
    domain = has_cue("domain", text)
    if intent == "portal_help" and (has_cue("portal_strong", text)
                                    or (has_cue("portal", text) and not (domain and "online" in asked))):
        return KEEP  # the portal itself, unless "đăng ký khai sinh qua VNeID được không"
    resolution = resolve(index, text, current=current, choices=choices)
    sure = (confidence or 0.0) >= SURE
    if resolution.kind == "followup":
        # About the procedure under discussion: answer when it asks something of it
        # ("nó 15 tuổi rồi đổi được không" reads as a "no" to the classifier).
        if asked and (intent not in SMALL_TALK or len(text.split()) >= LONG_REPLY):
            # "cảm ơn nha, mà lệ phí nhiêu vậy": the question, not the thanks.
            return Route("procedure", resolution, asked)
        own = followup_aspect(text)  # "documents" for a condition or a requirement
        if intent in ("deny", "affirm") and len(text.split()) >= LONG_REPLY:
            return Route("procedure", resolution, asked or [own])
        if intent in ("nlu_fallback", "out_of_scope") and (is_contrast(text) or own == "documents"):
            # "còn nếu nghỉ luôn thì sao", "ổng bệnh đi không được thì sao", "chủ nhà có
            # phải đi cùng hông": a question about the case at hand, not a message the
            # bot cannot read.
            return Route("procedure", resolution, asked or [own])
        return KEEP
    if (intent == "deny" and current and len(text.split()) >= LONG_REPLY
            and not (resolution.kind in ("procedure", "choices") and domain)
            and not strip_correction(text)[1]):
        # "phải đăng báo hay niêm yết gì hông": a question ending in "hông" about the
        # procedure at hand (its words name nothing else), not a "no" that drops it.
        return Route("procedure", Resolution("followup", current), asked or [followup_aspect(text)])
    if resolution.kind not in ("procedure", "choices"):
        return KEEP
    # The message names its procedure: a general "làm lại sổ đỏ sao vậy" is the overview
    # and the steps.
    wanted = aspect_cues.detect(text, names_procedure=True) or ["overview"]
    if intent in DOSSIER or intent in ("nlu_fallback", "portal_help", "human_handoff", "catalogue_stats"):
        # Their own cue is missing (checked above): the classifier guessed.
        return Route("procedure", resolution, wanted, offer=resolution.kind == "choices")
    top = resolution.hits[0] if resolution.kind == "procedure" and resolution.hits else None
    if (top is not None and top.match >= CATALOGUE_MATCH and top.probability >= CATALOGUE_PROBABILITY
            and not (intent in SMALL_TALK and (confidence or 0.0) >= SURE)
            and not accents_disagree(text, top.name)):
        # ("dạ cảm ơn bạn" folds close to "da cam": sure small talk stays small talk.)
        return Route("procedure", resolution, wanted)
    if not domain:
        return KEEP
    if intent in SMALL_TALK or intent == "out_of_scope":
        # The classifier saw small talk: answer only what it was unsure of.
        return Route("procedure", resolution, wanted, offer=sure or resolution.kind == "choices")
    return Route("procedure", resolution, wanted, offer=resolution.kind == "choices")

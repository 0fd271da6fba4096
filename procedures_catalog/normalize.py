"""Vietnamese text normalisation for matching what citizens type.

Citizens type on phones without diacritics, with Telex leftovers ("ddawng kys"),
teencode and abbreviations ("ko", "dc", "cccd"), southern spellings ("hổng", "dzậy")
and plenty of filler ("cho em hỏi", "ạ"). Everything is reduced to *folded* tokens:
lower case ASCII syllables, ``đ`` → ``d``, no accent marks.

The functions that need to know which syllables are real words take a
:class:`Vocabulary` (built from the catalogue by the search index).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .language import load_words, strip_marks

_NON_WORD = re.compile(r"[^0-9a-z]+")
_TAG = re.compile(r"<[^>]{0,200}>")
# Script and style elements are code, not words: drop their content with the tags.
_CODE_ELEMENT = re.compile(
    r"<(script|style)\b[^>]{0,200}>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")

MAX_QUERY_CHARS = 500


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold text to lower-case ASCII words separated by single spaces.

    >>> fold("Đăng ký  KHAI SINH!")
    'dang ky khai sinh'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).lower()
    text = strip_marks(text)
    return _NON_WORD.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Return the folded tokens of ``text``."""
    folded = fold(text)
    return folded.split() if folded else []


def sanitize(text: str | None, max_chars: int = MAX_QUERY_CHARS) -> str:
    """Make arbitrary user input safe to process: NFC, no controls, no tags, bounded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))[: max_chars * 4]
    text = _CONTROL.sub(" ", text)
    text = _CODE_ELEMENT.sub(" ", text)
    text = _TAG.sub(" ", text)
    return text[:max_chars]


# Words whose diacritic form tells what they mean (and teencode), spelled out before
# folding. Kept in data/language/words.yaml, shared with the NLU tokenizer.
_DIACRITIC_WORDS, _UNAMBIGUOUS_FOLDED = load_words()

# Letters the Telex input method uses as tone keys; no Vietnamese syllable ends in
# them, so a trailing one on an unknown token is a leftover.
_TELEX_TONES = "sfrxj"


@dataclass
class Vocabulary:
    """Known folded syllables with their frequencies, for spelling repair.

    Args:
        counts: folded syllable → number of occurrences in the catalogue text.
    """

    counts: Mapping[str, int]
    _repairs: dict[str, str | None] = field(default_factory=dict, repr=False)
    _choices: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        # Fuzzy repair only looks at syllables seen at least twice (typos in the
        # catalogue itself should not attract queries).
        self._choices = sorted(w for w, c in self.counts.items() if c >= 2 and len(w) >= 2)

    def __contains__(self, word: object) -> bool:
        return word in self.counts

    def freq(self, word: str) -> int:
        """Frequency of ``word`` (0 if unknown)."""
        return self.counts.get(word, 0)

    def repair(self, word: str) -> str | None:
        """Return the known syllable ``word`` most likely stands for, or None."""
        if word in self.counts or word.isdigit():
            return word
        if word in self._repairs:
            return self._repairs[word]
        fixed = self._repair(word)
        if len(self._repairs) > 50000:
            self._repairs.clear()
        self._repairs[word] = fixed
        return fixed

    def _best(self, candidates: Iterable[str]) -> str | None:
        known = [c for c in candidates if c in self.counts]
        if not known:
            return None
        return max(known, key=lambda c: self.counts[c])

    def _repair(self, word: str) -> str | None:
        if len(word) > 12 or not word.isalnum():
            return None
        candidates = list(_spelling_variants(word))
        best = self._best(candidates)
        if best:
            return best
        # Telex leftovers after the variants ("ddawng" -> "dang"), then one edit.
        if len(word) >= 4:
            matches = process.extract(
                word, self._choices, scorer=Levenshtein.distance, limit=8, score_cutoff=1
            )
            near = [m[0] for m in matches if m[1] <= 1 and abs(len(m[0]) - len(word)) <= 1]
            if near:
                return max(near, key=lambda c: self.counts[c])
        return None


def _telex(word: str) -> str:
    w = word.replace("dd", "d")
    for pair in ("aa", "aw", "ee", "oo", "ow", "uw"):
        w = w.replace(pair, pair[0])
    return w.replace("w", "u")


def _spelling_variants(word: str) -> Iterable[str]:
    """Candidate spellings of an unknown folded token, most plausible first."""
    yield _telex(word)
    # Telex tone key typed anywhere after the first letter ("ddawngs", "kys", "sinhf").
    for i in range(len(word) - 1, 0, -1):
        if word[i] in _TELEX_TONES:
            cut = word[:i] + word[i + 1 :]
            yield cut
            yield _telex(cut)
    # VNI leftovers: digits typed for marks ("ky1", "d9ang8").
    if any(ch.isdigit() for ch in word) and not word.isdigit():
        no_digits = re.sub(r"\d", "", word)
        yield no_digits
    # Teencode and southern spellings of initials and rhymes.
    subs = (
        ("f", "ph"), ("j", "gi"), ("z", "d"), ("z", "v"), ("z", "gi"), ("w", "qu"),
        ("dz", "d"), ("dz", "v"), ("k", "c"), ("c", "k"), ("ng", "ngh"), ("g", "gh"),
        ("d", "gi"), ("gi", "d"), ("v", "d"), ("d", "v"), ("r", "d"), ("d", "r"),
        ("s", "x"), ("x", "s"), ("tr", "ch"), ("ch", "tr"),
    )
    for old, new in subs:
        if word.startswith(old):
            yield new + word[len(old) :]
    rhymes = (
        ("uj", "ui"), ("oj", "oi"), ("aj", "ai"), ("ij", "i"), ("yj", "y"),
        ("ak", "ac"), ("ik", "ich"), ("ek", "ech"), ("ok", "oc"), ("uk", "uc"),
        ("n", "ng"), ("ng", "n"), ("t", "c"), ("c", "t"), ("nh", "n"), ("ch", "t"),
        ("iu", "ieu"), ("uong", "uon"), ("ao", "au"), ("y", "i"), ("i", "y"),
    )
    for old, new in rhymes:
        if word.endswith(old):
            yield word[: -len(old)] + new
    if word.endswith("h") and len(word) > 2:
        yield word[:-1]


# Abbreviations staff and catalogues also write ("BHYT", "HTX", "CCCD"): expanded in
# names and aliases too, so "bhyt" in a question meets "BHYT" in a name.
ABBREVIATIONS: dict[str, str] = {
    k: v for k, v in _DIACRITIC_WORDS.items()
    if len(k) >= 3 and k not in {"hông", "hổng", "hổm", "hơm", "mần", "dzô", "zậy", "dzậy", "zay",
                                 "nhiêu", "nhứt", "tui", "bít", "bik", "bjk", "bjt", "onl", "onlai",
                                 "onlien", "olai", "oline", "onine", "oke", "okie", "ukm", "khg",
                                 "khum", "hok", "bnh", "mik", "web", "sổ đỏ", "vneid", "tgian", "hem", "ổng",
                                 "bme", "ntn"}
}
_ABBREV_RE = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)) + r")(?!\w)")


def expand_abbreviations(text: str) -> str:
    """Spell out abbreviations in catalogue text ("Cấp thẻ BHYT" → "... bảo hiểm y tế")."""
    if not text:
        return ""
    lowered = unicodedata.normalize("NFC", text).lower()
    return _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], lowered)


def _apply_diacritic_words(text: str) -> str:
    out = []
    for raw in re.split(r"(\s+)", text):
        key = raw.strip(".,!?;:…\"'()[]")
        if key in _DIACRITIC_WORDS and key == raw:
            out.append(_DIACRITIC_WORDS[key])
        else:
            out.append(raw)
    return "".join(out)


def normalize(text: str | None, vocab: Vocabulary | None = None) -> list[str]:
    """Turn what a citizen typed into folded, repaired tokens.

    Args:
        text: the raw message (any length, any characters).
        vocab: known syllables; without it no spelling repair is attempted.

    Returns:
        Folded tokens, with teencode expanded and (given ``vocab``) unknown tokens
        repaired to the most likely known syllable. Unrepairable tokens are kept.
    """
    clean = sanitize(text)
    if not clean:
        return []
    lowered = unicodedata.normalize("NFC", clean).lower()
    # Split glued punctuation before word-level substitutions ("ko,", "dc?").
    lowered = re.sub(r"[^\w\s]", " ", lowered)
    expanded = _apply_diacritic_words(lowered)
    out: list[str] = []
    for tok in fold(expanded).split():
        if vocab is not None and tok not in vocab:
            if tok in _FOLDED_WORDS:
                out.extend(_FOLDED_WORDS[tok].split())
                continue
            fixed = vocab.repair(tok)
            if fixed is None:
                split = _split_glued(tok, vocab)
                if split:
                    out.extend(split)
                    continue
            out.append(fixed or tok)
        else:
            out.append(tok)
    return out


# The folded keys of the map above, for tokens that only match once folded.
_FOLDED_WORDS: dict[str, str] = {fold(k): fold(v) for k, v in _DIACRITIC_WORDS.items()}
_FOLDED_WORDS.update({k: fold(v) for k, v in _UNAMBIGUOUS_FOLDED.items() if k not in _FOLDED_WORDS})


def _split_glued(word: str, vocab: Vocabulary) -> list[str] | None:
    """Split two syllables typed without a space ("khaisinh" -> "khai sinh")."""
    if len(word) < 5 or len(word) > 14:
        return None
    best: tuple[int, list[str]] | None = None
    for i in range(2, len(word) - 1):
        left, right = word[:i], word[i:]
        if left in vocab and right in vocab:
            score = min(vocab.freq(left), vocab.freq(right))
            if best is None or score > best[0]:
                best = (score, [left, right])
    return best[1] if best else None

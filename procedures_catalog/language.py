"""Language data shared by the catalogue search and the NLU tokenizer, and its loaders.

The words citizens type ("ko", "dc", "hông", "cccd", "nhiêu") are spelled out from one
data file, ``data/language/words.yaml``, read by :mod:`procedures_catalog.normalize`
(the search, SQLAlchemy 2 environment) and by ``bot/components/folding.py`` (the Rasa
NLU tokenizer, Rasa environment), so both see the same words. This module needs only
the standard library and PyYAML, which both environments have; it must not import
anything else from this package.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data" / "language"
_COMBINING = re.compile(r"[\u0300-\u036f]")


class LanguageDataError(ValueError):
    """A language data file is malformed (the message names file, key and problem)."""


def strip_marks(text: str) -> str:
    """Remove Vietnamese accent marks and map đ/Đ to d/D, keeping case and spacing."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = _COMBINING.sub("", decomposed)
    return unicodedata.normalize("NFC", stripped).replace("đ", "d").replace("Đ", "D")


def fold_word(text: str) -> str:
    """Lower case, no accents, đ → d (punctuation kept)."""
    return strip_marks(unicodedata.normalize("NFC", text).lower())


def compile_patterns(patterns: object, where: str, error: type[ValueError]) -> list[re.Pattern[str]]:
    """Compile a cue list of folded-ASCII regular expressions, or raise ``error``.

    ``where`` names the file and section in the message ("aspects.yaml: fees").
    """
    if not isinstance(patterns, list) or not patterns:
        raise error(f"{where}: needs a list of patterns")
    out = []
    for pattern in patterns:
        if not isinstance(pattern, str) or re.search(r"[^\x00-\x7f]", pattern):
            raise error(f"{where}: pattern {pattern!r} must be folded ASCII text")
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise error(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return out


def _mapping(raw: dict, section: str, path: Path) -> dict[str, str]:
    table = raw.get(section)
    if not isinstance(table, dict) or not table:
        raise LanguageDataError(f"{path.name}: section {section!r} must be a non-empty mapping")
    out: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key.strip() or not value.strip():
            raise LanguageDataError(f"{path.name}: {section}: {key!r}: key and value must be non-empty text")
        if key != key.lower().strip() or " " in key.strip() and section == "folded":
            raise LanguageDataError(f"{path.name}: {section}: {key!r}: keys are lower case, one word")
        if section == "folded" and fold_word(key) != key:
            raise LanguageDataError(f"{path.name}: folded: {key!r}: keys here are typed without accents")
        out[unicodedata.normalize("NFC", key)] = unicodedata.normalize("NFC", value)
    return out


@lru_cache(maxsize=4)
def load_words(path: Path = DATA_DIR / "words.yaml") -> tuple[dict[str, str], dict[str, str]]:
    """(words as typed → meaning, folded forms → meaning), validated."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LanguageDataError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise LanguageDataError(f"{path.name}: expected the sections 'words' and 'folded'")
    unknown = set(raw) - {"words", "folded"}
    if unknown:
        raise LanguageDataError(f"{path.name}: unknown section(s) {sorted(unknown)}")
    return _mapping(raw, "words", path), _mapping(raw, "folded", path)


def spell_out_token(token: str) -> str:
    """One typed token, spelled out and folded ("Hông" → "khong", "bn" → "bao nhieu").

    The NLU tokenizer's reading of a word: the as-typed form first (accents decide
    "hông" from "hồng"), then the unambiguous folded forms; else just folded.
    """
    words, folded = load_words()
    low = unicodedata.normalize("NFC", token).lower().strip(".,!?;:…\"'()[]")
    if low in words:
        return fold_word(words[low])
    key = fold_word(low)
    return fold_word(folded[key]) if key in folded else fold_word(token.lower())


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_FOLDED_WORDS = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def _fragments(raw: object, path: Path) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise LanguageDataError(f"{path.name}: section 'fragments' must be a mapping of names to patterns")
    out = {}
    for name, pattern in raw.items():
        where = f"{path.name}: fragments: {name!r}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+", name):
            raise LanguageDataError(f"{where}: names are lower-case words (a-z, _)")
        compile_patterns([pattern], where, LanguageDataError)
        out[name] = pattern
    return out


@lru_cache(maxsize=4)
def load_rewrites(path: Path = DATA_DIR / "rewrites.yaml") -> tuple[tuple[re.Pattern[str], str], ...]:
    """The rewrite rules, in order: (pattern, replacement), validated.

    A rule's patterns are joined into one alternation with its ``{fragments}`` filled in;
    the replacement comes back with a space on each side, so it stays separate words.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LanguageDataError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or set(raw) - {"fragments", "rules"}:
        raise LanguageDataError(f"{path.name}: expected the sections 'fragments' and 'rules'")
    fragments = _fragments(raw.get("fragments"), path)
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise LanguageDataError(f"{path.name}: section 'rules' must be a non-empty list")
    out = []
    for n, rule in enumerate(rules, start=1):
        replace = rule.get("replace") if isinstance(rule, dict) else None
        where = f"{path.name}: rule {n} ({replace!r})"
        if not isinstance(rule, dict) or set(rule) != {"replace", "patterns"}:
            raise LanguageDataError(f"{where}: needs exactly 'replace' and 'patterns'")
        if not isinstance(replace, str) or not _FOLDED_WORDS.fullmatch(replace):
            raise LanguageDataError(f"{where}: 'replace' must be folded words (a-z, 0-9, single spaces)")
        patterns = rule["patterns"]
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise LanguageDataError(f"{where}: 'patterns' must be a list of patterns")
        filled = []
        for pattern in patterns:
            unknown = sorted(set(_PLACEHOLDER.findall(pattern)) - set(fragments))
            if unknown:
                raise LanguageDataError(f"{where}: pattern {pattern!r} uses unknown fragment(s) {unknown}")
            filled.append(_PLACEHOLDER.sub(lambda m: fragments[m.group(1)], pattern))
        compile_patterns(filled, where, LanguageDataError)
        out.append((re.compile("|".join(filled)), f" {replace} "))
    return tuple(out)

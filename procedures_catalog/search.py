"""Find the procedure a citizen means from the way they type.

The index holds, per procedure, a few *descriptions*: its cleaned name and each
colloquial alias. A query is normalised (:mod:`.normalize`), rewritten by the
lexicon's rules (needs described in words → the catalogue's terms, fillers and
aspect words dropped) and matched as weighted unigrams and bigrams of folded
syllables. A description's score is an F-measure of the IDF mass the query and the
description share (recall of the query weighted above precision of the
description), so short everyday names beat their long variants. The best 40 are
re-ranked by a linear score over a few features (match scores, variants and alias
situations the words did not ask for, a fuzzy ratio, level hints, how everyday the
procedure is) whose weights are learned on the development questions
(bench/train_ranker.py → data/ranker.json); procedures whose names differ only by
level are grouped under one result. docs/search.md tells the whole story.

Everything is pure Python + numpy; building takes under a second for 2,000
procedures and a query about 2 ms (p95).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz

from . import lexicon
from .normalize import Vocabulary, expand_abbreviations, fold, normalize, sanitize

CODE_RE = re.compile(r"\b(\d\.\d{6})\b")

# How much more recall of the query counts than precision of the description.
BETA = 1.6
BIGRAM_FACTOR = 0.8
ALT_FACTOR = 0.97

# Ranking features (see SearchIndex._features) and their weights. The weights are
# learned on the development questions by bench/train_ranker.py (listwise logistic
# loss); the held-out questions measure them. Order: combined F, own-words F,
# rewritten F, alias match, unasked name variants, unasked name action, asked name
# action, unasked alias situations, fuzzy ratio, level hint, completeness, has
# aliases, log name length, score relative to the best candidate.
RANK_FEATURES = (
    "f", "f_name", "f_own", "f_alt", "is_alias", "variant_unasked", "action_unasked", "action_asked",
    "alias_marker_unasked", "fuzzy", "level_hint", "completeness", "n_aliases",
    "name_length", "relative",
)
RANK_WEIGHTS = np.array([6.0, 1.0, 0.0, 0.0, 0.0, -1.2, -0.8, 0.3, -0.6, 0.5, 0.2, 0.05, 0.5, -0.2, 2.0])
RANKER_FILE = Path(__file__).resolve().parent / "data" / "ranker.json"


@lru_cache(maxsize=1)
def rank_weights() -> np.ndarray:
    """The learned weights (data/ranker.json) if present and matching, else defaults."""
    try:
        data = json.loads(RANKER_FILE.read_text(encoding="utf-8"))
        if tuple(data["features"]) == RANK_FEATURES:
            return np.asarray(data["weights"], dtype=np.float64)
    except (OSError, ValueError, KeyError):
        pass
    return RANK_WEIGHTS
# Unsure when the best result is less likely than this to be the one meant...
AMBIGUOUS_PROBABILITY = 0.5
# ...or matches the words less well than this (F-measure).
CONFIDENT_MATCH = 0.35
# A hit scoring below this (probability and match together) counts as unsure.
CONFIDENT_SCORE = 0.5


@dataclass(frozen=True)
class IndexEntry:
    """What the index needs to know about one procedure."""

    code: str
    name: str
    level: str
    online_level: str
    field: str = ""
    aliases: tuple[str, ...] = ()
    completeness: int = 0


@dataclass
class SearchHit:
    """One result: a procedure (or a group of same-named ones) with its score."""

    code: str
    name: str
    level: str
    online_level: str
    field: str
    score: float
    matched: str
    # Same procedure listed at other levels or twice: [{"code", "level"}].
    also: list[dict[str, str]] = dataclasses.field(default_factory=list)
    ambiguous: bool = False
    # Probability (among the candidates) that this is the procedure meant, and how
    # well its best description matches the words (F-measure, 0..1).
    probability: float = 0.0
    match: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the `catalog search --json` contract)."""
        return {
            "code": self.code,
            "name": self.name,
            "score": round(self.score, 4),
            "level": self.level,
            "online_level": self.online_level,
            "field": self.field,
            "matched": self.matched,
            "also": self.also,
            "ambiguous": self.ambiguous,
            "probability": round(self.probability, 4),
            "match": round(self.match, 4),
        }


@dataclass
class QueryPlan:
    """A query after normalisation and rewriting (exposed for debugging/tests).

    ``terms`` weigh the citizen's own words; ``alt_terms`` the same words after the
    lexicon's rewrite rules, when they changed anything. A description scores the
    better of the two, so a rule can only add ways to match, never take one away.
    """

    tokens: list[str]
    terms: dict[str, float]
    level_hint: str | None
    variant_words: set[str]
    text: str
    alt_terms: dict[str, float] = dataclasses.field(default_factory=dict)
    # The citizen's words and their rewriting, for checking which variant they ask.
    expressed: str = ""


class _Scored(NamedTuple):
    """A query matched against every description (what ranking starts from)."""

    plan: QueryPlan
    # Per procedure: its best description's score.
    scores: np.ndarray
    # Per description: the better of the two readings, and each reading alone.
    f: np.ndarray
    own: np.ndarray
    alt: np.ndarray

def _ngrams(toks: Sequence[str]) -> list[str]:
    grams = list(toks)
    grams.extend(f"{a} {b}" for a, b in zip(toks, toks[1:]))
    return grams


def group_key(name: str) -> str:
    """Key under which procedures differing only by level or punctuation group."""
    folded = fold(name)
    folded = lexicon.LEVEL_MARKER_RE.sub(" ", folded)
    return " ".join(folded.split())


class SearchIndex:
    """An in-memory index over procedures; immutable once built."""

    def __init__(self, entries: Iterable[IndexEntry]) -> None:
        self.entries: list[IndexEntry] = list(entries)
        self.by_code = {e.code: i for i, e in enumerate(self.entries)}
        # The index never changes, so a plan for the same words can be reused
        # (the dialogue searches and then weighs the same message).
        self._cached_plan = lru_cache(maxsize=512)(self._plan)
        self._build()

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        counts: Counter[str] = Counter()
        desc_tokens: list[list[str]] = []
        desc_doc: list[int] = []
        desc_text: list[str] = []
        desc_is_name: list[bool] = []
        doc_starts: list[int] = []
        groups: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self.entries):
            groups[group_key(entry.name)].append(i)
            texts = [entry.name, *entry.aliases]
            doc_starts.append(len(desc_tokens))
            for j, text in enumerate(texts):
                folded = fold(expand_abbreviations(text))
                toks = lexicon.strip_name(folded) if j == 0 else folded.split()
                if j == 0 and not toks:
                    # Every procedure keeps one description, even a name of fillers.
                    toks = fold(text).split() or ["_"]
                if not toks:
                    continue
                desc_tokens.append(toks)
                desc_doc.append(i)
                desc_text.append(text)
                desc_is_name.append(j == 0)
            counts.update(fold(entry.name).split())
            for alias in entry.aliases:
                counts.update(fold(alias).split())
            counts.update(fold(entry.field).split())
        for word in lexicon.known_words():
            counts[word] += 2
        self.vocab = Vocabulary(counts)
        self.groups = groups
        self.group_of = {i: key for key, members in groups.items() for i in members}

        # Document frequency over procedures (not descriptions).
        df: Counter[str] = Counter()
        desc_terms: list[set[str]] = [set(_ngrams(t)) for t in desc_tokens]
        seen_per_doc: dict[int, set[str]] = defaultdict(set)
        for terms, doc in zip(desc_terms, desc_doc):
            seen_per_doc[doc] |= terms
        for terms in seen_per_doc.values():
            df.update(terms)
        n_docs = max(1, len(self.entries))
        self.term_ids: dict[str, int] = {t: k for k, t in enumerate(df)}
        idf = np.zeros(len(self.term_ids), dtype=np.float64)
        for term, k in self.term_ids.items():
            value = math.log(1.0 + (n_docs - df[term] + 0.5) / (df[term] + 0.5))
            idf[k] = value * (BIGRAM_FACTOR if " " in term else 1.0)
        self.idf = idf

        postings: dict[int, list[int]] = defaultdict(list)
        desc_total = np.zeros(len(desc_terms), dtype=np.float64)
        for d, terms in enumerate(desc_terms):
            for term in terms:
                k = self.term_ids[term]
                postings[k].append(d)
                desc_total[d] += idf[k]
        self.postings = {k: np.asarray(v, dtype=np.int32) for k, v in postings.items()}
        self.desc_total = desc_total
        self.desc_doc = np.asarray(desc_doc, dtype=np.int32)
        self.desc_text = desc_text
        self.desc_tokens = [" ".join(t) for t in desc_tokens]
        self.desc_is_name = desc_is_name
        self.desc_markers = [
            frozenset() if is_name else lexicon.alias_markers(text)
            for is_name, text in zip(desc_is_name, desc_text)
        ]
        self.doc_starts = np.asarray(doc_starts, dtype=np.int64)
        self.doc_bounds = [*doc_starts, len(desc_tokens)]
        self.name_length = [math.log1p(len(desc_tokens[start])) / 4.0 for start in doc_starts]
        self.variant_flags = [lexicon.variant_markers(fold(e.name)) for e in self.entries]
        self.actions = [lexicon.leading_action(fold(e.name)) for e in self.entries]

    # ----------------------------------------------------------------- queries
    def plan(self, text: str) -> QueryPlan:
        """Normalise and rewrite ``text`` into weighted terms (cached: a turn asks twice)."""
        return self._cached_plan(text)

    def _plan(self, text: str) -> QueryPlan:
        toks = normalize(text, self.vocab)
        own, rewritten, level_hint = lexicon.rewrite(toks)
        variant_words = lexicon.variant_markers(" ".join(rewritten))
        terms = self._terms(own)
        alt_terms = self._terms(rewritten) if rewritten != own else {}
        return QueryPlan(rewritten, terms, level_hint, variant_words, " ".join(rewritten), alt_terms,
                         " ".join(toks) + " " + " ".join(rewritten))

    def _terms(self, toks: list[str]) -> dict[str, float]:
        terms: dict[str, float] = {}
        content = [(t, lexicon.token_weight(t)) for t in toks]
        for tok, weight in content:
            k = self.term_ids.get(tok)
            if k is not None and weight > 0:
                terms[tok] = max(terms.get(tok, 0.0), float(self.idf[k]) * weight)
        for (a, wa), (b, wb) in zip(content, content[1:]):
            # Bigrams are specific enough to count even around a filler-like
            # syllable ("căn cước" folds to "can cuoc", and "can" alone is "cần").
            gram = f"{a} {b}"
            k = self.term_ids.get(gram)
            if k is not None and max(wa, wb) > 0:
                terms[gram] = max(terms.get(gram, 0.0), float(self.idf[k]) * max(wa, wb))
        return terms

    def naming_weight(self, text: str | None) -> float:
        """How much procedure-specific vocabulary ``text`` carries (sum of unigram IDF).

        "vậy nộp ở đâu" carries none (a follow-up); "còn khai tử" carries plenty.
        """
        clean = sanitize(text)
        if not clean.strip():
            return 0.0
        plan = self.plan(clean)
        own = sum(w for term, w in plan.terms.items() if " " not in term)
        alt = sum(w for term, w in plan.alt_terms.items() if " " not in term)
        return max(own, alt)

    def search(self, text: str | None, limit: int = 5) -> list[SearchHit]:
        """Return up to ``limit`` hits, best first; ``[]`` for empty or hostile input.

        Args:
            text: what the citizen typed.
            limit: the maximum number of results (grouped twins count once).
        """
        clean = sanitize(text)
        if not clean.strip() or not self.entries or limit <= 0:
            return []
        code_match = CODE_RE.search(clean)
        if code_match and code_match.group(1) in self.by_code:
            i = self.by_code[code_match.group(1)]
            return [self._hit(i, 1.0, self.entries[i].code)]
        scored = self._score(clean)
        return [] if scored is None else self._rank(scored, limit)

    def candidates(self, text: str, pool: int = 40) -> tuple[QueryPlan, list[tuple[int, int, np.ndarray]]] | None:
        """The best ``pool`` procedures for ``text`` with their ranking features.

        What :meth:`search` ranks, for ``bench/train_ranker.py``, which learns
        :data:`RANK_WEIGHTS` from the development questions.
        """
        clean = sanitize(text)
        if not clean.strip():
            return None
        scored = self._score(clean)
        return None if scored is None else (scored.plan, self._features(scored, pool))

    def _score(self, clean: str) -> _Scored | None:
        """Match sanitised, non-blank text against every description; None if no word is known."""
        plan = self.plan(clean)
        own = self._desc_scores(plan.terms)
        alt = self._desc_scores(plan.alt_terms) if plan.alt_terms else None
        if own is None and alt is None:
            return None
        zeros = np.zeros(len(self.desc_total))
        own = zeros if own is None else own
        alt = zeros if alt is None else alt
        # The rules' reading counts a little less than the citizen's own words.
        f = np.maximum(own, alt * ALT_FACTOR)
        return _Scored(plan, self._doc_scores(f), f, own, alt)

    def _desc_scores(self, terms: dict[str, float]) -> np.ndarray | None:
        """F-measure of each description against weighted query terms."""
        ids = []
        q_weights = []
        idfs = []
        lengths = []
        for term, weight in terms.items():
            k = self.term_ids[term]
            post = self.postings.get(k)
            if post is None:
                continue
            ids.append(post)
            lengths.append(len(post))
            q_weights.append(weight)
            idfs.append(self.idf[k])
        if not ids:
            return None
        all_ids = np.concatenate(ids)
        n_desc = len(self.desc_total)
        matched_q = np.bincount(all_ids, weights=np.repeat(q_weights, lengths), minlength=n_desc)
        matched_d = np.bincount(all_ids, weights=np.repeat(idfs, lengths), minlength=n_desc)
        q_total = sum(terms.values())
        recall = matched_q / q_total
        precision = matched_d / np.maximum(self.desc_total, 1e-9)
        b2 = BETA * BETA
        denom = b2 * precision + recall
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(denom > 0, (1 + b2) * precision * recall / denom, 0.0)
        return f

    def _doc_scores(self, f: np.ndarray) -> np.ndarray:
        """Best description score per procedure (descriptions are stored by procedure)."""
        return np.maximum.reduceat(f, self.doc_starts)

    def _best_desc(self, f: np.ndarray, i: int) -> int:
        """The description of procedure ``i`` that reached its score."""
        start = self.doc_bounds[i]
        end = self.doc_bounds[i + 1]
        if end - start == 1:
            return start
        return start + int(f[start:end].argmax())

    def _features(self, scored: _Scored, pool: int) -> list[tuple[int, int, np.ndarray]]:
        plan, scores, f, own, alt = scored
        pool = min(len(scores), pool)
        top = np.argpartition(-scores, pool - 1)[:pool] if pool < len(scores) else np.arange(len(scores))
        top = top[scores[top] > 0]
        best = float(scores[top].max()) if len(top) else 1.0
        out = []
        for i in top.tolist():
            d = self._best_desc(f, i)
            entry = self.entries[i]
            is_name = self.desc_is_name[d]
            action = self.actions[i] if is_name else None
            expressed = action is not None and lexicon.action_expressed(action, plan.expressed)
            name_d = int(self.doc_starts[i])
            x = (
                float(scores[i]),
                float(max(own[name_d], alt[name_d] * ALT_FACTOR)),
                float(own[d]),
                float(alt[d]),
                0.0 if is_name else 1.0,
                float(len(self.variant_flags[i] - plan.variant_words)) if is_name else 0.0,
                1.0 if action and not expressed else 0.0,
                1.0 if expressed else 0.0,
                float(sum(not lexicon.marker_expressed(g, plan.expressed) for g in self.desc_markers[d])),
                fuzz.token_set_ratio(plan.text, self.desc_tokens[d]) / 100.0,
                1.0 if plan.level_hint and entry.level == plan.level_hint else 0.0,
                entry.completeness / 4.0,
                math.log1p(len(entry.aliases)) / 2.0,
                self.name_length[i],
                float(scores[i]) / best,
            )
            out.append((i, d, np.asarray(x)))
        return out

    def _rank(self, scored: _Scored, limit: int) -> list[SearchHit]:
        plan = scored.plan
        feats = self._features(scored, max(40, limit * 8))
        if not feats:
            return []
        z = np.array([float(rank_weights() @ x) for _, _, x in feats])
        # The learned scores, as a probability over the candidates of being the one
        # meant; same-named procedures share theirs (they are shown as one).
        prob = np.exp(z - z.max())
        prob /= prob.sum()
        group_prob: dict[str, float] = defaultdict(float)
        for (i, _, _), p in zip(feats, prob):
            group_prob[self.group_of[i]] += float(p)
        order = sorted(range(len(feats)), key=lambda k: (-group_prob[self.group_of[feats[k][0]]] * feats[k][2][0], -z[k], self._tiebreak(feats[k][0], plan)))
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for k in order:
            i, d, x = feats[k]
            key = self.group_of[i]
            if key in seen:
                continue
            seen.add(key)
            match = float(x[0])
            probability = group_prob[key]
            # Confidence: sure which one (probability) and a good match (F).
            hit = self._hit(i, math.sqrt(max(probability, 0.0) * max(match, 0.0)), self.desc_text[d])
            hit.probability, hit.match = probability, match
            hit.also = [{"code": self.entries[m].code, "level": self.entries[m].level}
                        for m in self.groups[key] if m != i]
            hits.append(hit)
            if len(hits) >= limit:
                break
        top = hits[0]
        ambiguous = top.probability < AMBIGUOUS_PROBABILITY or top.match < CONFIDENT_MATCH
        for hit in hits:
            hit.ambiguous = ambiguous
        return hits

    def _tiebreak(self, i: int, plan: QueryPlan) -> tuple[int, int, str]:
        entry = self.entries[i]
        level_rank = 0 if plan.level_hint == entry.level else 1
        return (level_rank, -entry.completeness, entry.code)

    def _hit(self, i: int, score: float, matched: str) -> SearchHit:
        entry = self.entries[i]
        return SearchHit(
            code=entry.code,
            name=entry.name,
            level=entry.level,
            online_level=entry.online_level,
            field=entry.field,
            score=score,
            matched=matched,
        )

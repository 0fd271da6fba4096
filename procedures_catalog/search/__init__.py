"""Find the procedure a citizen means from the way they type.

The index holds, per procedure, a few *descriptions*: its cleaned name and each
colloquial alias. A query is normalised (:mod:`..normalize`), rewritten by the
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

One module per step: :mod:`.tables` (building the index), :mod:`.scoring` (a query's
terms and the F-measure), :mod:`.ranking` (features, learned weights, grouping) and
:mod:`.hits` (entries, plans and results); :class:`SearchIndex` ties them together.

Everything is pure Python + numpy; building takes under a second for 2,000
procedures and a query about 2 ms (p95).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from ..normalize import sanitize
from .hits import IndexEntry, QueryPlan, SearchHit, hit_of
from .ranking import (
    AMBIGUOUS_PROBABILITY,
    CONFIDENT_MATCH,
    CONFIDENT_SCORE,
    RANK_FEATURES,
    RANK_WEIGHTS,
    RANKER_FILE,
    features,
    rank,
    rank_weights,
)
from .scoring import ALT_FACTOR, BETA, Scored, plan_query, score_plan
from .tables import BIGRAM_FACTOR, IndexTables, build_tables, group_key

__all__ = [
    "ALT_FACTOR", "AMBIGUOUS_PROBABILITY", "BETA", "BIGRAM_FACTOR", "CODE_RE", "CONFIDENT_MATCH",
    "CONFIDENT_SCORE", "RANKER_FILE", "RANK_FEATURES", "RANK_WEIGHTS", "IndexEntry", "IndexTables",
    "QueryPlan", "SearchHit", "SearchIndex", "group_key", "rank_weights",
]

CODE_RE = re.compile(r"\b(\d\.\d{6})\b")


class SearchIndex:
    """An in-memory index over procedures; immutable once built."""

    def __init__(self, entries: Iterable[IndexEntry]) -> None:
        self.tables = build_tables(entries)
        self.entries: list[IndexEntry] = self.tables.entries
        self.by_code = {e.code: i for i, e in enumerate(self.entries)}
        self.vocab = self.tables.vocab
        self.groups = self.tables.groups
        self.group_of = self.tables.group_of
        # The index never changes, so a plan for the same words can be reused
        # (the dialogue searches and then weighs the same message).
        self._cached_plan = lru_cache(maxsize=512)(self._plan)

    def plan(self, text: str) -> QueryPlan:
        """Normalise and rewrite ``text`` into weighted terms (cached: a turn asks twice)."""
        return self._cached_plan(text)

    def _plan(self, text: str) -> QueryPlan:
        return plan_query(self.tables, text)

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
            entry = self.entries[self.by_code[code_match.group(1)]]
            return [hit_of(entry, 1.0, entry.code)]
        scored = self._score(clean)
        return [] if scored is None else rank(self.tables, scored, limit)

    def candidates(self, text: str, pool: int = 40) -> tuple[QueryPlan, list[tuple[int, int, np.ndarray]]] | None:
        """The best ``pool`` procedures for ``text`` with their ranking features.

        What :meth:`search` ranks, for ``bench/train_ranker.py``, which learns
        :data:`RANK_WEIGHTS` from the development questions.
        """
        clean = sanitize(text)
        if not clean.strip():
            return None
        scored = self._score(clean)
        return None if scored is None else (scored.plan, features(self.tables, scored, pool))

    def _score(self, clean: str) -> Scored | None:
        """Match sanitised, non-blank text against every description; None if no word is known."""
        return score_plan(self.tables, self.plan(clean))

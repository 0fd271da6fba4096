"""A query against every description: its weighted terms and an F-measure per description.

A query is normalised, rewritten by the lexicon's rules and weighed as IDF unigrams and
bigrams, once for the citizen's own words and once for the rewriting. A description's
score is an F-measure of the IDF mass the query and the description share (recall of
the query weighted above precision of the description); a procedure scores its best
description.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import lexicon
from ..normalize import normalize
from .hits import QueryPlan
from .tables import IndexTables

# How much more recall of the query counts than precision of the description.
BETA = 1.6
ALT_FACTOR = 0.97


class Scored(NamedTuple):
    """A query matched against every description (what ranking starts from)."""

    plan: QueryPlan
    # Per procedure: its best description's score.
    scores: np.ndarray
    # Per description: the better of the two readings, and each reading alone.
    f: np.ndarray
    own: np.ndarray
    alt: np.ndarray


def plan_query(t: IndexTables, text: str) -> QueryPlan:
    """Normalise and rewrite ``text`` into weighted terms."""
    toks = normalize(text, t.vocab)
    own, rewritten, level_hint = lexicon.rewrite(toks)
    variant_words = lexicon.variant_markers(" ".join(rewritten))
    terms = query_terms(t, own)
    alt_terms = query_terms(t, rewritten) if rewritten != own else {}
    return QueryPlan(rewritten, terms, level_hint, variant_words, " ".join(rewritten), alt_terms,
                     " ".join(toks) + " " + " ".join(rewritten))


def query_terms(t: IndexTables, toks: list[str]) -> dict[str, float]:
    """The indexed unigrams and bigrams of ``toks``, weighted by IDF and token weight."""
    terms: dict[str, float] = {}
    content = [(tok, lexicon.token_weight(tok)) for tok in toks]
    for tok, weight in content:
        k = t.term_ids.get(tok)
        if k is not None and weight > 0:
            terms[tok] = max(terms.get(tok, 0.0), float(t.idf[k]) * weight)
    for (a, wa), (b, wb) in zip(content, content[1:]):
        # Bigrams are specific enough to count even around a filler-like
        # syllable ("căn cước" folds to "can cuoc", and "can" alone is "cần").
        gram = f"{a} {b}"
        k = t.term_ids.get(gram)
        if k is not None and max(wa, wb) > 0:
            terms[gram] = max(terms.get(gram, 0.0), float(t.idf[k]) * max(wa, wb))
    return terms


def score_plan(t: IndexTables, plan: QueryPlan) -> Scored | None:
    """Match ``plan`` against every description; None if no word is known."""
    own = desc_scores(t, plan.terms)
    alt = desc_scores(t, plan.alt_terms) if plan.alt_terms else None
    if own is None and alt is None:
        return None
    zeros = np.zeros(len(t.desc_total))
    own = zeros if own is None else own
    alt = zeros if alt is None else alt
    # The rules' reading counts a little less than the citizen's own words.
    f = np.maximum(own, alt * ALT_FACTOR)
    return Scored(plan, doc_scores(t, f), f, own, alt)


def desc_scores(t: IndexTables, terms: dict[str, float]) -> np.ndarray | None:
    """F-measure of each description against weighted query terms."""
    ids = []
    q_weights = []
    idfs = []
    lengths = []
    for term, weight in terms.items():
        k = t.term_ids[term]
        post = t.postings.get(k)
        if post is None:
            continue
        ids.append(post)
        lengths.append(len(post))
        q_weights.append(weight)
        idfs.append(t.idf[k])
    if not ids:
        return None
    all_ids = np.concatenate(ids)
    n_desc = len(t.desc_total)
    matched_q = np.bincount(all_ids, weights=np.repeat(q_weights, lengths), minlength=n_desc)
    matched_d = np.bincount(all_ids, weights=np.repeat(idfs, lengths), minlength=n_desc)
    q_total = sum(terms.values())
    recall = matched_q / q_total
    precision = matched_d / np.maximum(t.desc_total, 1e-9)
    b2 = BETA * BETA
    denom = b2 * precision + recall
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(denom > 0, (1 + b2) * precision * recall / denom, 0.0)
    return f


def doc_scores(t: IndexTables, f: np.ndarray) -> np.ndarray:
    """Best description score per procedure (descriptions are stored by procedure)."""
    return np.maximum.reduceat(f, t.doc_starts)


def best_desc(t: IndexTables, f: np.ndarray, i: int) -> int:
    """The description of procedure ``i`` that reached its score."""
    start = t.doc_bounds[i]
    end = t.doc_bounds[i + 1]
    if end - start == 1:
        return start
    return start + int(f[start:end].argmax())

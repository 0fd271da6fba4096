"""Re-ranking of the best-matching procedures by a learned linear score.

The best 40 procedures by match are described by a few features (match scores,
variants and alias situations the words did not ask for, a fuzzy ratio, level hints,
how everyday the procedure is); a linear score over them, turned into a probability
over the candidates, orders them. Procedures whose names differ only by level share
their probability and are shown as one hit. The weights are learned on the
development questions (bench/train_ranker.py → data/ranker.json).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from .. import lexicon
from .hits import QueryPlan, SearchHit, hit_of
from .scoring import ALT_FACTOR, Scored, best_desc
from .tables import IndexTables

# Ranking features (see features()) and their weights. The weights are
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
RANKER_FILE = Path(__file__).resolve().parent.parent / "data" / "ranker.json"


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


def features(t: IndexTables, scored: Scored, pool: int) -> list[tuple[int, int, np.ndarray]]:
    """The best ``pool`` procedures: (procedure, its best description, its features)."""
    plan, scores, f, own, alt = scored
    pool = min(len(scores), pool)
    top = np.argpartition(-scores, pool - 1)[:pool] if pool < len(scores) else np.arange(len(scores))
    top = top[scores[top] > 0]
    best = float(scores[top].max()) if len(top) else 1.0
    out = []
    for i in top.tolist():
        d = best_desc(t, f, i)
        entry = t.entries[i]
        is_name = t.desc_is_name[d]
        action = t.actions[i] if is_name else None
        expressed = action is not None and lexicon.action_expressed(action, plan.expressed)
        name_d = int(t.doc_starts[i])
        x = (
            float(scores[i]),
            float(max(own[name_d], alt[name_d] * ALT_FACTOR)),
            float(own[d]),
            float(alt[d]),
            0.0 if is_name else 1.0,
            float(len(t.variant_flags[i] - plan.variant_words)) if is_name else 0.0,
            1.0 if action and not expressed else 0.0,
            1.0 if expressed else 0.0,
            float(sum(not lexicon.marker_expressed(g, plan.expressed) for g in t.desc_markers[d])),
            fuzz.token_set_ratio(plan.text, t.desc_tokens[d]) / 100.0,
            1.0 if plan.level_hint and entry.level == plan.level_hint else 0.0,
            entry.completeness / 4.0,
            math.log1p(len(entry.aliases)) / 2.0,
            t.name_length[i],
            float(scores[i]) / best,
        )
        out.append((i, d, np.asarray(x)))
    return out


def rank(t: IndexTables, scored: Scored, limit: int) -> list[SearchHit]:
    """Up to ``limit`` hits, best first, same-named procedures grouped under one."""
    plan = scored.plan
    feats = features(t, scored, max(40, limit * 8))
    if not feats:
        return []
    z = np.array([float(rank_weights() @ x) for _, _, x in feats])
    # The learned scores, as a probability over the candidates of being the one
    # meant; same-named procedures share theirs (they are shown as one).
    prob = np.exp(z - z.max())
    prob /= prob.sum()
    group_prob: dict[str, float] = defaultdict(float)
    for (i, _, _), p in zip(feats, prob):
        group_prob[t.group_of[i]] += float(p)
    order = sorted(range(len(feats)), key=lambda k: (-group_prob[t.group_of[feats[k][0]]] * feats[k][2][0], -z[k], _tiebreak(t, feats[k][0], plan)))
    hits: list[SearchHit] = []
    seen: set[str] = set()
    for k in order:
        i, d, x = feats[k]
        key = t.group_of[i]
        if key in seen:
            continue
        seen.add(key)
        match = float(x[0])
        probability = group_prob[key]
        # Confidence: sure which one (probability) and a good match (F).
        hit = hit_of(t.entries[i], math.sqrt(max(probability, 0.0) * max(match, 0.0)), t.desc_text[d])
        hit.probability, hit.match = probability, match
        hit.also = [{"code": t.entries[m].code, "level": t.entries[m].level}
                    for m in t.groups[key] if m != i]
        hits.append(hit)
        if len(hits) >= limit:
            break
    top = hits[0]
    ambiguous = top.probability < AMBIGUOUS_PROBABILITY or top.match < CONFIDENT_MATCH
    for hit in hits:
        hit.ambiguous = ambiguous
    return hits


def _tiebreak(t: IndexTables, i: int, plan: QueryPlan) -> tuple[int, int, str]:
    entry = t.entries[i]
    level_rank = 0 if plan.level_hint == entry.level else 1
    return (level_rank, -entry.completeness, entry.code)

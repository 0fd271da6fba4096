"""The index's tables, built once from the procedures: what scoring and ranking read.

Each procedure has a few *descriptions* (its cleaned name, then each alias) stored one
after another, so a procedure's descriptions are a slice of every per-description
table. Terms are folded unigrams and bigrams; their IDF counts procedures, not
descriptions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import lexicon
from ..normalize import Vocabulary, expand_abbreviations, fold
from .hits import IndexEntry

BIGRAM_FACTOR = 0.8


def ngrams(toks: Sequence[str]) -> list[str]:
    """The unigrams, then the bigrams, of ``toks``."""
    grams = list(toks)
    grams.extend(f"{a} {b}" for a, b in zip(toks, toks[1:]))
    return grams


def group_key(name: str) -> str:
    """Key under which procedures differing only by level or punctuation group."""
    folded = fold(name)
    folded = lexicon.LEVEL_MARKER_RE.sub(" ", folded)
    return " ".join(folded.split())


@dataclass(frozen=True, eq=False)
class IndexTables:
    """Everything the index knows, per procedure (``entries`` order) and per description."""

    entries: list[IndexEntry]
    # Known folded syllables, for spelling repair of queries.
    vocab: Vocabulary
    # Procedures whose names differ only by level: group key → members, and back.
    groups: dict[str, list[int]]
    group_of: dict[int, str]
    # Terms: id, IDF and the descriptions holding each.
    term_ids: dict[str, int]
    idf: np.ndarray
    postings: dict[int, np.ndarray]
    # Per description: its IDF mass, procedure, text, folded tokens, whether it is the
    # name, and the alias situations it names.
    desc_total: np.ndarray
    desc_doc: np.ndarray
    desc_text: list[str]
    desc_tokens: list[str]
    desc_is_name: list[bool]
    desc_markers: list[frozenset[str]]
    # Per procedure: where its descriptions start (and end), and name features.
    doc_starts: np.ndarray
    doc_bounds: list[int]
    name_length: list[float]
    variant_flags: list[set[str]]
    actions: list[str | None]


def build_tables(items: Iterable[IndexEntry]) -> IndexTables:
    """Build the tables for ``items`` (under a second for 2,000 procedures)."""
    entries = list(items)
    counts: Counter[str] = Counter()
    desc_tokens: list[list[str]] = []
    desc_doc: list[int] = []
    desc_text: list[str] = []
    desc_is_name: list[bool] = []
    doc_starts: list[int] = []
    groups: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
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

    # Document frequency over procedures (not descriptions).
    df: Counter[str] = Counter()
    desc_terms: list[set[str]] = [set(ngrams(t)) for t in desc_tokens]
    seen_per_doc: dict[int, set[str]] = defaultdict(set)
    for terms, doc in zip(desc_terms, desc_doc):
        seen_per_doc[doc] |= terms
    for terms in seen_per_doc.values():
        df.update(terms)
    n_docs = max(1, len(entries))
    term_ids: dict[str, int] = {t: k for k, t in enumerate(df)}
    idf = np.zeros(len(term_ids), dtype=np.float64)
    for term, k in term_ids.items():
        value = math.log(1.0 + (n_docs - df[term] + 0.5) / (df[term] + 0.5))
        idf[k] = value * (BIGRAM_FACTOR if " " in term else 1.0)

    postings: dict[int, list[int]] = defaultdict(list)
    desc_total = np.zeros(len(desc_terms), dtype=np.float64)
    for d, terms in enumerate(desc_terms):
        for term in terms:
            k = term_ids[term]
            postings[k].append(d)
            desc_total[d] += idf[k]
    return IndexTables(
        entries=entries,
        vocab=Vocabulary(counts),
        groups=groups,
        group_of={i: key for key, members in groups.items() for i in members},
        term_ids=term_ids,
        idf=idf,
        postings={k: np.asarray(v, dtype=np.int32) for k, v in postings.items()},
        desc_total=desc_total,
        desc_doc=np.asarray(desc_doc, dtype=np.int32),
        desc_text=desc_text,
        desc_tokens=[" ".join(t) for t in desc_tokens],
        desc_is_name=desc_is_name,
        desc_markers=[
            frozenset() if is_name else lexicon.alias_markers(text)
            for is_name, text in zip(desc_is_name, desc_text)
        ],
        doc_starts=np.asarray(doc_starts, dtype=np.int64),
        doc_bounds=[*doc_starts, len(desc_tokens)],
        name_length=[math.log1p(len(desc_tokens[start])) / 4.0 for start in doc_starts],
        variant_flags=[lexicon.variant_markers(fold(e.name)) for e in entries],
        actions=[lexicon.leading_action(fold(e.name)) for e in entries],
    )

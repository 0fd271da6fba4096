"""What the search reads and returns: a procedure's index entry, a query plan, a hit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


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


def hit_of(entry: IndexEntry, score: float, matched: str) -> SearchHit:
    """A hit for ``entry`` (probability, match and grouping are filled in by ranking)."""
    return SearchHit(
        code=entry.code,
        name=entry.name,
        level=entry.level,
        online_level=entry.online_level,
        field=entry.field,
        score=score,
        matched=matched,
    )


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

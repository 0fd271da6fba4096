"""The search index, built once per catalogue revision and shared by the process.

The index is keyed by database URL and rebuilt when the catalogue's revision (the
newest audit entry id) moves, so a running assistant sees a staff edit on its next
question without rebuilding the index on every one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from .models import Procedure
from .search import IndexEntry, SearchIndex

_index_cache: dict[str, tuple[int, SearchIndex]] = {}
_index_lock = threading.Lock()


def index_entries(procedures: Iterable[Procedure]) -> list[IndexEntry]:
    """What the search index needs of each procedure."""
    entries = []
    for p in procedures:
        completeness = sum(bool(x) for x in (p.documents, p.fees, p.processing_time, p.steps))
        entries.append(IndexEntry(
            code=p.code, name=p.name, level=p.level, online_level=p.online_level,
            field=p.field, aliases=tuple(a.text for a in p.aliases),
            completeness=completeness,
        ))
    return entries


def cached_index(key: str, revision: int, entries: Callable[[], list[IndexEntry]]) -> SearchIndex:
    """The index of catalogue ``key`` at ``revision``, built from ``entries()`` if not cached."""
    with _index_lock:
        cached = _index_cache.get(key)
        if cached and cached[0] == revision:
            return cached[1]
    index = SearchIndex(entries())
    with _index_lock:
        _index_cache[key] = (revision, index)
    return index

"""The catalogue as the assistant reads it on every turn: kept in memory until it changes.

A turn of the assistant reads the same few things again and again: the search index,
the procedure asked about with its provenance and edition, the offices, the totals.
Through :class:`~procedures_catalog.service.Catalog` that was a dozen ORM queries per
turn and 60 % of the action server's CPU time (py-spy, bench/turn_latency.py under
20 senders). :class:`CachedCatalog` answers those reads from memory and checks with one
small query per read that nothing changed since:

* the newest audit entry (every change of a procedure, an alias or an office writes
  one, in the same transaction: the revision the search index was already keyed on);
* the newest edition, the latest activation and the offices' latest update (edition
  statuses change without an audit entry);
* whether a staged edition's date has come: then it is put in force first, exactly as
  :meth:`Catalog.index` and :meth:`Catalog.procedure_facts` do on every call.

After :func:`start_look` (the action server calls it for each request) the check is made
once: a turn reads one consistent catalogue with one query.

So a staff edit is seen on the citizen's next question, as before; an unreachable
database fails the read, as before (no stale answer is served from memory). Results are
handed out as copies (dicts) or as the detached rows nobody writes to.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Date, Engine, bindparam, func, select

from . import editions
from .models import AuditEntry, Edition, Office, Procedure
from .search import SearchIndex
from .service import Catalog
from .settings import Settings

T = TypeVar("T")

# One round trip: what changed, and whether an edition is due (``today`` bound per call).
_STAMP = select(
    select(func.max(AuditEntry.id)).scalar_subquery(),
    select(func.max(Edition.id)).scalar_subquery(),
    select(func.max(Edition.activated_at)).scalar_subquery(),
    select(func.max(Office.updated_at)).scalar_subquery(),
    select(func.count(Edition.id)).where(
        Edition.status == "staged",
        Edition.effective_from <= bindparam("today", type_=Date)).scalar_subquery(),
)

# The stamps read during the current request, by catalogue (see start_look).
_looked: ContextVar[dict[int, tuple[Any, ...]] | None] = ContextVar("catalog_looked", default=None)


def start_look() -> None:
    """From here on in this context (a request), check each catalogue for changes once.

    Each request starts its own: a new one replaces whatever an earlier request on the
    same connection left, so nothing older than the current request is ever reused.
    """
    _looked.set({})


class CachedCatalog(Catalog):
    """A :class:`Catalog` whose per-turn reads come from memory until the catalogue changes.

    Args:
        engine: the database engine.
        settings: where the seed, offices and alias files are.
    """

    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        super().__init__(engine, settings)
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._stamp: tuple[Any, ...] | None = None
        self._memo_lock = threading.Lock()

    def stamp(self) -> tuple[Any, ...]:
        """What the catalogue looks like now; a staged edition whose date came goes in force."""
        looked = _looked.get()
        if looked is not None and id(self) in looked:
            return looked[id(self)]
        with self.engine.connect() as conn:
            row = tuple(conn.execute(_STAMP, {"today": editions.today()}).one())
        if row[-1]:
            # Due (or staged behind a newer list, which activate_due leaves alone).
            editions.activate_due(self)
            with self.engine.connect() as conn:
                row = tuple(conn.execute(_STAMP, {"today": editions.today()}).one())
        if looked is not None:
            looked[id(self)] = row[:-1]
        return row[:-1]

    def _cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        stamp = self.stamp()
        with self._memo_lock:
            if stamp != self._stamp:
                self._memo.clear()
                self._stamp = stamp
            elif key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._memo_lock:
            if self._stamp == stamp:  # not if the catalogue moved on meanwhile
                self._memo[key] = value
        return value

    # The reads of a turn (actions/); every other method reads the database as before.
    def index(self) -> SearchIndex:
        """The search index for the current revision."""
        return self._cached(("index",), super().index)

    def get(self, code: str, *, include_retired: bool = True) -> Procedure | None:
        """The procedure with ``code`` (detached, aliases loaded), or None."""
        return self._cached(("get", code.strip(), include_retired),
                            lambda: super(CachedCatalog, self).get(code, include_retired=include_retired))

    def procedure_facts(self, code: str) -> dict[str, Any] | None:
        """An active procedure as answers need it (a copy)."""
        facts = self._cached(("facts", code), lambda: super(CachedCatalog, self).procedure_facts(code))
        return copy.deepcopy(facts)

    def offices(self) -> dict[str, Office]:
        """The offices by key (detached rows)."""
        return dict(self._cached(("offices",), super().offices))

    def stats(self) -> dict[str, Any]:
        """Totals by level and by online level (a copy)."""
        return copy.deepcopy(self._cached(("stats",), super().stats))

    def field_counts(self) -> dict[str, int]:
        """Active procedures per field, largest first (a copy)."""
        return dict(self._cached(("field_counts",), super().field_counts))

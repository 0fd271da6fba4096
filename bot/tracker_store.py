"""The assistant's tracker store: conversations kept in SQL, read at a flat cost per turn.

Rasa's ``SQLTrackerStore`` keeps every event of every conversation in one table and,
on each turn, reads back the whole current session (and counts it again to save).
Telegram and Zalo give a citizen one conversation id for ever, and a session only ends
after ``session_expiration_time`` of silence, so a busy citizen's session grows without
bound and so does the cost of each turn: deserialising and replaying its events, and
sending them all to the action server.

:class:`DurableTrackerStore` is the smallest subclass that makes that cost flat. It
reads only the last ``tail_events`` events of the current session, preceded by the
events that still decide the conversation's state: the session start (or restart) and
the latest value of every slot (and the latest active loop and pause state) set before
the tail. Replaying that gives the same slots and the same recent history the policies
and actions look at, at the cost of a few index lookups. Saving appends only the events
the turn added (known from how many were loaded), with no count query. The full history
stays in the table for the HTTP API (``retrieve_full_tracker``) and for exports.

It also:

* masks personal data (phone and ID numbers, e-mails, dossier codes) in user texts and
  in text slot values before they are stored, whatever door they came through (the
  channels mask too; the HTTP API does not);
* deletes events older than ``TURNLOG_RETENTION_DAYS`` at most once a day per process
  (the current session of a conversation that is still going is kept whole);
* on SQLite (the default, ``var/tracker.sqlite3``) uses WAL with ``synchronous=NORMAL``
  and pooled connections, so a turn's write costs no fsync and no reconnect.

Configured in ``bot/endpoints.yml`` (SQLite) and ``bot/endpoints.redis.yml``
(PostgreSQL, with Redis as the lock store); the database comes from
``TRACKER_STORE_URL`` (see :func:`tracker_store_url`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_speedups, resilience
from procedures_catalog.masking import mask
from procedures_catalog.settings import get_turnlog_settings, state_dir

logger = logging.getLogger(__name__)

#: How many events of the current session are read back (about 8 turns): far more
#: than any rule or action looks at, few enough to keep a turn's cost flat.
DEFAULT_TAIL_EVENTS = 60
PURGE_EVERY_SECONDS = 24 * 3600
# Each query names one event type, so that it is a range scan of the (sender_id,
# type_name, id) index: bounded by the session, whatever the conversation's history.
_BOUNDARY = sa.text(
    "SELECT max(m) FROM ("
    "SELECT max(id) AS m FROM events WHERE sender_id = :s AND type_name = 'session_started' "
    "UNION ALL SELECT max(id) FROM events WHERE sender_id = :s AND type_name = 'restart') b")
_TAIL = sa.text("SELECT id, data FROM events WHERE sender_id = :s AND id >= :b "
                "ORDER BY id DESC LIMIT :n")
_RESET = sa.text("SELECT max(id) FROM events WHERE sender_id = :s "
                 "AND type_name = 'reset_slots' AND id >= :b AND id < :t")
# The latest value of each slot, the latest active loop, the latest pause and resume.
_STATE = sa.text(
    "SELECT max(id) FROM events WHERE sender_id = :s AND type_name = 'slot' "
    "AND id > :f AND id < :t GROUP BY action_name "
    + "".join(f"UNION ALL SELECT max(id) FROM events WHERE sender_id = :s "
              f"AND type_name = '{kind}' AND id > :b AND id < :t "
              for kind in ("active_loop", "pause", "resume")))
_ROWS = sa.text("SELECT data FROM events WHERE id IN :ids ORDER BY id")
# Attribute set on a tracker read by this store: how many of its events are stored.
_STORED = "_durable_stored_events"


def tracker_store_url(environ: dict[str, str] | None = None) -> str:
    """Where conversations are kept: ``TRACKER_STORE_URL``, any SQLAlchemy URL.

    The default is the SQLite file ``var/tracker.sqlite3`` in the project (``var/`` holds
    the runtime state); the folder is created when missing.
    """
    env = os.environ if environ is None else environ
    url = (env.get("TRACKER_STORE_URL") or "").strip()
    if url:
        return url
    state = state_dir()
    state.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{state / 'tracker.sqlite3'}"


def mask_event(data: dict[str, Any]) -> dict[str, Any]:
    """Mask personal data in a serialised event (user texts, text slot values)."""
    kind = data.get("event")
    if kind == "user":
        if isinstance(data.get("text"), str) and not data["text"].startswith("/"):
            data["text"] = mask(data["text"])
        parse = data.get("parse_data")
        if isinstance(parse, dict) and isinstance(parse.get("text"), str) \
                and not parse["text"].startswith("/"):
            # A copy: the dict is the live event's own.
            data["parse_data"] = {**parse, "text": mask(parse["text"])}
    elif kind == "slot" and isinstance(data.get("value"), str):
        data["value"] = mask(data["value"])
    return data


class DurableTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, reading the current session's tail (see the module doc).

    Args:
        domain: the model's domain (Rasa sets it).
        host: a SQLAlchemy URL (``url:`` in the endpoints file); default
            :func:`tracker_store_url`.
        event_broker: Rasa's event broker, if any.
        tail_events: events of the current session read back on each turn.
        **kwargs: the other ``SQLTrackerStore`` settings (dialect, db, ...), unused when
            ``host`` is a URL.
    """

    def __init__(self, domain: Domain | None = None, host: str | None = None,
                 event_broker: EventBroker | None = None,
                 tail_events: int = DEFAULT_TAIL_EVENTS, **kwargs: Any) -> None:
        url = host or tracker_store_url()
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        self.tail_events = max(int(tail_events), 20)
        if self.engine.dialect.name == "sqlite":
            self._tune_sqlite()
        self._create_indexes()
        # Created once at start-up in every configuration: the place to install the
        # measured speed-ups and the kind reply to failed actions.
        rasa_speedups.install()
        resilience.install()
        self._purge_lock = threading.Lock()
        self._last_purge: float | None = None

    # --- set-up
    def _tune_sqlite(self) -> None:
        """One pooled connection per thread, WAL, no fsync per commit."""
        url = self.engine.url
        self.engine.dispose()
        # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool): pooling
        # saves the reconnect and the PRAGMAs on every read and write of a turn.
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=4,
                                       connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(self.engine, "connect")
        def _pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            # WAL lets readers work while a write commits; NORMAL skips the fsync of each
            # commit (a power cut may lose the last turns, never corrupt the file).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _create_indexes(self) -> None:
        """Indexes for the tail and state look-ups (Rasa's table has sender_id only)."""
        table = self.SQLEvent.__table__
        indexes = (
            sa.Index("ix_events_sender_id_id", table.c.sender_id, table.c.id),
            sa.Index("ix_events_sender_type_id", table.c.sender_id, table.c.type_name,
                     table.c.id, table.c.action_name),
            sa.Index("ix_events_timestamp", table.c.timestamp),
        )
        for index in indexes:
            try:
                index.create(self.engine, checkfirst=True)
            except sa.exc.SQLAlchemyError as exc:
                # Several Rasa instances may create them at once; one wins.
                logger.debug("index %s not created: %s", index.name, exc)
        # The index objects must not stay attached to Rasa's shared table definition.
        for index in indexes:
            table.indexes.discard(index)

    # --- reading
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's state: its current session's tail and the state before it.

        Read in a worker thread: waiting for the database (PostgreSQL on a busy machine)
        must not hold up the other conversations on the event loop.
        """
        return await asyncio.to_thread(self._retrieve_tail, sender_id)

    def _retrieve_tail(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._session_rows(session, sender_id)
        if not rows:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(data) for data in rows], self.domain.slots)
        setattr(tracker, _STORED, len(tracker.events))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every stored event of the conversation, all sessions (the HTTP API, exports)."""
        tracker = await super().retrieve_full_tracker(conversation_id)
        if tracker is not None:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    def _session_rows(self, session: Any, sender_id: str) -> list[str]:
        """Serialised events: boundary, latest state events, then the session's tail."""
        # Plain SQL: the ORM's query building cost more than the queries themselves.
        run = session.execute
        boundary = run(_BOUNDARY, {"s": sender_id}).scalar() or 0
        tail = run(_TAIL, {"s": sender_id, "b": boundary, "n": self.tail_events}).all()
        tail.reverse()
        if len(tail) < self.tail_events or tail[0].id <= boundary:
            return [row.data for row in tail]  # the whole session fits
        start = tail[0].id
        # Slot values count from the last AllSlotsReset before the tail, if any.
        floor = run(_RESET, {"s": sender_id, "b": boundary, "t": start}).scalar() or boundary
        ids = {row[0] for row in run(_STATE, {"s": sender_id, "b": boundary, "f": floor,
                                              "t": start}) if row[0]}
        ids |= {i for i in (boundary, floor) if i}
        head = run(_ROWS.bindparams(sa.bindparam("ids", expanding=True)),
                   {"ids": sorted(ids)}).all() if ids else []
        return [row.data for row in head] + [row.data for row in tail]

    # --- writing
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events this turn added (masked), then purge old ones daily.

        Written in a worker thread, like :meth:`retrieve` (the conversation's lock is
        held meanwhile: nothing else touches this tracker).
        """
        await self.stream_events(tracker)
        await asyncio.to_thread(self._append, tracker)
        self._maybe_purge()

    def _append(self, tracker: DialogueStateTracker) -> None:
        # A tracker this store did not read is new: all of its events are to be stored.
        stored = getattr(tracker, _STORED, 0)
        rows = []
        for event in list(tracker.events)[stored:]:
            data = mask_event(event.as_dict())
            rows.append({
                "sender_id": tracker.sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            })
        if rows:
            # One INSERT for the turn's events (in order), without the ORM's unit of work.
            with self.session_scope() as session:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
        setattr(tracker, _STORED, len(tracker.events))

    # --- retention
    def purge(self, days: int | None = None, *, now: float | None = None) -> int:
        """Delete events older than ``days`` (default ``TURNLOG_RETENTION_DAYS``).

        A conversation whose last event is older goes whole; in a conversation still
        going, old events go except its current session's (which stays readable).

        Returns:
            How many events were deleted.
        """
        days = get_turnlog_settings().retention_days if days is None else days
        if days <= 0:
            return 0
        cutoff = (now or time.time()) - days * 86400
        ev = self.SQLEvent
        deleted = 0
        with self.session_scope() as session:
            senders = [sender_id for (sender_id,) in session.query(ev.sender_id)
                       .filter(ev.timestamp < cutoff).distinct()]
            for sender_id in senders:
                boundary = session.execute(_BOUNDARY, {"s": sender_id}).scalar()
                newest = session.query(sa.func.max(ev.timestamp)).filter(
                    ev.sender_id == sender_id).scalar() or 0
                query = session.query(ev).filter(ev.sender_id == sender_id,
                                                 ev.timestamp < cutoff)
                if newest >= cutoff and boundary is not None:
                    query = query.filter(ev.id < boundary)
                elif newest >= cutoff:
                    continue  # one session still going: nothing can go yet
                deleted += query.delete(synchronize_session=False)
                # One conversation per transaction: turns are not kept waiting.
                session.commit()
        return deleted

    def _maybe_purge(self) -> None:
        """Run :meth:`purge` in a worker thread at most once a day per process."""
        now = time.monotonic()
        with self._purge_lock:
            if self._last_purge is not None and now - self._last_purge < PURGE_EVERY_SECONDS:
                return
            self._last_purge = now
        try:
            asyncio.get_running_loop().run_in_executor(None, self._purge_logged)
        except RuntimeError:  # no event loop (scripts): purge right here
            self._purge_logged()

    def _purge_logged(self) -> None:
        try:
            deleted = self.purge()
        except Exception:  # noqa: BLE001 - a failed purge is retried tomorrow
            logger.warning("tracker store purge failed", exc_info=True)
            return
        if deleted:
            logger.info("tracker store: %d events past retention deleted", deleted)

"""The short-lived per-conversation store of raw dossier codes, and the lookup limit.

Channels mask dossier codes before Rasa stores or logs a message, so the action server
never sees them in the text. Instead the channel (in the Rasa process) puts the raw code
here under a hash of the conversation id, and the dossier action (in the action server)
reads it back. Codes expire after ``DOSSIER_CODE_TTL`` seconds. The same file counts
lookups per conversation for the enumeration guard and holds the follow subscriptions
(:mod:`.follow`).

One SQLite file (standard library only, so both virtual environments can use it) shared
by the processes of one machine. Conversation ids are stored hashed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..settings import DossierSettings, get_dossier_settings
from .codes import find_codes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (conversation TEXT PRIMARY KEY, code TEXT NOT NULL,
                                  complete INTEGER NOT NULL, stored_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS lookups (conversation TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS lookups_by_conversation ON lookups (conversation, at);
CREATE TABLE IF NOT EXISTS follows (conversation TEXT NOT NULL, channel TEXT NOT NULL,
    recipient TEXT NOT NULL, code TEXT NOT NULL, status TEXT NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (conversation, code));
"""


def conversation_key(conversation_id: str) -> str:
    """The hashed key a conversation is stored under."""
    return hashlib.sha256(f"dossier:{conversation_id}".encode()).hexdigest()[:32]


class CodeStore:
    """Raw dossier codes per conversation, for a short time, and lookup counts.

    Args:
        path: the SQLite file (created with its folder when missing).
        ttl: seconds a code is kept.
    """

    def __init__(self, path: Path, ttl: int = 1800) -> None:
        self.path, self.ttl = Path(path), ttl

    @classmethod
    def from_settings(cls, settings: DossierSettings | None = None) -> CodeStore:
        """The store the settings name."""
        settings = settings or get_dossier_settings()
        return cls(settings.store_path, settings.code_ttl)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection to the store's file, in a transaction (committed on success)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5)
        try:
            conn.executescript(_SCHEMA)
            with conn:
                yield conn
        finally:
            conn.close()

    def remember(self, conversation_id: str, text: str | None) -> bool:
        """Keep the last dossier code in ``text`` (if any) for this conversation.

        Returns:
            Whether a code was found and kept.
        """
        codes = find_codes(text)
        if not codes:
            return False
        code = next((c for c in codes if c.complete), codes[0])
        with self.connect() as db:
            db.execute("INSERT OR REPLACE INTO codes VALUES (?, ?, ?, ?)",
                       (conversation_key(conversation_id), code.code, int(code.complete), time.time()))
        return True

    def recall(self, conversation_id: str) -> tuple[str, bool] | None:
        """The conversation's last code and whether it is complete (None when none or expired)."""
        with self.connect() as db:
            db.execute("DELETE FROM codes WHERE stored_at < ?", (time.time() - self.ttl,))
            row = db.execute("SELECT code, complete FROM codes WHERE conversation = ?",
                             (conversation_key(conversation_id),)).fetchone()
        return (str(row[0]), bool(row[1])) if row else None

    def forget(self, conversation_id: str) -> None:
        """Drop the conversation's code."""
        with self.connect() as db:
            db.execute("DELETE FROM codes WHERE conversation = ?", (conversation_key(conversation_id),))

    def take_lookup(self, conversation_id: str, per_hour: int) -> float:
        """Count one lookup unless the conversation used up its hourly allowance.

        Returns:
            0 when the lookup may go ahead, else seconds until the next one may.
        """
        now, key = time.time(), conversation_key(conversation_id)
        with self.connect() as db:
            db.execute("DELETE FROM lookups WHERE at < ?", (now - 3600,))
            times = [r[0] for r in db.execute(
                "SELECT at FROM lookups WHERE conversation = ? ORDER BY at", (key,))]
            if per_hour and len(times) >= per_hour:
                return max(times[-per_hour] + 3600 - now, 1.0)
            db.execute("INSERT INTO lookups VALUES (?, ?)", (key, now))
        return 0.0


def remember_codes(conversation_id: str | None, text: str | None) -> None:
    """What a channel calls with the raw message, before masking it (never raises)."""
    if not conversation_id or not text or text.startswith("/"):
        return
    try:
        CodeStore.from_settings().remember(conversation_id, text)
    except Exception:  # noqa: BLE001 - a full disk must not stop the message
        import logging

        logging.getLogger(__name__).warning("dossier code not kept", exc_info=False)

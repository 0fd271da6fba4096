"""Following a dossier: subscriptions, and the job that messages citizens when it changes.

"Báo cho tôi khi có kết quả" on Telegram or Zalo subscribes the conversation to the
dossier it last asked about; :func:`check_follows` (run by ``catalog dossier-follow``)
looks every followed dossier up and sends one message when its state changed. A
subscription ends when the dossier is done or returned, when the citizen says "thôi,
đừng báo nữa", or after :data:`FOLLOW_DAYS`.

Subscriptions live in the code store's SQLite file (:mod:`.pending`): the raw code and
the chat to message are needed to do the job, and nothing else is kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from ..settings import FollowSettings, get_follow_settings
from . import answers
from .pending import CodeStore, conversation_key
from .record import Dossier, SourceUnavailable
from .sources import DossierSource

log = logging.getLogger(__name__)

FOLLOW_DAYS = 60
MAX_FOLLOWS = 3  # per conversation
FINAL_STATES = ("done", "returned")


def push_target(conversation_id: str) -> tuple[str, str] | None:
    """(channel, recipient) for conversations the assistant can message first, else None.

    The Telegram bridge names conversations ``tg-<chat id>``, the Zalo channel
    ``zalo-<user id>``; other channels (web, REST) cannot be messaged later.
    """
    for prefix, channel in (("tg-", "telegram"), ("zalo-", "zalo")):
        if conversation_id.startswith(prefix) and len(conversation_id) > len(prefix):
            return channel, conversation_id[len(prefix):]
    return None


@dataclass
class Follow:
    """One subscription."""

    conversation: str
    channel: str
    recipient: str
    code: str
    status: str


class FollowStore:
    """Subscriptions, in the code store's file."""

    def __init__(self, store: CodeStore) -> None:
        self.store = store

    def add(self, conversation_id: str, code: str, status: str) -> bool:
        """Follow ``code`` for this conversation; False when it cannot be messaged or has too many."""
        target = push_target(conversation_id)
        if target is None:
            return False
        key = conversation_key(conversation_id)
        with self.store.connect() as db:
            count = db.execute("SELECT COUNT(*) FROM follows WHERE conversation = ? AND code != ?",
                               (key, code)).fetchone()[0]
            if count >= MAX_FOLLOWS:
                return False
            db.execute("INSERT OR REPLACE INTO follows VALUES (?, ?, ?, ?, ?, ?)",
                       (key, *target, code, status, time.time() + FOLLOW_DAYS * 86400))
        return True

    def remove_all(self, conversation_id: str) -> int:
        """Stop every subscription of this conversation; returns how many there were."""
        with self.store.connect() as db:
            return db.execute("DELETE FROM follows WHERE conversation = ?",
                              (conversation_key(conversation_id),)).rowcount

    def all(self) -> list[Follow]:
        """Every live subscription (expired ones are dropped first)."""
        with self.store.connect() as db:
            db.execute("DELETE FROM follows WHERE expires_at < ?", (time.time(),))
            rows = db.execute("SELECT conversation, channel, recipient, code, status FROM follows").fetchall()
        return [Follow(*row) for row in rows]

    def update(self, follow: Follow, status: str) -> None:
        """Remember the state last told, or end the subscription in a final state."""
        with self.store.connect() as db:
            if status in FINAL_STATES:
                db.execute("DELETE FROM follows WHERE conversation = ? AND code = ?",
                           (follow.conversation, follow.code))
            else:
                db.execute("UPDATE follows SET status = ? WHERE conversation = ? AND code = ?",
                           (status, follow.conversation, follow.code))


Notifier = Callable[[str, str, str], bool]


def http_notifier(settings: FollowSettings | None = None, timeout: float = 10.0) -> Notifier:
    """Send a text through the Telegram Bot API or the Zalo OA API (settings from the env)."""
    settings = settings or get_follow_settings()

    def notify(channel: str, recipient: str, text: str) -> bool:
        try:
            if channel == "telegram" and settings.telegram_token:
                url = f"{settings.telegram_api_base_url}{settings.telegram_token}/sendMessage"
                reply = requests.post(url, json={"chat_id": int(recipient), "text": text}, timeout=timeout)
                return reply.status_code == 200 and bool(reply.json().get("ok"))
            if channel == "zalo" and settings.zalo_access_token:
                reply = requests.post(f"{settings.zalo_api_base_url}/v3.0/oa/message/cs",
                                      json={"recipient": {"user_id": recipient}, "message": {"text": text}},
                                      headers={"access_token": settings.zalo_access_token}, timeout=timeout)
                return reply.status_code == 200 and reply.json().get("error") in (0, None)
        except (requests.RequestException, ValueError) as exc:
            log.warning("%s notification failed: %s", channel, type(exc).__name__)
            return False
        log.warning("%s notification skipped: the channel is not configured", channel)
        return False

    return notify


def change_message(dossier: Dossier) -> str:
    """The one message sent when a followed dossier changed."""
    body = "\n".join(r.text for r in answers.status_answer(dossier) if r.text)
    return ("🔔 Hồ sơ bạn theo dõi có cập nhật.\n" + body)[:1800]


def check_follows(store: CodeStore, source: DossierSource, notify: Notifier) -> dict[str, int]:
    """Look every followed dossier up; message the chats whose dossier changed.

    Returns:
        Counts: checked, notified, failed (lookups or sends), ended.
    """
    follows, counts = FollowStore(store), {"checked": 0, "notified": 0, "failed": 0, "ended": 0}
    for follow in follows.all():
        counts["checked"] += 1
        try:
            dossier = source.lookup(follow.code)
        except SourceUnavailable:
            counts["failed"] += 1
            continue
        if not dossier.found or dossier.status == follow.status:
            continue
        if not notify(follow.channel, follow.recipient, change_message(dossier)):
            counts["failed"] += 1
            continue  # told next time
        counts["notified"] += 1
        counts["ended"] += dossier.status in FINAL_STATES
        follows.update(follow, dossier.status)
    return counts

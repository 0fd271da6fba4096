"""What a dossier lookup returns, whatever the source: a small, personal-data-free record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# The states the assistant explains; every source maps its own values onto these.
STATUSES = ("received", "in_progress", "needs_documents", "done", "returned", "unknown")


class SourceUnavailable(Exception):
    """The lookup service could not answer (time-out, server error, malformed answer)."""


@dataclass(frozen=True)
class Dossier:
    """One dossier's status. Deliberately holds no applicant's name, ID number or address.

    Attributes:
        code: the normalised code that was looked up.
        found: whether the source knows the code.
        status: one of :data:`STATUSES`.
        received: the day the dossier was received.
        due: the promised day of the result.
        finished: the day the result was ready, if it is.
        office: the office handling it.
        missing: documents to add, when the office asked for more.
        note: a short remark from the office (reason of a return...).
        demo: True for the demo source's sample dossiers.
    """

    code: str
    found: bool
    status: str = "unknown"
    received: date | None = None
    due: date | None = None
    finished: date | None = None
    office: str | None = None
    missing: tuple[str, ...] = field(default_factory=tuple)
    note: str | None = None
    demo: bool = False

    def late(self, today: date | None = None) -> bool:
        """Whether the promised day has passed without the result (or the result came after it)."""
        if not self.found or self.due is None:
            return False
        if self.status in ("done", "returned"):
            return self.finished is not None and self.finished > self.due
        return (today or date.today()) > self.due

    def payload(self, shown_code: str, today: date | None = None) -> dict[str, Any]:
        """The ``{"dossier": {...}}`` contract of answers (dates as ISO strings).

        Args:
            shown_code: the code as the answer shows it (partly hidden in chat).
            today: the reference day for ``late`` (default: today).
        """
        return {"dossier": {
            "code": shown_code,
            "found": self.found,
            "status": self.status if self.found else None,
            "received": self.received.isoformat() if self.received else None,
            "due": self.due.isoformat() if self.due else None,
            "office": self.office,
            "late": self.late(today),
            "demo": self.demo,
        }}

"""SQLAlchemy 2.0 models of the catalogue.

Schema changes go through Alembic migrations in ``procedures_catalog/migrations``;
``tests/catalog/test_models_migrations.py`` checks that the migrations and these models agree.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware current time in UTC (stored as such on every backend)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every catalogue table."""


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính).

    Text fields keep the catalogue's wording; ``documents`` is an ordered checklist.
    ``processing_days``/``fee_*`` are parsed from the text where it parses, else None.
    Retired procedures keep their row (``status == "retired"``) so history stays whole.
    """

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(10), index=True)
    online_level: Mapped[str] = mapped_column(String(16), index=True)
    agency: Mapped[str] = mapped_column(Text, default="")
    processing_time: Mapped[str] = mapped_column(Text, default="")
    processing_days: Mapped[float | None] = mapped_column(Float, nullable=True)
    processing_unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    fees: Mapped[str] = mapped_column(Text, default="")
    fee_free: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    fee_min_vnd: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fee_max_vnd: Mapped[int | None] = mapped_column(Integer, nullable=True)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    steps: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    issuing_body: Mapped[str] = mapped_column(Text, default="")
    detail_url: Mapped[str] = mapped_column(Text, default="")
    level_source: Mapped[str] = mapped_column(String(40), default="")
    online_source: Mapped[str] = mapped_column(String(40), default="")
    level_portal: Mapped[str] = mapped_column(String(20), default="")
    online_portal: Mapped[str] = mapped_column(String(20), default="")
    # The file (and format) this procedure was last imported from.
    source: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="Alias.id"
    )

    def __repr__(self) -> str:
        return f"<Procedure {self.code} {self.level}/{self.online_level} {self.name[:40]!r}>"


class Alias(Base):
    """A colloquial name citizens use for a procedure ("sổ đỏ", "làm căn cước")."""

    __tablename__ = "aliases"
    __table_args__ = (UniqueConstraint("procedure_id", "norm", name="uq_alias_procedure_norm"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    # Normalised form used for matching and for uniqueness.
    norm: Mapped[str] = mapped_column(Text)
    # curated (shipped with the project), staff (CLI/web), dashboard (from a question).
    origin: Mapped[str] = mapped_column(String(20), default="staff")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="aliases")


class Office(Base):
    """Where a citizen goes: the one-stop desk for a level, or the hotline.

    ``key`` is ``tinh``, ``huyen``, ``xa`` or ``hotline``. ``is_sample`` marks values
    that are placeholders until the province fills in its real ones.
    """

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    def as_dict(self) -> dict[str, Any]:
        """Return the office's public fields."""
        return {
            "key": self.key,
            "name": self.name,
            "address": self.address,
            "hours": self.hours,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
            "note": self.note,
            "is_sample": self.is_sample,
        }


class AuditEntry(Base):
    """One recorded change: who, when, what, old and new value, and why.

    Rows are only ever inserted. ``entity`` is ``procedure``, ``alias`` or ``office``;
    ``entity_key`` the procedure code or office key; ``batch`` groups the entries of
    one import.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(20))
    entity_key: Mapped[str] = mapped_column(String(60))
    field: Mapped[str] = mapped_column(String(40), default="")
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    batch: Mapped[str] = mapped_column(String(40), default="")


# ------------------------------------------------------------------------ editions


class Edition(Base):
    """One official list of procedures (a catalogue edition) and the date it takes effect.

    ``status`` is ``staged`` (waiting for its date), ``active`` (the edition in force)
    or ``superseded`` (an older edition, kept for history and differences). Its
    procedures are kept as they were imported (:class:`EditionEntry`), so any two
    editions can be compared and an old one is never lost.
    """

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    # The deciding document, e.g. "Quyết định 947/QĐ-UBND ngày 03/10/2025".
    decision: Mapped[str] = mapped_column(Text, default="")
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    # The administrative unit the list is for ("Tỉnh Tiền Giang", "Tỉnh Đồng Tháp").
    unit: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    # official (a decision published by the province) or sample (arranged figures).
    kind: Mapped[str] = mapped_column(String(20), default="official")
    status: Mapped[str] = mapped_column(String(12), default="staged", index=True)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def as_dict(self) -> dict[str, Any]:
        """The edition's public fields (dates as ISO strings)."""
        return {
            "id": self.id,
            "name": self.name,
            "decision": self.decision,
            "effective_from": self.effective_from.isoformat(),
            "unit": self.unit,
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
        }


class EditionEntry(Base):
    """One procedure of an edition, as imported (the catalogue fields as JSON)."""

    __tablename__ = "edition_entries"
    __table_args__ = (UniqueConstraint("edition_id", "code", name="uq_edition_entry_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


# --------------------------------------------------------------------------- staff


class StaffUser(Base):
    """A staff account of the web workspace (created with `catalog user add`).

    ``role`` is ``viewer`` (reads only) or ``editor`` (changes the catalogue).
    ``password_hash`` holds a salted scrypt hash (see ``procedures_catalog.accounts``).
    ``failed_logins`` counts wrong passwords in a row; reaching the limit sets
    ``locked_until``.
    """

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(10), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class StaffSession(Base):
    """A signed-in browser session; the cookie carries a token whose SHA-256 is ``id``.

    Keeping sessions server-side lets sign-out and the idle timeout end them for
    good (a copied cookie stops working too).
    """

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --------------------------------------------------------------------------- turns


class Turn(Base):
    """One message a citizen sent and what the assistant did with it.

    ``text`` is masked before it is stored (``procedures_catalog.masking``) and
    ``conversation`` is a salted hash of the channel's conversation id, so nothing
    here points back at a person. Old rows are purged (``TURNLOG_RETENTION_DAYS``).
    """

    __tablename__ = "turns"
    __table_args__ = (Index("ix_turns_conversation_at", "conversation", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="unknown")
    conversation: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(60), nullable=True)
    intent_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    procedure_code: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # answered, choices, not_found, fallback, handoff, stats, portal_help, smalltalk,
    # out_of_scope.
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    aspect: Mapped[str | None] = mapped_column(String(20), nullable=True)


class TurnRating(Base):
    """A citizen's 👍/👎 on an answer, attached to the latest answered turn."""

    __tablename__ = "turn_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    turn_id: Mapped[int | None] = mapped_column(
        ForeignKey("turns.id", ondelete="CASCADE"), nullable=True, index=True
    )
    conversation: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="unknown")
    rating: Mapped[str] = mapped_column(String(4))
    # A reason code from the buttons (wrong_procedure, missing_info, unclear, other).
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Setting(Base):
    """A value the services keep for themselves (generated salts, keys, timestamps)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

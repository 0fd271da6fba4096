"""The catalogue's one entry point: read, search, change (with audit), import, export.

The command line, the Rasa actions and the staff workspace all go through
:class:`Catalog`. Every change writes :class:`~procedures_catalog.models.AuditEntry`
rows in the same transaction as the change itself, so nothing changes without a
trail. The search index is cached per process and rebuilt when the catalogue's
revision (the newest audit entry id) moves, so a running assistant sees a staff
edit on its next question.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, selectinload

from . import db, editions
from .cleaning import clean_name, clean_text, join_documents, parse_fees, parse_processing_time
from .importers import ReadResult, read_file
from .importers.base import parse_level, parse_online_level
from .models import Alias, AuditEntry, Office, Procedure
from .normalize import fold
from .records import (
    EDITABLE_FIELDS,
    LEVELS,
    ONLINE_LEVELS,
    CatalogError,
    ProcedureRecord,
)
from .search import IndexEntry, SearchHit, SearchIndex
from .settings import Settings, get_settings

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
OFFICE_KEYS = ("tinh", "huyen", "xa", "hotline")
OFFICE_FIELDS = ("name", "address", "hours", "phone", "email", "website", "note", "is_sample")


class NotFound(CatalogError):
    """No procedure with that code."""


class InvalidChange(CatalogError):
    """A change staff asked for is not allowed (wrong field, value or missing reason)."""


@dataclass
class FieldChange:
    """One field of one procedure that an import would change."""

    field: str
    old: Any
    new: Any


@dataclass
class ImportPlan:
    """What an import does (or, in a dry run, would do)."""

    source: str
    format: str
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[FieldChange]] = field(default_factory=dict)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    applied: bool = False
    batch: str = ""

    @property
    def changes(self) -> int:
        """Number of procedures the import touches."""
        return len(self.created) + len(self.updated) + len(self.retired) + len(self.restored)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "source": self.source,
            "format": self.format,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "retired": len(self.retired),
            "restored": len(self.restored),
            "applied": self.applied,
            "batch": self.batch,
        }


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return join_documents([str(v) for v in value])
    if value is None:
        return ""
    return str(value)


def _derived(procedure: Procedure) -> None:
    """Recompute the structured values parsed from fees and processing time."""
    fee = parse_fees(procedure.fees)
    procedure.fee_free, procedure.fee_min_vnd, procedure.fee_max_vnd = fee.free, fee.min_vnd, fee.max_vnd
    procedure.processing_days, procedure.processing_unit = parse_processing_time(procedure.processing_time)


def procedure_to_dict(p: Procedure, *, with_aliases: bool = True) -> dict[str, Any]:
    """The JSON form of a procedure (`catalog show --json`)."""
    data: dict[str, Any] = {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "level": p.level,
        "online_level": p.online_level,
        "agency": p.agency,
        "processing_time": p.processing_time,
        "processing": {"amount": p.processing_days, "unit": p.processing_unit},
        "fees": p.fees,
        "fee": {"free": p.fee_free, "min_vnd": p.fee_min_vnd, "max_vnd": p.fee_max_vnd},
        "documents": list(p.documents or []),
        "steps": p.steps,
        "legal_basis": p.legal_basis,
        "result": p.result,
        "requirements": p.requirements,
        "issuing_body": p.issuing_body,
        "detail_url": p.detail_url,
        "portal_url": p.detail_url,
        "level_source": p.level_source,
        "online_source": p.online_source,
        "level_portal": p.level_portal,
        "online_portal": p.online_portal,
        "source": p.source,
        "status": p.status,
        "updated_at": p.updated_at.isoformat() if p.updated_at else None,
    }
    if with_aliases:
        data["aliases"] = [a.text for a in p.aliases]
    return data


def record_from_procedure(p: Procedure) -> ProcedureRecord:
    """A procedure row as the plain record exporters write."""
    return ProcedureRecord(
        code=p.code, name=p.name, level=p.level, online_level=p.online_level, field=p.field,
        agency=p.agency, processing_time=p.processing_time, fees=p.fees,
        documents=list(p.documents or []), steps=p.steps, legal_basis=p.legal_basis,
        result=p.result, requirements=p.requirements, issuing_body=p.issuing_body,
        detail_url=p.detail_url, level_source=p.level_source, online_source=p.online_source,
        level_portal=p.level_portal, online_portal=p.online_portal,
    )


_index_cache: dict[str, tuple[int, SearchIndex]] = {}
_index_lock = threading.Lock()


class Catalog:
    """Access to one catalogue database.

    Args:
        engine: the database engine (see :func:`procedures_catalog.db.get_engine`).
        settings: where the seed, offices and alias files are.
    """

    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self.engine = engine
        self.settings = settings or get_settings()
        self._sessions = db.session_factory(engine)

    # ------------------------------------------------------------------ set-up
    @classmethod
    def open(cls, url: str | None = None, *, ensure: bool = True) -> Catalog:
        """Open the catalogue at ``url`` (default from the environment).

        With ``ensure`` the schema is migrated and an empty database is filled from
        the bundled sample, the offices file and the curated aliases.
        """
        settings = get_settings()
        engine = db.get_engine(url or settings.database_url)
        catalog = cls(engine, settings)
        if ensure:
            catalog.ensure_ready()
        return catalog

    def session(self) -> Session:
        """A new session (callers close it; prefer the methods below)."""
        return self._sessions()

    def ensure_ready(self) -> bool:
        """Migrate, and seed an empty SQLite catalogue. Returns True if it seeded.

        Only a SQLite catalogue (the one-machine default) is filled automatically: an
        empty production database stays empty until staff load the official list or
        ask for the sample explicitly (``catalog init --sample``).
        """
        if not self._schema_current():
            db.migrate(self.engine)
        if self.settings.seed_on_first_use and self.count() == 0:
            if self.engine.dialect.name != "sqlite":
                log.warning("the catalogue at %s is empty; load it with `catalog import` or "
                            "`catalog init --sample`", self.engine.url.render_as_string())
                return False
            self.init()
            return True
        return False

    def _schema_current(self) -> bool:
        try:
            if not inspect(self.engine).has_table("procedures"):
                return False
            from alembic.script import ScriptDirectory

            heads = ScriptDirectory.from_config(db.alembic_config(self.engine)).get_heads()
            return db.current_revision(self.engine) in heads
        except Exception:  # noqa: BLE001 - any doubt means "run the migrations"
            return False

    def init(self, seed_file: Path | None = None, *, by: str = SYSTEM_ACTOR,
             progress: Callable[[int], None] | None = None) -> ImportPlan | None:
        """Create the schema and, if the catalogue is empty, load the seed data."""
        db.migrate(self.engine)
        plan = None
        if self.count() == 0:
            seed = Path(seed_file or self.settings.seed_file)
            info = editions.sidecar_info(seed)
            if info is None:
                plan = self.import_file(seed, by=by, reason="initial load of the bundled catalogue",
                                        progress=progress)
            else:
                # The seed describes its edition (X.edition.yaml): record it, so answers
                # can say which list and which date they come from.
                _, plan = editions.create(self, read_file(seed), info, by=by)
            if self.settings.aliases_file.exists():
                self.load_aliases(self.settings.aliases_file, by=by)
        if self.settings.offices_file.exists() and not self.offices():
            self.load_offices(self.settings.offices_file, by=by)
        return plan

    # ------------------------------------------------------------------- reads
    def count(self, include_retired: bool = False) -> int:
        """Number of procedures (active only by default)."""
        with self.session() as s:
            q = select(func.count(Procedure.id))
            if not include_retired:
                q = q.where(Procedure.status == "active")
            return int(s.scalar(q) or 0)

    def revision(self) -> int:
        """A number that changes whenever anything in the catalogue changes."""
        with self.session() as s:
            return int(s.scalar(select(func.max(AuditEntry.id))) or 0)

    def stats(self) -> dict[str, Any]:
        """Totals by level and by online level (the `catalog stats --json` contract)."""
        with self.session() as s:
            active = Procedure.status == "active"
            by_level: dict[str, int] = {
                str(k): int(n) for k, n in s.execute(
                    select(Procedure.level, func.count()).where(active).group_by(Procedure.level))
            }
            by_online: dict[str, int] = {
                str(k): int(n) for k, n in s.execute(
                    select(Procedure.online_level, func.count()).where(active)
                    .group_by(Procedure.online_level))
            }
            total = s.scalar(select(func.count()).select_from(Procedure).where(active)) or 0
            retired = s.scalar(select(func.count()).select_from(Procedure)
                               .where(Procedure.status == "retired")) or 0
        return {
            "total": int(total),
            "by_level": {lv: int(by_level.get(lv, 0)) for lv in LEVELS},
            "by_online_level": {ol: int(by_online.get(ol, 0)) for ol in ONLINE_LEVELS},
            "retired": int(retired),
        }

    def field_counts(self) -> dict[str, int]:
        """Active procedures per field (lĩnh vực), largest first."""
        with self.session() as s:
            rows = s.execute(select(Procedure.field, func.count()).where(Procedure.status == "active")
                             .group_by(Procedure.field).order_by(func.count().desc())).all()
        return {str(f): int(n) for f, n in rows if f}

    def get(self, code: str, *, include_retired: bool = True) -> Procedure | None:
        """The procedure with ``code`` (detached, aliases loaded), or None."""
        with self.session() as s:
            q = select(Procedure).options(selectinload(Procedure.aliases)).where(Procedure.code == code.strip())
            p = s.scalar(q)
            if p is None or (not include_retired and p.status != "active"):
                return None
            return p

    def require(self, code: str) -> Procedure:
        """Like :meth:`get` but raises :class:`NotFound`."""
        p = self.get(code)
        if p is None:
            raise NotFound(f"no procedure with code {code!r}")
        return p

    def procedure_facts(self, code: str) -> dict[str, Any] | None:
        """An active procedure as answers need it (see :mod:`procedures_catalog.facts`)."""
        from .facts import procedure_facts

        editions.activate_due(self)
        p = self.get(code, include_retired=False)
        return procedure_facts(self, p) if p is not None else None

    def procedures(self, *, include_retired: bool = False) -> list[Procedure]:
        """All procedures, ordered by code."""
        with self.session() as s:
            q = select(Procedure).options(selectinload(Procedure.aliases)).order_by(Procedure.code)
            if not include_retired:
                q = q.where(Procedure.status == "active")
            return list(s.scalars(q))

    def history(self, code: str) -> list[AuditEntry]:
        """Every recorded change of a procedure (and its aliases), oldest first."""
        with self.session() as s:
            q = (select(AuditEntry).where(AuditEntry.entity.in_(("procedure", "alias")),
                                          AuditEntry.entity_key == code)
                 .order_by(AuditEntry.id))
            return list(s.scalars(q))

    def recent_changes(self, limit: int = 50) -> list[AuditEntry]:
        """The newest audit entries, newest first."""
        with self.session() as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))

    # ------------------------------------------------------------------ search
    def index(self) -> SearchIndex:
        """The search index for the current revision (rebuilt when it changes)."""
        key = self.engine.url.render_as_string(hide_password=False)
        editions.activate_due(self)  # a staged edition takes effect on its date
        rev = self.revision()
        with _index_lock:
            cached = _index_cache.get(key)
            if cached and cached[0] == rev:
                return cached[1]
        index = SearchIndex(self._index_entries())
        with _index_lock:
            _index_cache[key] = (rev, index)
        return index

    def _index_entries(self) -> list[IndexEntry]:
        entries = []
        for p in self.procedures():
            completeness = sum(bool(x) for x in (p.documents, p.fees, p.processing_time, p.steps))
            entries.append(IndexEntry(
                code=p.code, name=p.name, level=p.level, online_level=p.online_level,
                field=p.field, aliases=tuple(a.text for a in p.aliases),
                completeness=completeness,
            ))
        return entries

    def search(self, text: str | None, limit: int = 5) -> list[SearchHit]:
        """Search active procedures the way the assistant does."""
        return self.index().search(text, limit=limit)

    # ----------------------------------------------------------------- changes
    def _audit(self, s: Session, *, actor: str, action: str, entity: str, key: str,
               field_name: str = "", old: Any = None, new: Any = None, reason: str = "",
               batch: str = "") -> None:
        s.add(AuditEntry(
            actor=actor, action=action, entity=entity, entity_key=key, field=field_name,
            old_value=None if old is None else _as_text(old),
            new_value=None if new is None else _as_text(new),
            reason=reason, batch=batch,
        ))

    @staticmethod
    def _check_actor(by: str, reason: str | None, *, need_reason: bool = True) -> tuple[str, str]:
        by = (by or "").strip()
        if not by:
            raise InvalidChange("say who makes the change (--by NAME)")
        reason = (reason or "").strip()
        if need_reason and not reason:
            raise InvalidChange("a reason is required for every change (--reason TEXT)")
        return by, reason

    @staticmethod
    def validate_value(field_name: str, value: Any) -> Any:
        """Clean and check a new value for ``field_name``; raise InvalidChange if wrong."""
        if field_name not in EDITABLE_FIELDS:
            raise InvalidChange(
                f"unknown field {field_name!r}; editable fields: {', '.join(EDITABLE_FIELDS)}"
            )
        if field_name == "level":
            level = parse_level(value)
            if level is None:
                raise InvalidChange(f"level must be one of {', '.join(LEVELS)} (got {value!r})")
            return level
        if field_name == "online_level":
            online = parse_online_level(value)
            if online is None:
                raise InvalidChange(
                    f"online_level must be one of {', '.join(ONLINE_LEVELS)} (got {value!r})"
                )
            return online
        if field_name == "documents":
            from .cleaning import split_documents

            items = value if isinstance(value, list) else split_documents(str(value or ""))
            return [clean_text(str(i)).replace("\n", " ") for i in items if clean_text(str(i))]
        if field_name == "name":
            name = clean_name(str(value or ""))
            if not name:
                raise InvalidChange("the name cannot be empty")
            return name
        return clean_text(str(value or ""))

    def set_field(self, code: str, field_name: str, value: Any, *, by: str, reason: str) -> bool:
        """Change one field of a procedure, with an audit entry.

        Returns:
            True if the value changed, False if it was already equal.

        Raises:
            NotFound, InvalidChange.
        """
        return bool(self.set_fields(code, {field_name: value}, by=by, reason=reason))

    def set_fields(self, code: str, values: dict[str, Any], *, by: str, reason: str) -> list[str]:
        """Change several fields of a procedure at once: one transaction, one audit group.

        Every value is checked before anything is written, so a bad value changes
        nothing; the audit entries share one ``batch`` so the edit reads as one change.

        Returns:
            The fields whose value changed (in the order given).

        Raises:
            NotFound, InvalidChange.
        """
        by, reason = self._check_actor(by, reason)
        new_values = {f: self.validate_value(f, v) for f, v in values.items()}
        group = f"edit-{uuid.uuid4().hex[:12]}" if len(new_values) > 1 else ""
        changed: list[str] = []
        with db.session_scope(self.engine) as s:
            p = s.scalar(select(Procedure).where(Procedure.code == code.strip()))
            if p is None:
                raise NotFound(f"no procedure with code {code!r}")
            for field_name, new in new_values.items():
                old = getattr(p, field_name)
                if old == new:
                    continue
                setattr(p, field_name, new)
                # A level set by staff is a staff-verified fact, unless the same edit
                # says where it comes from.
                if field_name == "level" and "level_source" not in new_values:
                    p.level_source = "staff"
                if field_name == "online_level" and "online_source" not in new_values:
                    p.online_source = "staff"
                self._audit(s, actor=by, action="update", entity="procedure", key=p.code,
                            field_name=field_name, old=old, new=new, reason=reason, batch=group)
                changed.append(field_name)
            if changed:
                _derived(p)
        return changed

    def set_status(self, code: str, status: str, *, by: str, reason: str) -> bool:
        """Retire (``retired``) or restore (``active``) a procedure, with an audit entry."""
        if status not in ("active", "retired"):
            raise InvalidChange("status must be 'active' or 'retired'")
        by, reason = self._check_actor(by, reason)
        with db.session_scope(self.engine) as s:
            p = s.scalar(select(Procedure).where(Procedure.code == code.strip()))
            if p is None:
                raise NotFound(f"no procedure with code {code!r}")
            if p.status == status:
                return False
            self._audit(s, actor=by, action="retire" if status == "retired" else "restore",
                        entity="procedure", key=p.code, field_name="status", old=p.status,
                        new=status, reason=reason)
            p.status = status
        return True

    def add_alias(self, code: str, text: str, *, by: str, reason: str = "",
                  origin: str = "staff") -> bool:
        """Add a colloquial name to a procedure. Returns False if it already had it."""
        by, reason = self._check_actor(by, reason, need_reason=False)
        text = clean_name(text)
        norm = fold(text)
        if not norm:
            raise InvalidChange("the alias is empty")
        with db.session_scope(self.engine) as s:
            p = s.scalar(select(Procedure).options(selectinload(Procedure.aliases))
                         .where(Procedure.code == code.strip()))
            if p is None:
                raise NotFound(f"no procedure with code {code!r}")
            if any(a.norm == norm for a in p.aliases):
                return False
            p.aliases.append(Alias(text=text, norm=norm, origin=origin, created_by=by))
            self._audit(s, actor=by, action="alias_add", entity="alias", key=p.code,
                        field_name="alias", new=text, reason=reason)
        return True

    def remove_alias(self, code: str, text: str, *, by: str, reason: str = "") -> bool:
        """Remove a colloquial name. Returns False if the procedure did not have it."""
        by, reason = self._check_actor(by, reason, need_reason=False)
        norm = fold(text)
        with db.session_scope(self.engine) as s:
            p = s.scalar(select(Procedure).options(selectinload(Procedure.aliases))
                         .where(Procedure.code == code.strip()))
            if p is None:
                raise NotFound(f"no procedure with code {code!r}")
            alias = next((a for a in p.aliases if a.norm == norm), None)
            if alias is None:
                return False
            p.aliases.remove(alias)
            self._audit(s, actor=by, action="alias_remove", entity="alias", key=p.code,
                        field_name="alias", old=alias.text, reason=reason)
        return True

    def load_aliases(self, path: Path, *, by: str) -> int:
        """Add the curated aliases of a YAML file ({code: [alias, ...]}) or folder of them.

        Returns:
            How many aliases were added (those already present are skipped).
        """
        path = Path(path)
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        data: dict[str, list[str]] = {}
        for file in files:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            if not isinstance(loaded, dict):
                raise InvalidChange(f"{file}: expected a mapping of procedure codes to aliases")
            for code, aliases in loaded.items():
                data.setdefault(str(code), []).extend(str(a) for a in aliases or [])
        added = 0
        with db.session_scope(self.engine) as s:
            procs = {p.code: p for p in s.scalars(select(Procedure).options(selectinload(Procedure.aliases)))}
            for code, aliases in data.items():
                p = procs.get(str(code))
                if p is None:
                    continue
                known = {a.norm for a in p.aliases}
                for text in aliases or []:
                    text = clean_name(str(text))
                    norm = fold(text)
                    if not norm or norm in known:
                        continue
                    known.add(norm)
                    p.aliases.append(Alias(text=text, norm=norm, origin="curated", created_by=by))
                    self._audit(s, actor=by, action="alias_add", entity="alias", key=p.code,
                                field_name="alias", new=text, reason=f"curated aliases ({path.name})")
                    added += 1
        return added

    # ----------------------------------------------------------------- offices
    def offices(self) -> dict[str, Office]:
        """The offices by key (tinh, huyen, xa, hotline)."""
        with self.session() as s:
            return {o.key: o for o in s.scalars(select(Office))}

    def office_for_level(self, level: str) -> Office | None:
        """The office a citizen goes to for a procedure of ``level``."""
        return self.offices().get(level)

    def set_office(self, key: str, field_name: str, value: Any, *, by: str, reason: str) -> bool:
        """Change one detail of an office, with an audit entry."""
        by, reason = self._check_actor(by, reason)
        if key not in OFFICE_KEYS:
            raise InvalidChange(f"office must be one of {', '.join(OFFICE_KEYS)}")
        if field_name not in OFFICE_FIELDS:
            raise InvalidChange(f"office field must be one of {', '.join(OFFICE_FIELDS)}")
        if field_name == "is_sample":
            new: Any = str(value).strip().lower() in ("1", "true", "yes", "co", "có")
        else:
            new = clean_text(str(value or ""))
            if field_name == "name" and not new:
                raise InvalidChange("the office name cannot be empty")
        with db.session_scope(self.engine) as s:
            office = s.scalar(select(Office).where(Office.key == key))
            if office is None:
                office = Office(key=key, name=new if field_name == "name" else key)
                s.add(office)
                s.flush()
            old = getattr(office, field_name)
            if old == new:
                return False
            setattr(office, field_name, new)
            self._audit(s, actor=by, action="update", entity="office", key=key,
                        field_name=field_name, old=old, new=new, reason=reason)
        return True

    def load_offices(self, path: Path, *, by: str, reason: str = "") -> int:
        """Load offices from YAML ({key: {name, address, hours, phone, ..., sample}})."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise InvalidChange(f"{path}: expected a mapping of office keys")
        changed = 0
        with db.session_scope(self.engine) as s:
            existing = {o.key: o for o in s.scalars(select(Office))}
            for key, values in data.items():
                if key not in OFFICE_KEYS or not isinstance(values, dict):
                    raise InvalidChange(f"{path}: unknown office {key!r} (use {', '.join(OFFICE_KEYS)})")
                if not str(values.get("name") or "").strip():
                    raise InvalidChange(f"{path}: office {key!r} has no name")
                office = existing.get(key)
                if office is None:
                    office = Office(key=key, name=str(values["name"]))
                    s.add(office)
                for f in OFFICE_FIELDS:
                    src = "sample" if f == "is_sample" else f
                    if src not in values:
                        continue
                    new = bool(values[src]) if f == "is_sample" else clean_text(str(values[src] or ""))
                    old = getattr(office, f, None)
                    if old != new:
                        setattr(office, f, new)
                        self._audit(s, actor=by, action="update", entity="office", key=key,
                                    field_name=f, old=old, new=new,
                                    reason=reason or f"offices loaded from {Path(path).name}")
                        changed += 1
        return changed

    # ----------------------------------------------------------------- imports
    def import_file(self, path: str | Path, *, by: str, replace: bool = False, dry_run: bool = False,
                    reason: str = "", progress: Callable[[int], None] | None = None) -> ImportPlan:
        """Read, validate and apply a catalogue file, all or nothing.

        Args:
            path: any format :func:`procedures_catalog.importers.read_file` reads.
            by: who imports (recorded in the audit trail).
            replace: make the catalogue equal to the file: retire procedures not in it.
            dry_run: compute and return the plan without changing anything.
            reason: why (defaults to "import of <file>").
            progress: called with the number of records processed so far.

        Raises:
            RecordError: a bad row (nothing is changed).
        """
        by, _ = self._check_actor(by, None, need_reason=False)
        result = read_file(path)
        return self.import_records(result, by=by, replace=replace, dry_run=dry_run,
                                   reason=reason or f"import of {result.source}", progress=progress)

    def import_records(self, result: ReadResult, *, by: str, replace: bool = False,
                       dry_run: bool = False, reason: str = "",
                       progress: Callable[[int], None] | None = None) -> ImportPlan:
        """Apply already-read records (see :meth:`import_file`)."""
        # Checked here too: the CLI reads the file itself and calls this directly.
        by, _ = self._check_actor(by, None, need_reason=False)
        plan = ImportPlan(source=result.source, format=result.format, batch=uuid.uuid4().hex[:12])
        session = self.session()
        try:
            self.apply_records(session, result, plan, by=by, replace=replace, dry_run=dry_run,
                               reason=reason, progress=progress)
            if dry_run:
                session.rollback()
            else:
                session.commit()
                plan.applied = True
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        return plan

    def apply_records(self, session: Session, result: ReadResult, plan: ImportPlan, *, by: str,
                      replace: bool = False, dry_run: bool = False, reason: str = "",
                      progress: Callable[[int], None] | None = None) -> None:
        """Apply records inside ``session`` (the caller commits), filling ``plan``.

        Editions call this so that an edition and the catalogue it puts in force are
        committed together.
        """
        batch = plan.batch
        existing = {p.code: p for p in session.scalars(select(Procedure))}
        in_file = set()
        for n, (record, provided) in enumerate(zip(result.records, result.provided), start=1):
            in_file.add(record.code)
            p = existing.get(record.code)
            if p is None:
                plan.created.append(record.code)
                if not dry_run:
                    p = Procedure(code=record.code, source=result.source, status="active",
                                  **{f: getattr(record, f) for f in EDITABLE_FIELDS})
                    _derived(p)
                    session.add(p)
                    self._audit(session, actor=by, action="create", entity="procedure",
                                key=record.code, field_name="", new=record.name,
                                reason=reason, batch=batch)
            else:
                changes = [
                    FieldChange(f, getattr(p, f), getattr(record, f))
                    for f in EDITABLE_FIELDS
                    if f in provided and getattr(p, f) != getattr(record, f)
                ]
                if p.status != "active":
                    plan.restored.append(record.code)
                if changes:
                    plan.updated[record.code] = changes
                elif p.status == "active":
                    plan.unchanged += 1
                if not dry_run:
                    for ch in changes:
                        setattr(p, ch.field, ch.new)
                        self._audit(session, actor=by, action="update", entity="procedure",
                                    key=p.code, field_name=ch.field, old=ch.old, new=ch.new,
                                    reason=reason, batch=batch)
                    if changes:
                        p.source = result.source
                        _derived(p)
                    if p.status != "active":
                        self._audit(session, actor=by, action="restore", entity="procedure",
                                    key=p.code, field_name="status", old=p.status,
                                    new="active", reason=reason, batch=batch)
                        p.status = "active"
            if progress and n % 50 == 0:
                progress(50)
        if progress:
            progress(len(result.records) % 50)
        if replace:
            for code, p in sorted(existing.items()):
                if code not in in_file and p.status == "active":
                    plan.retired.append(code)
                    if not dry_run:
                        self._audit(session, actor=by, action="retire", entity="procedure",
                                    key=code, field_name="status", old="active",
                                    new="retired", reason=reason, batch=batch)
                        p.status = "retired"

    # ----------------------------------------------------------------- exports
    def export(self, path: str | Path, *, include_retired: bool = False) -> int:
        """Write the catalogue as CSV (``.csv``/``.csv.gz``) or XLSX. Returns the row count."""
        from .exporters import write_csv, write_xlsx

        path = Path(path)
        records = [record_from_procedure(p) for p in self.procedures(include_retired=include_retired)]
        if path.name.lower().endswith(".xlsx"):
            write_xlsx(path, records)
        elif path.name.lower().endswith((".csv", ".csv.gz")):
            write_csv(path, records)
        else:
            raise CatalogError("export to .csv, .csv.gz or .xlsx")
        return len(records)


def dump_json(data: Any) -> str:
    """JSON the way every command prints it (UTF-8, not ASCII-escaped)."""
    return json.dumps(data, ensure_ascii=False)


def diff_lines(changes: Sequence[FieldChange], width: int = 70) -> list[str]:
    """Human-readable lines for a procedure's field changes."""
    out = []
    for ch in changes:
        old = _as_text(ch.old).replace("\n", " ⏎ ")
        new = _as_text(ch.new).replace("\n", " ⏎ ")
        if len(old) > width:
            old = old[: width - 1] + "…"
        if len(new) > width:
            new = new[: width - 1] + "…"
        out.append(f"    {ch.field}: {old!r} → {new!r}")
    return out

"""The catalogue's one entry point: read, search, change (with audit), import, export.

The command line, the Rasa actions and the staff workspace all go through
:class:`Catalog`. It is a facade: the work of each kind of change lives in its own
module (:mod:`.edits`, :mod:`.aliases`, :mod:`.offices`, :mod:`.import_plan`), the
audit rules in :mod:`.audit`, the JSON form in :mod:`.serialize` and the per-process
search-index cache in :mod:`.index_cache`. Every change writes
:class:`~procedures_catalog.models.AuditEntry` rows in the same transaction as the
change itself, so nothing changes without a trail.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, selectinload

from . import aliases, db, editions, edits, import_plan, offices
from .audit import SYSTEM_ACTOR, InvalidChange, NotFound, check_actor
from .import_plan import FieldChange, ImportPlan, diff_lines
from .importers import ReadResult, read_file
from .index_cache import cached_index, index_entries
from .models import AuditEntry, Office, Procedure
from .offices import OFFICE_FIELDS, OFFICE_KEYS
from .records import LEVELS, ONLINE_LEVELS, CatalogError
from .search import SearchHit, SearchIndex
from .serialize import dump_json, procedure_to_dict, record_from_procedure
from .settings import Settings, get_settings

# Names other code imports from here (the facade's public surface).
__all__ = [
    "OFFICE_FIELDS", "OFFICE_KEYS", "SYSTEM_ACTOR", "Catalog", "FieldChange", "ImportPlan",
    "InvalidChange", "NotFound", "diff_lines", "dump_json", "procedure_to_dict",
    "record_from_procedure",
]

log = logging.getLogger(__name__)


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
        return cached_index(key, self.revision(), lambda: index_entries(self.procedures()))

    def search(self, text: str | None, limit: int = 5) -> list[SearchHit]:
        """Search active procedures the way the assistant does."""
        return self.index().search(text, limit=limit)

    # ----------------------------------------------------------------- changes
    @staticmethod
    def validate_value(field_name: str, value: Any) -> Any:
        """Clean and check a new value for ``field_name``; raise InvalidChange if wrong."""
        return edits.validate_value(field_name, value)

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
        return edits.set_fields(self.engine, code, values, by=by, reason=reason)

    def set_status(self, code: str, status: str, *, by: str, reason: str) -> bool:
        """Retire (``retired``) or restore (``active``) a procedure, with an audit entry."""
        return edits.set_status(self.engine, code, status, by=by, reason=reason)

    def add_alias(self, code: str, text: str, *, by: str, reason: str = "",
                  origin: str = "staff") -> bool:
        """Add a colloquial name to a procedure. Returns False if it already had it."""
        return aliases.add_alias(self.engine, code, text, by=by, reason=reason, origin=origin)

    def remove_alias(self, code: str, text: str, *, by: str, reason: str = "") -> bool:
        """Remove a colloquial name. Returns False if the procedure did not have it."""
        return aliases.remove_alias(self.engine, code, text, by=by, reason=reason)

    def load_aliases(self, path: Path, *, by: str) -> int:
        """Add the curated aliases of a YAML file ({code: [alias, ...]}) or folder of them.

        Returns:
            How many aliases were added (those already present are skipped).
        """
        return aliases.load_aliases(self.engine, path, by=by)

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
        return offices.set_office(self.engine, key, field_name, value, by=by, reason=reason)

    def load_offices(self, path: Path, *, by: str, reason: str = "") -> int:
        """Load offices from YAML ({key: {name, address, hours, phone, ..., sample}})."""
        return offices.load_offices(self.engine, path, by=by, reason=reason)

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
        by, _ = check_actor(by, None, need_reason=False)
        result = read_file(path)
        return self.import_records(result, by=by, replace=replace, dry_run=dry_run,
                                   reason=reason or f"import of {result.source}", progress=progress)

    def import_records(self, result: ReadResult, *, by: str, replace: bool = False,
                       dry_run: bool = False, reason: str = "",
                       progress: Callable[[int], None] | None = None) -> ImportPlan:
        """Apply already-read records (see :meth:`import_file`)."""
        # Checked here too: the CLI reads the file itself and calls this directly.
        by, _ = check_actor(by, None, need_reason=False)
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
        import_plan.apply_records(session, result, plan, by=by, replace=replace, dry_run=dry_run,
                                  reason=reason, progress=progress)

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



"""Colloquial names of procedures (aliases): added by staff or loaded from curated files.

An alias is stored with its folded form, so "khai sinh" and "Khai Sinh" are one alias.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from . import audit, db
from .audit import InvalidChange, NotFound
from .cleaning import clean_name
from .models import Alias, Procedure
from .normalize import fold


def add_alias(engine: Engine, code: str, text: str, *, by: str, reason: str = "",
              origin: str = "staff") -> bool:
    """Add a colloquial name to a procedure. Returns False if it already had it."""
    by, reason = audit.check_actor(by, reason, need_reason=False)
    text = clean_name(text)
    norm = fold(text)
    if not norm:
        raise InvalidChange("the alias is empty")
    with db.session_scope(engine) as s:
        p = s.scalar(select(Procedure).options(selectinload(Procedure.aliases))
                     .where(Procedure.code == code.strip()))
        if p is None:
            raise NotFound(f"no procedure with code {code!r}")
        if any(a.norm == norm for a in p.aliases):
            return False
        p.aliases.append(Alias(text=text, norm=norm, origin=origin, created_by=by))
        audit.write(s, actor=by, action="alias_add", entity="alias", key=p.code,
                    field_name="alias", new=text, reason=reason)
    return True


def remove_alias(engine: Engine, code: str, text: str, *, by: str, reason: str = "") -> bool:
    """Remove a colloquial name. Returns False if the procedure did not have it."""
    by, reason = audit.check_actor(by, reason, need_reason=False)
    norm = fold(text)
    with db.session_scope(engine) as s:
        p = s.scalar(select(Procedure).options(selectinload(Procedure.aliases))
                     .where(Procedure.code == code.strip()))
        if p is None:
            raise NotFound(f"no procedure with code {code!r}")
        alias = next((a for a in p.aliases if a.norm == norm), None)
        if alias is None:
            return False
        p.aliases.remove(alias)
        audit.write(s, actor=by, action="alias_remove", entity="alias", key=p.code,
                    field_name="alias", old=alias.text, reason=reason)
    return True


def read_alias_files(path: Path) -> dict[str, list[str]]:
    """The aliases of a YAML file ({code: [alias, ...]}) or of every such file in a folder."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    data: dict[str, list[str]] = {}
    for file in files:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise InvalidChange(f"{file}: expected a mapping of procedure codes to aliases")
        for code, aliases in loaded.items():
            data.setdefault(str(code), []).extend(str(a) for a in aliases or [])
    return data


def load_aliases(engine: Engine, path: Path, *, by: str) -> int:
    """Add the curated aliases of ``path`` (see :func:`read_alias_files`).

    Returns:
        How many aliases were added (those already present are skipped).
    """
    path = Path(path)
    data = read_alias_files(path)
    added = 0
    with db.session_scope(engine) as s:
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
                audit.write(s, actor=by, action="alias_add", entity="alias", key=p.code,
                            field_name="alias", new=text, reason=f"curated aliases ({path.name})")
                added += 1
    return added

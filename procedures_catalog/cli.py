"""`catalog` — the staff command line for the procedure catalogue.

Usage:
    catalog stats [--json]
    catalog search [--json] [--limit N] [TEXT]      (no TEXT: one query per stdin line)
    catalog show CODE [--json]
    catalog set CODE FIELD VALUE --by NAME --reason TEXT
    catalog history CODE
    catalog alias add|remove|list CODE [TEXT] --by NAME
    catalog import FILE --by NAME [--dry-run] [--replace]
                [--edition NAME --effective-from DATE --decision DOC --unit UNIT]
    catalog editions list|show ID|diff A B|activate ID     (see cli_editions.py)
    catalog export FILE
    catalog init [--sample | --seed FILE]
    catalog offices [list|set|load]
    catalog dossier CODE [--json] | --demo-codes
    catalog dossier-follow [--once]

The database is ``CATALOG_DATABASE_URL`` (or ``--database``); unset, a SQLite file in
the project's data folder, created and filled with the bundled sample on first use
(other databases are filled only by ``catalog init --sample`` or an import).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import editions
from .cli_editions import editions_group
from .provenance import provenance_of
from .records import EDITABLE_FIELDS, LEVEL_LABELS, ONLINE_LABELS, CatalogError
from .service import Catalog, diff_lines, dump_json, procedure_to_dict

log = logging.getLogger("procedures_catalog.cli")


def _catalog(ctx: click.Context) -> Catalog:
    if "catalog" not in ctx.obj:
        ctx.obj["catalog"] = Catalog.open(ctx.obj.get("database"))
    return ctx.obj["catalog"]


def _echo_json(data: Any) -> None:
    click.echo(dump_json(data))


class CatalogGroup(click.Group):
    """Turns catalogue errors into one clear line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--database", envvar="CATALOG_DATABASE_URL", default=None,
              help="SQLAlchemy URL (default: CATALOG_DATABASE_URL or var/catalog.sqlite3).")
@click.pass_context
def cli(ctx: click.Context, database: str | None) -> None:
    """Keep the procedure catalogue right: import, correct, search, audit."""
    ctx.ensure_object(dict)
    ctx.obj["database"] = database


cli.add_command(editions_group)


@cli.command()
@click.option("--seed", type=click.Path(exists=True, dir_okay=True, path_type=Path),
              help="File to load into an empty catalogue.")
@click.option("--sample", is_flag=True,
              help="Load the bundled sample into an empty catalogue, whatever the database.")
@click.option("--by", default="system", show_default=True, help="Who initialises.")
@click.pass_context
def init(ctx: click.Context, seed: Path | None, sample: bool, by: str) -> None:
    """Create or upgrade the database; fill an empty one only when asked.

    An empty SQLite catalogue (the one-machine default) is filled with the bundled
    sample; any other database only with --sample or --seed FILE.
    """
    catalog = Catalog.open(ctx.obj.get("database"), ensure=False)
    fill = bool(seed or sample) or (catalog.engine.dialect.name == "sqlite"
                                    and catalog.settings.seed_on_first_use)
    if fill:
        plan = catalog.init(seed, by=by)
    else:
        from . import db

        db.migrate(catalog.engine)
        plan = None
        if catalog.count() == 0:
            click.echo("the catalogue is empty: import the official list (catalog import FILE "
                       "--by NAME) or load the sample (catalog init --sample)")
    if plan is not None:
        click.echo(f"loaded {len(plan.created)} procedures from {plan.source}")
    stats = catalog.stats()
    click.echo(f"catalogue ready: {stats['total']} procedures ({catalog.engine.url.render_as_string()})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--edition", "edition_id", type=int, default=None,
              help="Another edition's totals (default: the edition in force).")
@click.pass_context
def stats(ctx: click.Context, as_json: bool, edition_id: int | None) -> None:
    """Totals by level and by online level."""
    if edition_id is not None:
        data = {**editions.stats(_catalog(ctx), edition_id), "retired": 0}
    else:
        data = _catalog(ctx).stats()
    if as_json:
        _echo_json({k: data[k] for k in ("total", "by_level", "by_online_level")})
        return
    click.echo(f"Tổng số thủ tục: {data['total']:,}")
    for key, n in data["by_level"].items():
        click.echo(f"  {LEVEL_LABELS[key]:<34} {n:>6,}")
    for key, n in data["by_online_level"].items():
        click.echo(f"  {ONLINE_LABELS[key]:<34} {n:>6,}")
    if data["retired"]:
        click.echo(f"  (retired, kept in history: {data['retired']:,})")


def _search_one(catalog: Catalog, text: str, limit: int) -> list[dict[str, Any]]:
    try:
        return [hit.as_dict() for hit in catalog.search(text, limit=limit)]
    except Exception:  # noqa: BLE001 - batch mode must never stop on one bad query
        log.exception("search failed for one query")
        return []


@cli.command()
@click.argument("text", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array per query.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@click.pass_context
def search(ctx: click.Context, text: tuple[str, ...], as_json: bool, limit: int) -> None:
    """Search the way the assistant does. Without TEXT, read one query per stdin line."""
    catalog = _catalog(ctx)
    if text:
        queries: Any = [" ".join(text)]
    elif sys.stdin.isatty() and not as_json:
        _interactive(catalog, limit)
        return
    else:
        queries = (line.rstrip("\r\n") for line in sys.stdin)
    for query in queries:
        hits = _search_one(catalog, query, limit)
        if as_json:
            click.echo(dump_json(hits))
            sys.stdout.flush()
        else:
            _print_hits(hits)


def _print_hits(hits: list[dict[str, Any]]) -> None:
    if not hits:
        click.echo("(không tìm thấy thủ tục phù hợp)")
        return
    if hits[0]["ambiguous"]:
        click.echo("(chưa chắc chắn — nên hỏi lại người dân)")
    for n, hit in enumerate(hits, 1):
        also = f"  [+{len(hit['also'])} cùng tên]" if hit["also"] else ""
        click.echo(f"{n}. {hit['code']}  {hit['score']:.2f}  [{hit['level']}/{hit['online_level']}]  {hit['name']}{also}")


def _interactive(catalog: Catalog, limit: int) -> None:
    click.echo("Tìm thủ tục (gõ như người dân hỏi; Ctrl-D để thoát).")
    while True:
        try:
            query = input("> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        _print_hits(_search_one(catalog, query, limit))


@cli.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, code: str, as_json: bool) -> None:
    """Show one procedure, with where each field comes from."""
    from .facts import field_provenance, verified_on

    catalog = _catalog(ctx)
    p = catalog.require(code)
    data = procedure_to_dict(p)
    fields = field_provenance(catalog, p)
    if as_json:
        verified = verified_on(catalog, p.code)
        _echo_json({**data, "provenance": {**provenance_of(data), "fields": fields},
                    "verified_on": verified.isoformat() if verified else None,
                    "edition": editions.in_force(catalog)})
        return
    click.echo(f"{p.code}  {p.name}")
    click.echo(f"  Trạng thái: {p.status}   Cấp: {LEVEL_LABELS.get(p.level, p.level)}   "
               f"Mức độ: {ONLINE_LABELS.get(p.online_level, p.online_level)}")
    for label, key in (("Lĩnh vực", "field"), ("Cơ quan thực hiện", "agency"),
                       ("Thời hạn", "processing_time"), ("Phí, lệ phí", "fees"),
                       ("Kết quả", "result"), ("Cổng DVC", "detail_url")):
        if data[key]:
            click.echo(f"  {label}: {data[key]}")
    if p.documents:
        click.echo("  Giấy tờ:")
        for n, item in enumerate(p.documents, 1):
            click.echo(f"    {n}. {item}")
    if data["aliases"]:
        click.echo("  Tên gọi khác: " + "; ".join(data["aliases"]))
    click.echo(f"  Nguồn: {p.source}  (cấp: {p.level_source or '-'}, mức độ: {p.online_source or '-'})")
    for key in ("level", "online_level", "fees", "processing_time"):
        info = fields[key]
        click.echo(f"  {key}: {info['provenance']} — {info['source'] or '-'}"
                   f" (last changed {info['changed_on'] or '-'})")


@cli.command(name="set")
@click.argument("code")
@click.argument("field", type=click.Choice(EDITABLE_FIELDS))
@click.argument("value")
@click.option("--by", required=True, help="Who makes the change.")
@click.option("--reason", required=True, help="Why (kept in the history).")
@click.pass_context
def set_(ctx: click.Context, code: str, field: str, value: str, by: str, reason: str) -> None:
    """Change one field of a procedure (recorded in its history)."""
    changed = _catalog(ctx).set_field(code, field, value, by=by, reason=reason)
    click.echo(f"{code}: {field} updated" if changed else f"{code}: {field} already had that value")


@cli.command()
@click.argument("code")
@click.option("--by", required=True)
@click.option("--reason", required=True)
@click.option("--restore", is_flag=True, help="Make a retired procedure active again.")
@click.pass_context
def retire(ctx: click.Context, code: str, by: str, reason: str, restore: bool) -> None:
    """Retire a procedure (kept in history), or restore it."""
    status = "active" if restore else "retired"
    changed = _catalog(ctx).set_status(code, status, by=by, reason=reason)
    click.echo(f"{code}: {status}" if changed else f"{code}: already {status}")


@cli.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def history(ctx: click.Context, code: str, as_json: bool) -> None:
    """Who changed what, when and why."""
    catalog = _catalog(ctx)
    catalog.require(code)
    entries = catalog.history(code)
    if as_json:
        _echo_json([
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "field": e.field,
             "old": e.old_value, "new": e.new_value, "reason": e.reason, "batch": e.batch}
            for e in entries
        ])
        return
    for e in entries:
        what = f"{e.action} {e.field}".strip()
        click.echo(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor:<16} {what:<22} {e.reason}")
        if e.action in ("update", "retire", "restore", "alias_add", "alias_remove") and e.field:
            old = (e.old_value or "").replace("\n", " ⏎ ")
            new = (e.new_value or "").replace("\n", " ⏎ ")
            click.echo(f"    {old[:80]!r} → {new[:80]!r}")


@cli.group()
def alias() -> None:
    """Colloquial names citizens use for a procedure."""


@alias.command("add")
@click.argument("code")
@click.argument("text")
@click.option("--by", required=True)
@click.option("--reason", default="")
@click.pass_context
def alias_add(ctx: click.Context, code: str, text: str, by: str, reason: str) -> None:
    """Add an alias."""
    added = _catalog(ctx).add_alias(code, text, by=by, reason=reason)
    click.echo(f"{code}: alias added" if added else f"{code}: already has that alias")


@alias.command("remove")
@click.argument("code")
@click.argument("text")
@click.option("--by", required=True)
@click.option("--reason", default="")
@click.pass_context
def alias_remove(ctx: click.Context, code: str, text: str, by: str, reason: str) -> None:
    """Remove an alias."""
    removed = _catalog(ctx).remove_alias(code, text, by=by, reason=reason)
    if not removed:
        raise CatalogError(f"{code} has no alias {text!r}")
    click.echo(f"{code}: alias removed")


@alias.command("list")
@click.argument("code")
@click.pass_context
def alias_list(ctx: click.Context, code: str) -> None:
    """List the aliases of a procedure."""
    for a in _catalog(ctx).require(code).aliases:
        click.echo(f"{a.text}\t({a.origin}, {a.created_by})")


@cli.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--by", required=True, help="Who imports (kept in the history).")
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option("--replace", is_flag=True, help="Make the catalogue equal to the file: retire the rest.")
@click.option("--reason", default="", help="Why (default: 'import of FILE').")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--edition", "edition_name", default="",
              help="Record the file as a catalogue edition with this name (a complete list).")
@click.option("--effective-from", default="", help="The edition's date (YYYY-MM-DD); later = staged.")
@click.option("--decision", default="", help="The deciding document (e.g. 947/QĐ-UBND).")
@click.option("--unit", default="", help="The administrative unit the list is for.")
@click.option("--sample", "is_sample", is_flag=True, help="The edition is a sample, not official.")
@click.pass_context
def import_(ctx: click.Context, file: Path, by: str, dry_run: bool, replace: bool, reason: str,
            as_json: bool, edition_name: str, effective_from: str, decision: str, unit: str,
            is_sample: bool) -> None:
    """Import CSV, XLSX (ours or the portal's list), portal JSON/JSONL, or a folder."""
    from .importers import read_file

    catalog = _catalog(ctx)
    result = read_file(file)
    if edition_name or effective_from:
        if dry_run:
            raise editions.EditionError("an edition cannot be a dry run: stage it with a later date")
        info = editions.EditionInfo(
            name=edition_name, effective_from=editions.parse_date(effective_from or str(editions.today())),
            decision=decision, unit=unit, kind="sample" if is_sample else "official")
        edition, applied = editions.create(catalog, result, info, by=by)
        out = {**edition, "applied": applied.summary() if applied else None}
        if as_json:
            _echo_json(out)
        else:
            state = "in force now" if applied else f"staged until {edition['effective_from']}"
            click.echo(f"edition #{edition['id']} {edition['name']}: {len(result.records)} procedures, {state}")
        return
    with click.progressbar(length=len(result.records), label="importing", file=sys.stderr,
                           show_pos=True) as bar:
        plan = catalog.import_records(result, by=by, replace=replace, dry_run=dry_run,
                                      reason=reason or f"import of {result.source}",
                                      progress=bar.update)
    if as_json:
        _echo_json(plan.summary())
        return
    verb = "would" if dry_run else "did"
    click.echo(f"{result.source} ({result.format}): {len(result.records)} procedures read")
    click.echo(f"  {verb} create {len(plan.created)}, update {len(plan.updated)}, "
               f"retire {len(plan.retired)}, restore {len(plan.restored)}; unchanged {plan.unchanged}")
    if dry_run:
        for code in plan.created[:50]:
            click.echo(f"  + {code}")
        for code, changes in list(plan.updated.items())[:50]:
            click.echo(f"  ~ {code}")
            for line in diff_lines(changes):
                click.echo(line)
        for code in plan.retired[:50]:
            click.echo(f"  - {code} (retire)")
        if plan.changes > 150:
            click.echo(f"  … {plan.changes} procedures in all")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--include-retired", is_flag=True)
@click.pass_context
def export(ctx: click.Context, file: Path, include_retired: bool) -> None:
    """Export to CSV (.csv/.csv.gz) or XLSX; importing the file back changes nothing."""
    n = _catalog(ctx).export(file, include_retired=include_retired)
    click.echo(f"exported {n} procedures to {file}")


@cli.group(invoke_without_command=True)
@click.pass_context
def offices(ctx: click.Context) -> None:
    """Where citizens go for each level, and the hotline."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(offices_list)


@offices.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def offices_list(ctx: click.Context, as_json: bool = False) -> None:
    """List the offices."""
    items = _catalog(ctx).offices()
    if as_json:
        _echo_json({k: o.as_dict() for k, o in items.items()})
        return
    for key, o in items.items():
        sample = "  (sample)" if o.is_sample else ""
        click.echo(f"{key}: {o.name}{sample}\n    {o.address} | {o.hours} | {o.phone}")


@offices.command("set")
@click.argument("key")
@click.argument("field")
@click.argument("value")
@click.option("--by", required=True)
@click.option("--reason", required=True)
@click.pass_context
def offices_set(ctx: click.Context, key: str, field: str, value: str, by: str, reason: str) -> None:
    """Change one detail of an office."""
    changed = _catalog(ctx).set_office(key, field, value, by=by, reason=reason)
    click.echo("updated" if changed else "unchanged")


@offices.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", required=True)
@click.pass_context
def offices_load(ctx: click.Context, file: Path, by: str) -> None:
    """Load offices from a YAML file (see procedures_catalog/data/offices.yaml)."""
    n = _catalog(ctx).load_offices(file, by=by)
    click.echo(f"{n} office details changed")


# --------------------------------------------------------------------------- staff


def _accounts(ctx: click.Context) -> Any:
    from .accounts import Accounts

    return Accounts(_catalog(ctx).engine)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@cli.group()
def user() -> None:
    """Staff accounts of the web workspace (roles: viewer, editor)."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "editor"]), default="viewer", show_default=True)
@click.option("--name", "display_name", default="", help="Full name shown in the workspace.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of a prompt.")
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, display_name: str,
             password_stdin: bool) -> None:
    """Create a staff account (the password is asked for, never given as an argument)."""
    created = _accounts(ctx).add(username, _read_password(password_stdin), role, display_name)
    click.echo(f"account {created.username} created ({created.role})")


@user.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of a prompt.")
@click.pass_context
def user_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Set a new password (signs the account out everywhere)."""
    _accounts(ctx).set_password(username, _read_password(password_stdin))
    click.echo(f"{username}: password changed")


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["viewer", "editor"]))
@click.pass_context
def user_role(ctx: click.Context, username: str, role: str) -> None:
    """Change an account's role."""
    _accounts(ctx).set_role(username, role)
    click.echo(f"{username}: role {role}")


@user.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again.")
@click.pass_context
def user_disable(ctx: click.Context, username: str, enable: bool) -> None:
    """Disable an account (it can no longer sign in), or enable it again."""
    _accounts(ctx).set_active(username, enable)
    click.echo(f"{username}: {'enabled' if enable else 'disabled'}")


@user.command("unlock")
@click.argument("username")
@click.pass_context
def user_unlock(ctx: click.Context, username: str) -> None:
    """Lift the lock-out after too many wrong passwords."""
    was = _accounts(ctx).unlock(username)
    click.echo(f"{username}: unlocked" if was else f"{username}: was not locked")


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """List the staff accounts."""
    users = _accounts(ctx).list()
    rows = [{"username": u.username, "name": u.display_name, "role": u.role, "active": u.active,
             "locked_until": u.locked_until.isoformat() if u.locked_until else None,
             "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None}
            for u in users]
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("no staff accounts yet: catalog user add NAME --role editor")
    for r in rows:
        state = "active" if r["active"] else "disabled"
        if r["locked_until"]:
            state += f", locked until {r['locked_until']}"
        click.echo(f"{r['username']:<20} {r['role']:<7} {state}  {r['name']}")


@cli.group()
def turns() -> None:
    """The assistant's turn log (masked questions, outcomes, ratings)."""


@turns.command("purge")
@click.option("--days", type=click.IntRange(0), default=None,
              help="Keep this many days (default: TURNLOG_RETENTION_DAYS, 180).")
@click.pass_context
def turns_purge(ctx: click.Context, days: int | None) -> None:
    """Delete turns and ratings older than the retention period."""
    from . import turnlog

    n = turnlog.purge(_catalog(ctx).engine, days)
    click.echo(f"{n} turns deleted")


@turns.command("stats")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def turns_stats(ctx: click.Context, days: int, as_json: bool) -> None:
    """The dashboard's figures for the last DAYS days."""
    from . import dashboard

    board = dashboard.build(_catalog(ctx).engine, days=days)
    data = {"total": board.total, "per_channel": board.per_channel,
            "categories": board.categories, "low_confidence": board.low_confidence,
            "ratings": board.ratings, "top_procedures": board.top_procedures}
    if as_json:
        _echo_json(data)
        return
    click.echo(f"{board.total} turns from {board.period.first} to {board.period.last}")
    for key in dashboard.CATEGORIES:
        click.echo(f"  {key:<12} {board.categories[key]:>6}  {board.share(key):6.1%}")
    click.echo(f"  low confidence {board.low_confidence}; ratings 👍 {board.ratings['up']} 👎 {board.ratings['down']}")


def _add_feature_commands() -> None:
    # Feature commands live with their feature; imported here so `catalog` lists them.
    from .dossier.cli import dossier_command, follow_command

    cli.add_command(dossier_command)
    cli.add_command(follow_command)


_add_feature_commands()


def main() -> None:
    """Entry point of the `catalog` command."""
    # Batch search reads whatever is piped in: bytes that are not UTF-8 must become
    # U+FFFD rather than stop the run (stdin is strict under PYTHONIOENCODING=utf-8).
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cli(obj={})


if __name__ == "__main__":  # pragma: no cover
    main()

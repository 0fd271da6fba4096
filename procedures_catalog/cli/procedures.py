"""`catalog init|stats|search|show|set|retire|history`: one procedure at a time, and totals."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from .. import editions
from ..provenance import provenance_of
from ..records import EDITABLE_FIELDS, LEVEL_LABELS, ONLINE_LABELS
from ..serialize import dump_json, procedure_to_dict
from ..service import Catalog
from .common import catalog_of, echo_json

log = logging.getLogger("procedures_catalog.cli")


@click.command()
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
        from .. import db

        db.migrate(catalog.engine)
        plan = None
        if catalog.count() == 0:
            click.echo("the catalogue is empty: import the official list (catalog import FILE "
                       "--by NAME) or load the sample (catalog init --sample)")
    if plan is not None:
        click.echo(f"loaded {len(plan.created)} procedures from {plan.source}")
    stats = catalog.stats()
    click.echo(f"catalogue ready: {stats['total']} procedures ({catalog.engine.url.render_as_string()})")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--edition", "edition_id", type=int, default=None,
              help="Another edition's totals (default: the edition in force).")
@click.pass_context
def stats(ctx: click.Context, as_json: bool, edition_id: int | None) -> None:
    """Totals by level and by online level."""
    if edition_id is not None:
        data = {**editions.stats(catalog_of(ctx), edition_id), "retired": 0}
    else:
        data = catalog_of(ctx).stats()
    if as_json:
        echo_json({k: data[k] for k in ("total", "by_level", "by_online_level")})
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


@click.command()
@click.argument("text", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array per query.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@click.pass_context
def search(ctx: click.Context, text: tuple[str, ...], as_json: bool, limit: int) -> None:
    """Search the way the assistant does. Without TEXT, read one query per stdin line."""
    catalog = catalog_of(ctx)
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


@click.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, code: str, as_json: bool) -> None:
    """Show one procedure, with where each field comes from."""
    from ..facts import field_provenance, verified_on

    catalog = catalog_of(ctx)
    p = catalog.require(code)
    data = procedure_to_dict(p)
    fields = field_provenance(catalog, p)
    if as_json:
        verified = verified_on(catalog, p.code)
        echo_json({**data, "provenance": {**provenance_of(data), "fields": fields},
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


@click.command(name="set")
@click.argument("code")
@click.argument("field", type=click.Choice(EDITABLE_FIELDS))
@click.argument("value")
@click.option("--by", required=True, help="Who makes the change.")
@click.option("--reason", required=True, help="Why (kept in the history).")
@click.pass_context
def set_(ctx: click.Context, code: str, field: str, value: str, by: str, reason: str) -> None:
    """Change one field of a procedure (recorded in its history)."""
    changed = catalog_of(ctx).set_field(code, field, value, by=by, reason=reason)
    click.echo(f"{code}: {field} updated" if changed else f"{code}: {field} already had that value")


@click.command()
@click.argument("code")
@click.option("--by", required=True)
@click.option("--reason", required=True)
@click.option("--restore", is_flag=True, help="Make a retired procedure active again.")
@click.pass_context
def retire(ctx: click.Context, code: str, by: str, reason: str, restore: bool) -> None:
    """Retire a procedure (kept in history), or restore it."""
    status = "active" if restore else "retired"
    changed = catalog_of(ctx).set_status(code, status, by=by, reason=reason)
    click.echo(f"{code}: {status}" if changed else f"{code}: already {status}")


@click.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def history(ctx: click.Context, code: str, as_json: bool) -> None:
    """Who changed what, when and why."""
    catalog = catalog_of(ctx)
    catalog.require(code)
    entries = catalog.history(code)
    if as_json:
        echo_json([
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

"""`catalog editions` — the catalogue's editions: list, show, diff, activate.

Usage:
    catalog editions list [--json]
    catalog editions show ID [--json]
    catalog editions diff A B [--json]
    catalog editions activate ID --by NAME [--reason TEXT]

An edition is created by ``catalog import FILE --edition NAME --effective-from DATE``;
it takes effect on its date by itself, or now with ``activate``.
"""

from __future__ import annotations

from typing import Any

import click

from .. import editions
from ..provenance import vn_date
from ..serialize import dump_json
from .common import catalog_of

_STATUS = {"active": "in force", "staged": "staged", "superseded": "superseded"}


def _line(e: dict[str, Any]) -> str:
    decision = f"  [{e['decision']}]" if e["decision"] else ""
    return (f"#{e['id']:<3} {_STATUS.get(e['status'], e['status']):<10} from {e['effective_from']}  "
            f"{e['name']} ({e['procedures']} procedures, {e['kind']}){decision}")


@click.group(name="editions")
def editions_group() -> None:
    """Catalogue editions with effective dates (every edition stays in the history)."""


@editions_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every edition, newest date first."""
    rows = editions.list_editions(catalog_of(ctx))
    if as_json:
        click.echo(dump_json(rows))
        return
    if not rows:
        click.echo("no editions yet: import a list with --edition NAME --effective-from DATE")
    for e in rows:
        click.echo(_line(e))


@editions_group.command()
@click.argument("edition_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx: click.Context, edition_id: int, as_json: bool) -> None:
    """One edition and its totals."""
    catalog = catalog_of(ctx)
    e = editions.get(catalog, edition_id)
    figures = editions.stats(catalog, edition_id)
    if as_json:
        click.echo(dump_json({**e, "stats": figures}))
        return
    click.echo(_line(e))
    click.echo(f"  unit: {e['unit'] or '-'}   source: {e['source']}   by: {e['created_by']}")
    click.echo(f"  by level: {figures['by_level']}   by online level: {figures['by_online_level']}")


@editions_group.command()
@click.argument("a", type=int)
@click.argument("b", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=20, show_default=True, help="Rows shown per kind of change.")
@click.pass_context
def diff(ctx: click.Context, a: int, b: int, as_json: bool, limit: int) -> None:
    """What changed from edition A to edition B."""
    d = editions.diff(catalog_of(ctx), a, b)
    if as_json:
        click.echo(dump_json(d))
        return
    click.echo(f"#{a} {d['from']['name']} ({vn_date(d['from']['effective_from'])}) → "
               f"#{b} {d['to']['name']} ({vn_date(d['to']['effective_from'])})")
    for kind, sign in (("added", "+"), ("removed", "-")):
        click.echo(f"  {kind}: {len(d[kind])}")
        for row in d[kind][:limit]:
            click.echo(f"    {sign} {row['code']}  {row['name'][:70]}")
    for field, rows in d["changed"].items():
        click.echo(f"  {field} changed: {len(rows)}")
        for row in rows[:limit]:
            click.echo(f"    ~ {row['code']}  {str(row['old'])[:40]!r} → {str(row['new'])[:40]!r}")


@editions_group.command()
@click.argument("edition_id", type=int)
@click.option("--by", required=True, help="Who puts the edition in force.")
@click.option("--reason", default="", help="Why (kept in the history).")
@click.pass_context
def activate(ctx: click.Context, edition_id: int, by: str, reason: str) -> None:
    """Put an edition in force now (the assistant answers from it at once)."""
    plan = editions.activate(catalog_of(ctx), edition_id, by=by, reason=reason)
    if plan is None:
        click.echo(f"edition #{edition_id} is already in force")
        return
    click.echo(f"edition #{edition_id} in force: created {len(plan.created)}, updated "
               f"{len(plan.updated)}, retired {len(plan.retired)}, restored {len(plan.restored)}")

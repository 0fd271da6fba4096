"""`catalog offices [list|set|load]`: where citizens go for each level, and the hotline."""

from __future__ import annotations

from pathlib import Path

import click

from .common import catalog_of, echo_json


@click.group(invoke_without_command=True)
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
    items = catalog_of(ctx).offices()
    if as_json:
        echo_json({k: o.as_dict() for k, o in items.items()})
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
    changed = catalog_of(ctx).set_office(key, field, value, by=by, reason=reason)
    click.echo("updated" if changed else "unchanged")


@offices.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", required=True)
@click.pass_context
def offices_load(ctx: click.Context, file: Path, by: str) -> None:
    """Load offices from a YAML file (see procedures_catalog/data/offices.yaml)."""
    n = catalog_of(ctx).load_offices(file, by=by)
    click.echo(f"{n} office details changed")

"""`catalog alias add|remove|list`: colloquial names of a procedure."""

from __future__ import annotations

import click

from ..records import CatalogError
from .common import catalog_of


@click.group()
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
    added = catalog_of(ctx).add_alias(code, text, by=by, reason=reason)
    click.echo(f"{code}: alias added" if added else f"{code}: already has that alias")


@alias.command("remove")
@click.argument("code")
@click.argument("text")
@click.option("--by", required=True)
@click.option("--reason", default="")
@click.pass_context
def alias_remove(ctx: click.Context, code: str, text: str, by: str, reason: str) -> None:
    """Remove an alias."""
    removed = catalog_of(ctx).remove_alias(code, text, by=by, reason=reason)
    if not removed:
        raise CatalogError(f"{code} has no alias {text!r}")
    click.echo(f"{code}: alias removed")


@alias.command("list")
@click.argument("code")
@click.pass_context
def alias_list(ctx: click.Context, code: str) -> None:
    """List the aliases of a procedure."""
    for a in catalog_of(ctx).require(code).aliases:
        click.echo(f"{a.text}\t({a.origin}, {a.created_by})")

"""What every `catalog` command shares: the catalogue of the run, JSON output, errors."""

from __future__ import annotations

from typing import Any

import click

from ..records import CatalogError
from ..serialize import dump_json
from ..service import Catalog


def catalog_of(ctx: click.Context) -> Catalog:
    """The catalogue of this run, opened once (``--database`` or the environment)."""
    obj = ctx.find_root().obj
    if "catalog" not in obj:
        obj["catalog"] = Catalog.open(obj.get("database"))
    return obj["catalog"]  # type: ignore[no-any-return]


def echo_json(data: Any) -> None:
    """Print ``data`` as every command prints JSON (UTF-8, one line)."""
    click.echo(dump_json(data))


class CatalogGroup(click.Group):
    """Turns catalogue errors into one clear line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CatalogError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)

"""`catalog turns purge|stats`: the assistant's turn log."""

from __future__ import annotations

import click

from .common import catalog_of, echo_json


@click.group()
def turns() -> None:
    """The assistant's turn log (masked questions, outcomes, ratings)."""


@turns.command("purge")
@click.option("--days", type=click.IntRange(0), default=None,
              help="Keep this many days (default: TURNLOG_RETENTION_DAYS, 180).")
@click.pass_context
def turns_purge(ctx: click.Context, days: int | None) -> None:
    """Delete turns and ratings older than the retention period."""
    from .. import turnlog

    n = turnlog.purge(catalog_of(ctx).engine, days)
    click.echo(f"{n} turns deleted")


@turns.command("stats")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def turns_stats(ctx: click.Context, days: int, as_json: bool) -> None:
    """The dashboard's figures for the last DAYS days."""
    from .. import dashboard

    board = dashboard.build(catalog_of(ctx).engine, days=days)
    data = {"total": board.total, "per_channel": board.per_channel,
            "categories": board.categories, "low_confidence": board.low_confidence,
            "ratings": board.ratings, "top_procedures": board.top_procedures}
    if as_json:
        echo_json(data)
        return
    click.echo(f"{board.total} turns from {board.period.first} to {board.period.last}")
    for key in dashboard.CATEGORIES:
        click.echo(f"  {key:<12} {board.categories[key]:>6}  {board.share(key):6.1%}")
    click.echo(f"  low confidence {board.low_confidence}; ratings 👍 {board.ratings['up']} 👎 {board.ratings['down']}")

"""``catalog dossier``: look a dossier code up through the configured source.

Usage:
    catalog dossier CODE [--json]     # CODE as citizens type it; normalised first
    catalog dossier --demo-codes      # the demo source's codes, one a line
    catalog dossier-follow [--once]   # the follow job: message chats whose dossier changed
"""

from __future__ import annotations

import json
import time

import click

from .codes import normalise
from .record import SourceUnavailable
from .service import lookup_code
from .sources import DemoSource, make_source


@click.command(name="dossier")
@click.argument("code", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the dossier payload as JSON.")
@click.option("--demo-codes", is_flag=True, help="List the demo dossiers' codes.")
def dossier_command(code: tuple[str, ...], as_json: bool, demo_codes: bool) -> None:
    """Look a dossier (hồ sơ) up by its code through DOSSIER_SOURCE (demo, http, none)."""
    if demo_codes:
        for demo in DemoSource().codes():
            click.echo(demo)
        return
    text = " ".join(code)
    normalised = normalise(text)
    if not normalised:
        raise click.UsageError(f"not a dossier code: {text!r} (expected e.g. H56.22-240315-0001)")
    source = make_source()
    try:
        dossier = lookup_code(normalised, source)
    except SourceUnavailable as exc:
        click.echo(f"error: the {source.name} source did not answer: {exc}", err=True)
        raise SystemExit(2) from None
    data = dossier.payload(normalised)["dossier"]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    if source.name == "none":
        click.echo(f"{normalised}: no lookup source (DOSSIER_SOURCE=none)")
        return
    if not dossier.found:
        click.echo(f"{normalised}: not found ({source.name})")
        return
    click.echo(f"{normalised}: {data['status']}{' (demo)' if dossier.demo else ''}")
    for key in ("received", "due", "office", "late"):
        click.echo(f"  {key}: {data[key]}")
    if dossier.missing:
        click.echo("  missing: " + "; ".join(dossier.missing))


@click.command(name="dossier-follow")
@click.option("--once", is_flag=True, help="Check once and exit (default: every DOSSIER_FOLLOW_INTERVAL s).")
def follow_command(once: bool) -> None:
    """Message Telegram and Zalo chats whose followed dossier changed state."""
    from ..settings import get_follow_settings
    from .follow import check_follows, http_notifier
    from .pending import CodeStore

    settings = get_follow_settings()
    notify = http_notifier(settings)
    while True:
        counts = check_follows(CodeStore.from_settings(), make_source(), notify)
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
        if once:
            return
        time.sleep(settings.interval)

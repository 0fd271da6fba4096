"""`catalog import|export`: whole catalogue files in and out (and editions from a file)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import editions
from ..import_plan import diff_lines
from .common import catalog_of, echo_json


@click.command(name="import")
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
    from ..importers import read_file

    catalog = catalog_of(ctx)
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
            echo_json(out)
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
        echo_json(plan.summary())
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


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--include-retired", is_flag=True)
@click.pass_context
def export(ctx: click.Context, file: Path, include_retired: bool) -> None:
    """Export to CSV (.csv/.csv.gz) or XLSX; importing the file back changes nothing."""
    n = catalog_of(ctx).export(file, include_retired=include_retired)
    click.echo(f"exported {n} procedures to {file}")

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
    catalog editions list|show ID|diff A B|activate ID     (see cli/editions.py)
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

import click

from . import aliases, editions, offices, procedures, transfer, turns, users
from .common import CatalogGroup


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--database", envvar="CATALOG_DATABASE_URL", default=None,
              help="SQLAlchemy URL (default: CATALOG_DATABASE_URL or var/catalog.sqlite3).")
@click.pass_context
def cli(ctx: click.Context, database: str | None) -> None:
    """Keep the procedure catalogue right: import, correct, search, audit."""
    ctx.ensure_object(dict)
    ctx.obj["database"] = database


for _command in (
    procedures.init, procedures.stats, procedures.search, procedures.show, procedures.set_,
    procedures.retire, procedures.history, aliases.alias, transfer.import_, transfer.export,
    offices.offices, users.user, turns.turns, editions.editions_group,
):
    cli.add_command(_command)


def _add_feature_commands() -> None:
    # Feature commands live with their feature; imported here so `catalog` lists them.
    from ..dossier.cli import dossier_command, follow_command

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

"""`catalog user ...`: staff accounts of the web workspace."""

from __future__ import annotations

import sys
from typing import Any

import click

from .common import catalog_of, echo_json


def _accounts(ctx: click.Context) -> Any:
    from ..accounts import Accounts

    return Accounts(catalog_of(ctx).engine)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
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
        echo_json(rows)
        return
    if not rows:
        click.echo("no staff accounts yet: catalog user add NAME --role editor")
    for r in rows:
        state = "active" if r["active"] else "disabled"
        if r["locked_until"]:
            state += f", locked until {r['locked_until']}"
        click.echo(f"{r['username']:<20} {r['role']:<7} {state}  {r['name']}")

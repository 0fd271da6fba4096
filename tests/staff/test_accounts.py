"""Staff accounts: hashed passwords, lock-out, server-side sessions, the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from procedures_catalog.accounts import AccountError, Accounts, hash_password, verify_password
from procedures_catalog.cli import cli

PASSWORD = "mot-mat-khau-dai"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def accounts(empty_engine) -> Accounts:
    return Accounts(empty_engine, max_failed=5, lock_minutes=15)


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and first.startswith("scrypt$") and PASSWORD not in first
    assert verify_password(PASSWORD, first) and not verify_password(PASSWORD + "x", first)
    assert not verify_password(PASSWORD, "not-a-hash")


def test_accounts_are_validated(accounts: Accounts) -> None:
    user = accounts.add("Lan.Nguyen", PASSWORD, "editor", "Nguyễn Thị Lan")
    assert (user.username, user.role, user.display_name) == ("lan.nguyen", "editor", "Nguyễn Thị Lan")
    assert accounts.get("lan.nguyen").password_hash != PASSWORD
    with pytest.raises(AccountError, match="taken"):
        accounts.add("lan.nguyen", PASSWORD, "viewer")
    with pytest.raises(AccountError, match="role"):
        accounts.add("an", PASSWORD, "admin")
    with pytest.raises(AccountError, match="at least"):
        accounts.add("an", "short", "viewer")
    with pytest.raises(AccountError, match="username"):
        accounts.add("a b", PASSWORD, "viewer")


def test_lock_out_after_five_wrong_passwords(accounts: Accounts) -> None:
    accounts.add("lan", PASSWORD, "editor")
    results = [accounts.authenticate("lan", "wrong", now=NOW) for _ in range(4)]
    assert [r.status for r in results] == ["invalid"] * 4
    assert [r.attempts_left for r in results] == [4, 3, 2, 1]
    fifth = accounts.authenticate("lan", "wrong", now=NOW)
    assert fifth.status == "locked" and fifth.locked_until == NOW + timedelta(minutes=15)
    # Even the right password is refused while locked...
    assert accounts.authenticate("lan", PASSWORD, now=NOW + timedelta(minutes=14)).status == "locked"
    # ...and accepted once the lock has expired.
    assert accounts.authenticate("lan", PASSWORD, now=NOW + timedelta(minutes=16)).ok


def test_unlock_and_a_good_password_reset_the_count(accounts: Accounts) -> None:
    accounts.add("lan", PASSWORD, "editor")
    for _ in range(5):
        accounts.authenticate("lan", "wrong", now=NOW)
    assert accounts.unlock("lan") is True
    assert accounts.authenticate("lan", PASSWORD, now=NOW).ok
    accounts.authenticate("lan", "wrong", now=NOW)
    assert accounts.authenticate("lan", PASSWORD, now=NOW).ok
    assert accounts.get("lan").failed_logins == 0


def test_unknown_and_disabled_accounts(accounts: Accounts) -> None:
    assert accounts.authenticate("nobody", PASSWORD).status == "invalid"
    accounts.add("lan", PASSWORD, "editor")
    accounts.set_active("lan", False)
    assert accounts.authenticate("lan", PASSWORD).status == "inactive"


def test_sessions_time_out_and_end(accounts: Accounts) -> None:
    user = accounts.add("lan", PASSWORD, "editor")
    token = accounts.start_session(user.id, now=NOW)
    check = dict(idle_minutes=30, max_hours=12)
    assert accounts.session_user(token, now=NOW + timedelta(minutes=29), **check).username == "lan"
    # Activity keeps it alive past the first 30 minutes...
    assert accounts.session_user(token, now=NOW + timedelta(minutes=58), **check) is not None
    # ...but 31 idle minutes end it, for good.
    assert accounts.session_user(token, now=NOW + timedelta(minutes=90), **check) is None
    assert accounts.session_user(token, now=NOW + timedelta(minutes=91), **check) is None
    token = accounts.start_session(user.id, now=NOW)
    for minutes in range(0, 12 * 60, 20):
        accounts.session_user(token, now=NOW + timedelta(minutes=minutes), **check)
    assert accounts.session_user(token, now=NOW + timedelta(hours=12, minutes=1), **check) is None
    token = accounts.start_session(user.id)
    accounts.end_session(token)
    assert accounts.session_user(token, **check) is None
    token = accounts.start_session(user.id)
    accounts.set_password("lan", "un-mat-khau-moi-hon")
    assert accounts.session_user(token, **check) is None


def test_cli_creates_lists_and_unlocks_accounts(catalog_url: str) -> None:
    runner = CliRunner()
    base = ["--database", catalog_url, "user"]
    result = runner.invoke(cli, [*base, "add", "lan", "--role", "editor", "--name", "Nguyễn Thị Lan",
                                 "--password-stdin"], input=PASSWORD + "\n", obj={})
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, [*base, "add", "binh", "--password-stdin"], input="short\n", obj={})
    assert result.exit_code == 2 and "at least 10 characters" in result.output
    result = runner.invoke(cli, [*base, "add", "an"], input=f"{PASSWORD}\n{PASSWORD}\n", obj={})
    assert result.exit_code == 0, result.output
    from procedures_catalog import db

    engine = db.make_engine(catalog_url)
    accounts = Accounts(engine)
    assert accounts.get("an").role == "viewer"
    for _ in range(5):
        accounts.authenticate("lan", "wrong")
    result = runner.invoke(cli, [*base, "list", "--json"], obj={})
    users = {u["username"]: u for u in json.loads(result.output)}
    assert users["lan"]["role"] == "editor" and users["lan"]["locked_until"]
    assert "password" not in json.dumps(users)
    result = runner.invoke(cli, [*base, "unlock", "lan"], obj={})
    assert "unlocked" in result.output
    assert accounts.authenticate("lan", PASSWORD).ok
    result = runner.invoke(cli, [*base, "role", "an", "editor"], obj={})
    assert accounts.get("an").role == "editor"
    engine.dispose()

"""Sign-in that tells a stranger nothing and lets no stranger lock the staff out.

Account names cannot be told apart by the answers or their timing; one address gets a
limited number of failures whatever the names; a stranger's wrong passwords lock the
account only for the stranger's address; forged ``Host`` headers are refused; the
CSP lets only our own script files run.
"""

from __future__ import annotations

import re
import statistics
import time
import warnings
from collections.abc import Iterator

import pytest

from tests.staff.conftest import EDITOR, PASSWORD, Staff

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _attempt(client, username: str, password: str):
    page = client.get("/admin/login")
    token = CSRF_RE.search(page.text).group(1)
    return client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})


def _error(page) -> str:
    found = re.search(r'id="login-error"[^>]*>(.*?)<', page.text, re.S)
    return " ".join(found.group(1).split()) if found else ""


@pytest.fixture
def client_from(staff: Staff) -> Iterator:
    """``client_from("10.0.0.9")``: another test client of the same app, from that address."""
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

    opened = []

    def make(address: str):
        client = TestClient(staff.client.app, base_url="http://localhost", client=(address, 50000))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def test_existing_and_missing_accounts_answer_alike(staff: Staff, client_from) -> None:
    existing, missing = client_from("10.0.0.1"), client_from("10.0.0.2")
    for _ in range(6):
        a = _attempt(existing, EDITOR, "sai-mat-khau")
        b = _attempt(missing, "khong-co-ai-ten-nay", "sai-mat-khau")
        assert (a.status_code, _error(a)) == (b.status_code, _error(b))
    assert a.status_code == 429 and "tạm khóa" in _error(a)


def test_a_locked_account_answers_as_slowly_as_a_wrong_password(staff: Staff, client_from) -> None:
    stranger = client_from("10.0.0.3")
    for _ in range(5):
        _attempt(stranger, EDITOR, "sai-mat-khau")
    assert staff.accounts.get(EDITOR).locked_until is not None

    def timed(client, username: str) -> float:
        started = time.perf_counter()
        _attempt(client, username, "sai-mat-khau")
        return time.perf_counter() - started

    locked = statistics.median(timed(client_from("10.0.1.1"), EDITOR) for _ in range(3))
    unknown = statistics.median(timed(client_from("10.0.1.2"), "khong-co-ai") for _ in range(3))
    assert locked > unknown * 0.5, f"locked {locked * 1000:.0f} ms vs unknown {unknown * 1000:.0f} ms"


def test_one_address_gets_a_limited_number_of_failures_whatever_the_names(staff: Staff, client_from) -> None:
    guesser = client_from("10.0.0.4")
    answers = [_attempt(guesser, f"ten-{n}", "sai-mat-khau").status_code for n in range(10)]
    assert answers == [400] * 10
    assert _attempt(guesser, EDITOR, PASSWORD).status_code == 429, "even the right password waits"
    # Staff elsewhere are not affected.
    assert _attempt(client_from("10.0.0.5"), EDITOR, PASSWORD).url.path == "/admin/dashboard"


def test_a_stranger_cannot_lock_the_staff_out(staff: Staff, client_from) -> None:
    stranger = client_from("10.0.0.6")
    for _ in range(6):
        _attempt(stranger, EDITOR, "sai-mat-khau")
    assert _attempt(stranger, EDITOR, PASSWORD).status_code == 429
    # The staff member, from the office, signs in at once.
    office = client_from("10.0.0.7")
    assert _attempt(office, EDITOR, PASSWORD).url.path == "/admin/dashboard"


def test_a_forged_host_header_is_refused(staff: Staff) -> None:
    page = staff.client.get("/admin/dashboard", headers={"Host": "evil.example"}, follow_redirects=False)
    assert page.status_code == 400
    assert "evil.example" not in page.headers.get("location", "")


def test_the_csp_allows_only_our_own_scripts(staff: Staff) -> None:
    policy = staff.client.get("/admin/login").headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]

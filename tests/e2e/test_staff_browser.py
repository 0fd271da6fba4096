"""The staff workspace in a real headless Chromium, next to the real assistant.

The workspace runs as its own process (``python -m staff``) on the same catalogue as
the ``servers`` fixture's action server and Rasa server, so an edit made in the
browser must show in the assistant's very next answer — no restart, no retraining.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procedures_catalog import dashboard, db
from procedures_catalog.accounts import Accounts
from procedures_catalog.service import Catalog
from tests.e2e.conftest import procedure_of, texts
from tests.servers import ROOT, Servers, free_port, serve

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EDITOR, LOCKED = "browser.editor", "browser.lock"
PASSWORD = "mat-khau-trinh-duyet-1"
MARRIAGE_STATUS = "1.004873"  # Giấy xác nhận tình trạng hôn nhân: no other e2e test uses it
NEW_FEES = "Lệ phí: 15.000 đồng (sửa thử nghiệm qua trình duyệt)"


@pytest.fixture(scope="module")
def staff_url(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The workspace served by its own process on the servers' catalogue."""
    engine = db.make_engine(servers.database_url)
    accounts = Accounts(engine)
    for name in (EDITOR, LOCKED):
        if accounts.get(name) is None:
            accounts.add(name, PASSWORD, "editor", "Cán bộ thử nghiệm")
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CATALOG_DATABASE_URL": servers.database_url,
           "STAFF_PORT": str(port), "STAFF_SECRET_KEY": "browser-test-secret", "PYTHONUNBUFFERED": "1"}
    with serve([sys.executable, "-m", "staff"], env=env,
               log_path=tmp_path_factory.mktemp("staff") / "staff.log",
               health_url=f"http://127.0.0.1:{port}/healthz", timeout=90):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page, in Vietnamese."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _sign_in(page: Any, base: str, username: str = EDITOR, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-button")
    page.wait_for_load_state()


def test_sign_in_search_edit_history_bot_import_dashboard_sign_out(
        page: Any, staff_url: str, servers: Servers, sender: str, tmp_path: Path) -> None:
    catalog = Catalog(db.make_engine(servers.database_url))

    # Sign in.
    _sign_in(page, staff_url)
    assert page.url.endswith("/admin/dashboard")
    assert page.locator("#signed-in-user").inner_text().strip().startswith("Cán bộ thử nghiệm")

    # Search the way the bot does: the citizen's words, not the official name.
    page.click("#navbar-menu >> text=Thủ tục hành chính")
    page.fill("#search-input", "giấy xác nhận độc thân")
    page.press("#search-input", "Enter")
    page.wait_for_url(re.compile(r"search="))
    first_row = page.locator("table tbody tr").first
    assert MARRIAGE_STATUS in first_row.inner_text()

    # Edit the fees with a reason.
    first_row.locator("a[href*='/details/']").click()
    assert MARRIAGE_STATUS in page.locator("#procedure-title").inner_text()
    page.click("#edit-link")
    page.fill("textarea[name=fees]", NEW_FEES)
    page.fill("textarea[name=reason]", "Theo Nghị quyết HĐND tỉnh (thử nghiệm)")
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/admin/procedure/details/"))
    assert NEW_FEES in page.locator("td[data-field=fees]").inner_text()
    assert "Đã lưu thủ tục" in page.content()

    # The change, who made it and why, in the history.
    page.click("#history-link")
    history = page.locator("#history-table").inner_text()
    assert "Theo Nghị quyết HĐND tỉnh (thử nghiệm)" in history
    assert EDITOR in history and "Phí, lệ phí" in history and NEW_FEES in history

    # The running assistant answers with the new fees at once.
    reply = servers.talk(sender, "lệ phí cấp giấy xác nhận tình trạng hôn nhân")
    assert procedure_of(reply) == (MARRIAGE_STATUS, "fees")
    assert any("15.000 đồng (sửa thử nghiệm" in t for t in texts(reply))

    # Import a file with a bad row: the page names the row and the field, nothing changes.
    revision = catalog.revision()
    bad = tmp_path / "danh-sach-loi.csv"
    bad.write_text(
        "code,name,level,online_level,fees\n"
        f"{MARRIAGE_STATUS},Thủ tục cấp Giấy xác nhận tình trạng hôn nhân,xa,mot_phan,Lệ phí khác\n"
        "1.001193,Thủ tục đăng ký khai sinh,xa,toan_trinh,Miễn lệ phí\n"
        "1.000656,Thủ tục đăng ký khai tử,tỉnh thành,toan_trinh,Miễn lệ phí\n", encoding="utf-8")
    page.click("#navbar-menu >> text=Nhập / xuất danh sách")
    page.set_input_files("#import-file", str(bad))
    page.fill("#import-reason", "Danh mục mới (có dòng sai)")
    page.click("#import-preview")
    error = page.locator("#import-error").inner_text()
    assert "danh mục chưa thay đổi gì" in error
    assert "dòng 4" in error and "Cấp thực hiện" in error and "(level)" in error
    assert catalog.revision() == revision
    assert catalog.get(MARRIAGE_STATUS).fees == NEW_FEES

    # The dashboard counts what the assistant logged.
    page.click("#navbar-menu >> text=Tổng quan")
    board = dashboard.build(catalog.engine, days=30)
    assert board.total >= 1
    assert page.locator("#kpi-total").inner_text() == f"{board.total:,}".replace(",", ".")
    assert page.locator("#chart-per-day svg").count() == 1

    # Sign out: back to the sign-in page, and the workspace is closed again.
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/admin/login"))
    assert "Bạn đã đăng xuất" in page.content()
    page.goto(staff_url + "/admin/procedure/list")
    assert page.url.endswith("/admin/login")
    catalog.engine.dispose()


def test_wrong_password_and_lock_out(page: Any, staff_url: str, servers: Servers) -> None:
    for attempt in range(1, 6):
        _sign_in(page, staff_url, LOCKED, "khong-dung-mat-khau")
        message = page.locator("#login-error").inner_text()
        if attempt < 5:
            assert "Tên đăng nhập hoặc mật khẩu không đúng" in message
    assert "tạm khóa" in message
    _sign_in(page, staff_url, LOCKED, PASSWORD)
    assert "tạm khóa" in page.locator("#login-error").inner_text()
    engine = db.make_engine(servers.database_url)
    Accounts(engine).unlock(LOCKED)
    engine.dispose()
    _sign_in(page, staff_url, LOCKED, PASSWORD)
    assert page.url.endswith("/admin/dashboard")


def test_forms_without_csrf_token_or_session_are_refused(page: Any, browser: Any, staff_url: str) -> None:
    _sign_in(page, staff_url)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    # Signed in, but the form carries no token (what a forged cross-site form would send).
    status = page.evaluate("""async (url) => {
        const body = new URLSearchParams({op: 'add', text: 'giả mạo', reason: 'x'});
        return (await fetch(url, {method: 'POST', body})).status;
    }""", f"{staff_url}/admin/procedure/aliases/1.001193")
    assert status == 403
    # A valid token but no session cookie (another browser).
    other = browser.new_context()
    response = other.request.post(f"{staff_url}/admin/procedure/aliases/1.001193",
                                  form={"op": "add", "text": "giả mạo", "reason": "x", "csrf_token": token})
    assert response.status == 403
    other.close()


def test_verification_queue_several_fields_edit_and_editions(
        page: Any, staff_url: str, servers: Servers, sender: str, tmp_path: Path) -> None:
    from tests.catalog.test_editions import write_new_list

    catalog = Catalog(db.make_engine(servers.database_url))
    _sign_in(page, staff_url)

    # The queue: estimated facts first for the most asked; confirm one with a reason.
    page.click("#navbar-menu >> text=Cần kiểm tra")
    row = page.locator("#verify-table tbody tr[data-code]").filter(has_text="Cấp thực hiện").first
    code = row.get_attribute("data-code")
    assert code and catalog.get(code).level_source == "assigned"
    row.locator("input[name=reason]").fill("Đã đối chiếu Quyết định công bố (thử nghiệm)")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đã xác nhận" in page.content() and code in page.content()
    assert catalog.get(code).level_source == "staff"
    history = [e for e in catalog.history(code) if e.action == "verify"]
    assert history and history[0].actor == EDITOR

    # An edit of several fields: saved together, one reason, one audit group.
    page.goto(staff_url + "/admin/procedure/list?search=" + MARRIAGE_STATUS)
    page.locator("table tbody tr").first.locator("a[href*='/details/']").click()
    page.click("#edit-link")
    page.fill("textarea[name=fees]", "Lệ phí: 20.000 đồng (thử nghiệm nhiều trường)")
    page.fill("textarea[name=processing_time]", "3 ngày làm việc (thử nghiệm)")
    page.fill("textarea[name=reason]", "Sửa hai trường một lần (thử nghiệm)")
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/admin/procedure/details/"))
    entries = [e for e in catalog.history(MARRIAGE_STATUS) if e.reason == "Sửa hai trường một lần (thử nghiệm)"]
    assert sorted(e.field for e in entries) == ["fees", "processing_time"]
    assert len({e.batch for e in entries}) == 1

    # Editions: stage the next list (dated far ahead), compare it, put it in force, undo.
    new_list = write_new_list(catalog, tmp_path)
    page.click("#navbar-menu >> text=Phiên bản danh mục")
    page.set_input_files("#stage-file", str(new_list))
    page.fill("#stage-name", "danh mục thử nghiệm trình duyệt")
    page.fill("#stage-decision", "Quyết định 1/QĐ-UBND (thử)")
    page.fill("#stage-date", "2099-01-01")
    page.click("#stage-submit")
    page.wait_for_load_state()
    assert "sẽ áp dụng từ 01/01/2099" in page.content()
    staged = page.locator("#editions-table tr", has_text="danh mục thử nghiệm trình duyệt")
    assert "Chờ đến ngày hiệu lực" in staged.inner_text()
    edition_id = staged.get_attribute("data-edition")
    page.select_option("#diff-a", "1")
    page.select_option("#diff-b", edition_id)
    page.click("#diff-form button[type=submit]")
    page.wait_for_url(re.compile(r"/editions/diff"))
    assert page.locator("#diff-level-count").inner_text() == "1"
    assert "1.115743" in page.locator("#diff-level").inner_text()
    assert page.locator("#diff-added-count").inner_text() == "1"

    page.click("text=Về danh sách phiên bản")
    staged = page.locator(f"#editions-table tr[data-edition='{edition_id}']")
    staged.locator("input[name=reason]").fill("Áp dụng thử")
    staged.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert f"Đã áp dụng phiên bản #{edition_id}" in page.content()
    reply = servers.talk(sender, "chuyển mục đích sử dụng đất cấp xã nộp ở đâu")
    assert procedure_of(reply) == ("1.115743", "where")
    assert any("Thủ tục này do cấp xã giải quyết" in t for t in texts(reply))
    # Back to the sample, so the other tests meet the catalogue they expect.
    first = page.locator("#editions-table tr[data-edition='1']")
    first.locator("input[name=reason]").fill("Trả lại danh mục mẫu sau thử nghiệm")
    first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert catalog.require("1.115743").level == "huyen"
    catalog.engine.dispose()

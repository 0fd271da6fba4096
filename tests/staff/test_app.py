"""The staff workspace over HTTP (Starlette's test client): sign-in, CSRF, roles, changes."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from procedures_catalog import db, turnlog
from procedures_catalog.models import StaffSession
from tests.staff.conftest import EDITOR, PASSWORD, VIEWER, Staff, form_fields

BIRTH = "1.001193"
PAGES = ["/admin/dashboard", "/admin/procedure/list", "/admin/procedure/details/1", "/admin/procedure/edit/1",
         f"/admin/procedure/history/{BIRTH}", "/admin/import", "/admin/export", "/admin/turn/list",
         "/admin/auditentry/list", "/admin/office/list", "/admin/alias/list"]


def _id_of(staff: Staff, code: str) -> int:
    p = staff.catalog.get(code)
    assert p is not None
    return p.id


def _edit(staff: Staff, code: str, **changes: str):
    pk = _id_of(staff, code)
    page = staff.client.get(f"/admin/procedure/edit/{pk}")
    data = form_fields(page.text, "edit-form")
    data.update(changes)
    return staff.client.post(f"/admin/procedure/edit/{pk}", data={**data, "save": "Save"})


# --------------------------------------------------------------------------- sign-in


def test_every_page_needs_sign_in(staff: Staff) -> None:
    for path in PAGES:
        response = staff.client.get(path, follow_redirects=False)
        assert response.status_code == 302, path
        assert response.headers["location"].endswith("/admin/login"), path


def test_home_leads_to_the_vietnamese_sign_in(staff: Staff) -> None:
    page = staff.client.get("/")
    assert page.url.path == "/admin/login"
    assert 'lang="vi"' in page.text and "Đăng nhập" in page.text and "Mật khẩu" in page.text


def test_sign_in_then_out(staff: Staff) -> None:
    page = staff.login()
    assert page.url.path == "/admin/dashboard"
    assert "Nguyễn Thị Lan" in page.text and "Biên tập" in page.text
    cookie = staff.client.cookies.get("tthc_staff")
    token = staff.csrf("/admin/dashboard")
    out = staff.client.post("/admin/logout", data={"csrf_token": token})
    assert out.url.path == "/admin/login" and "Bạn đã đăng xuất" in out.text
    # The old cookie is worthless: the session was deleted on the server.
    staff.client.cookies.set("tthc_staff", cookie)
    again = staff.client.get("/admin/dashboard", follow_redirects=False)
    assert again.status_code == 302 and "/admin/login" in again.headers["location"]


def test_sign_out_is_not_a_get(staff: Staff) -> None:
    staff.login()
    assert staff.client.get("/admin/logout").status_code == 405


def test_wrong_password_then_lock_out(staff: Staff) -> None:
    for attempt in range(1, 5):
        page = staff.client.post("/admin/login", data={"username": EDITOR, "password": "sai-mat-khau",
                                                       "csrf_token": staff.csrf()})
        assert page.status_code == 400
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.text
        if attempt >= 3:
            assert f"Còn {5 - attempt} lần thử" in page.text
    page = staff.client.post("/admin/login", data={"username": EDITOR, "password": "sai-mat-khau",
                                                   "csrf_token": staff.csrf()})
    assert page.status_code == 429 and "tạm khóa" in page.text
    # Locked: even the right password is refused.
    page = staff.login()
    assert page.status_code == 429 and page.url.path == "/admin/login"
    staff.accounts.unlock(EDITOR)
    assert staff.login().url.path == "/admin/dashboard"


def test_an_unknown_user_gets_the_same_answer(staff: Staff) -> None:
    page = staff.login("khong-co-ai", PASSWORD)
    assert page.status_code == 400 and "Tên đăng nhập hoặc mật khẩu không đúng" in page.text


def test_idle_sessions_time_out(staff: Staff) -> None:
    staff.login()
    with db.session_scope(staff.catalog.engine) as s:
        old = datetime.now(timezone.utc) - timedelta(minutes=31)
        s.execute(update(StaffSession).values(last_seen_at=old))
    page = staff.client.get("/admin/dashboard")
    assert page.url.path == "/admin/login" and "Phiên làm việc đã hết hạn" in page.text


# --------------------------------------------------------------------------- CSRF


def test_forms_without_a_csrf_token_are_refused(staff: Staff) -> None:
    page = staff.client.post("/admin/login", data={"username": EDITOR, "password": PASSWORD})
    assert page.status_code == 403 and "Yêu cầu bị từ chối" in page.text
    staff.login()
    pk = _id_of(staff, BIRTH)
    data = form_fields(staff.client.get(f"/admin/procedure/edit/{pk}").text, "edit-form")
    data.pop("csrf_token")
    response = staff.client.post(f"/admin/procedure/edit/{pk}", data={**data, "fees": "Phí thử CSRF", "reason": "x"})
    assert response.status_code == 403
    response = staff.client.post(f"/admin/procedure/edit/{pk}",
                                 data={**data, "fees": "Phí thử CSRF", "reason": "x", "csrf_token": "forged"})
    assert response.status_code == 403
    assert staff.catalog.get(BIRTH).fees != "Phí thử CSRF"


def test_a_form_posted_without_a_session_is_refused(staff: Staff) -> None:
    token = staff.csrf()
    staff.client.cookies.clear()
    page = staff.client.post("/admin/login", data={"username": EDITOR, "password": PASSWORD, "csrf_token": token})
    assert page.status_code == 403
    upload = staff.client.post("/admin/import", data={"csrf_token": token, "reason": "x"},
                               files={"file": ("a.csv", b"code,name\n")})
    assert upload.status_code == 403


def test_a_token_from_another_session_is_refused(staff: Staff, catalog) -> None:
    staff.login()
    other = staff.csrf("/admin/dashboard")
    staff.client.cookies.clear()
    staff.login(VIEWER)
    response = staff.client.post(f"/admin/procedure/aliases/{BIRTH}",
                                 data={"op": "add", "text": "giấy tờ khai sinh", "reason": "x", "csrf_token": other})
    assert response.status_code == 403


# --------------------------------------------------------------------------- roles and changes


def test_viewers_read_but_cannot_change(staff: Staff) -> None:
    staff.login(VIEWER)
    pk = _id_of(staff, BIRTH)
    details = staff.client.get(f"/admin/procedure/details/{pk}")
    assert details.status_code == 200 and "Chỉ xem" in details.text
    assert 'id="edit-link"' not in details.text and 'id="alias-add-form"' not in details.text
    forbidden = staff.client.get(f"/admin/procedure/edit/{pk}")
    assert forbidden.status_code == 403 and "Bạn không có quyền làm việc này" in forbidden.text
    token = staff.csrf("/admin/dashboard")
    response = staff.client.post(f"/admin/procedure/aliases/{BIRTH}",
                                 data={"op": "add", "text": "giấy khai sinh", "reason": "x", "csrf_token": token})
    assert response.status_code == 403
    response = staff.client.post("/admin/import", data={"csrf_token": token, "reason": "x"},
                                 files={"file": ("a.csv", b"code,name\n")})
    assert response.status_code == 403
    assert staff.client.get("/admin/export?dinh_dang=csv").status_code == 200


def test_search_ranks_like_the_bot(staff: Staff) -> None:
    staff.login()
    page = staff.client.get("/admin/procedure/list", params={"search": "con mới sinh làm giấy gì"})
    codes = re.findall(r"\b\d\.\d{6}\b", page.text)
    assert codes and codes[0] == staff.catalog.search("con mới sinh làm giấy gì")[0].code == BIRTH
    page = staff.client.get("/admin/procedure/list", params={"search": "1.00119"})
    assert BIRTH in page.text


def test_an_edit_needs_a_reason_and_lands_in_the_history(staff: Staff) -> None:
    staff.login()
    before = staff.catalog.get(BIRTH)
    refused = _edit(staff, BIRTH, fees="Lệ phí: 8.000 đồng", reason="")
    assert refused.status_code == 400 and "Cần ghi lý do thay đổi" in refused.text
    assert staff.catalog.get(BIRTH).fees == before.fees
    done = _edit(staff, BIRTH, fees="Lệ phí: 8.000 đồng", reason="Theo Nghị quyết 12/2025/NQ-HĐND")
    assert done.url.path == f"/admin/procedure/details/{before.id}"
    assert "Đã lưu thủ tục 1.001193: Phí, lệ phí" in done.text
    after = staff.catalog.get(BIRTH)
    assert after.fees == "Lệ phí: 8.000 đồng" and after.fee_min_vnd == 8000
    # Only the field that changed was written (the untouched text fields round-trip).
    entries = [e for e in staff.catalog.history(BIRTH) if e.actor == EDITOR]
    assert [(e.field, e.new_value, e.reason) for e in entries] == [
        ("fees", "Lệ phí: 8.000 đồng", "Theo Nghị quyết 12/2025/NQ-HĐND")]
    history = staff.client.get(f"/admin/procedure/history/{BIRTH}")
    assert "Theo Nghị quyết 12/2025/NQ-HĐND" in history.text and EDITOR in history.text
    assert before.fees[:20] in history.text


def test_edits_are_validated_in_vietnamese(staff: Staff) -> None:
    staff.login()
    bad_level = _edit(staff, BIRTH, level="tinh-thanh", reason="thử")
    assert bad_level.status_code == 400 and "hãy chọn trong danh sách" in bad_level.text
    no_name = _edit(staff, BIRTH, name="   ", reason="thử")
    assert no_name.status_code == 400
    assert "Tên thủ tục không được để trống" in no_name.text
    assert staff.catalog.get(BIRTH).name.startswith("Thủ tục đăng ký khai sinh")


def test_level_and_documents_through_the_form(staff: Staff) -> None:
    staff.login()
    done = _edit(staff, BIRTH, level="huyen", documents="- Tờ khai đăng ký khai sinh\r\n- Giấy chứng sinh",
                 reason="Chuyển cấp theo quyết định mới")
    assert done.status_code == 200
    p = staff.catalog.get(BIRTH)
    assert p.level == "huyen" and p.level_source == "staff"
    assert p.documents == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]


def test_an_edit_of_several_fields_is_one_transaction_and_one_audit_group(
        staff: Staff, monkeypatch) -> None:
    from procedures_catalog import audit

    staff.login()
    before = staff.catalog.get(BIRTH)
    # The second field's audit entry fails (a lost connection, a full disk...): the
    # first field must not be left saved on its own.
    real_audit, calls = audit.write, []

    def failing_audit(*args, **kwargs):
        calls.append(kwargs.get("field_name"))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_audit(*args, **kwargs)

    monkeypatch.setattr(audit, "write", failing_audit)
    failed = _edit(staff, BIRTH, fees="Lệ phí: 9.000 đồng", processing_time="2 ngày làm việc",
                   reason="Theo quyết định mới")
    assert failed.status_code >= 400 and len(calls) == 2
    after = staff.catalog.get(BIRTH)
    assert (after.fees, after.processing_time) == (before.fees, before.processing_time)
    assert not [e for e in staff.catalog.history(BIRTH) if e.actor == EDITOR]
    monkeypatch.undo()

    done = _edit(staff, BIRTH, fees="Lệ phí: 9.000 đồng", processing_time="2 ngày làm việc",
                 reason="Theo quyết định mới")
    assert done.status_code == 200
    entries = [e for e in staff.catalog.history(BIRTH) if e.actor == EDITOR]
    assert sorted(e.field for e in entries) == ["fees", "processing_time"]
    assert len({e.batch for e in entries}) == 1 and entries[0].batch.startswith("edit-")


def test_aliases_and_status_from_the_procedure_page(staff: Staff) -> None:
    staff.login()
    pk = _id_of(staff, BIRTH)
    page = staff.client.get(f"/admin/procedure/details/{pk}")
    data = form_fields(page.text, "alias-add-form")
    added = staff.client.post(f"/admin/procedure/aliases/{BIRTH}",
                              data={**data, "text": "làm giấy khai sinh cho em bé", "reason": "người dân hay hỏi"})
    assert "Đã thêm tên gọi" in added.text
    assert "làm giấy khai sinh cho em bé" in [a.text for a in staff.catalog.get(BIRTH).aliases]
    assert staff.catalog.search("làm giấy khai sinh cho em bé")[0].code == BIRTH
    removed = staff.post(f"/admin/procedure/aliases/{BIRTH}",
                         {"op": "remove", "text": "làm giấy khai sinh cho em bé", "reason": "trùng"})
    assert "Đã bỏ tên gọi" in removed.text
    retired = staff.post(f"/admin/procedure/status/{BIRTH}", {"status": "retired", "reason": "bãi bỏ thử"})
    assert "đã bãi bỏ" in retired.text and staff.catalog.get(BIRTH).status == "retired"
    no_reason = staff.post(f"/admin/procedure/status/{BIRTH}", {"status": "active", "reason": ""})
    assert "Cần ghi lý do" in no_reason.text and staff.catalog.get(BIRTH).status == "retired"
    actions = [e.action for e in staff.catalog.history(BIRTH) if e.actor == EDITOR]
    assert actions == ["alias_add", "alias_remove", "retire"]


def test_office_details_change_with_a_reason(staff: Staff) -> None:
    staff.login()
    office = staff.catalog.offices()["xa"]
    page = staff.client.get(f"/admin/office/edit/{office.id}")
    data = form_fields(page.text, "edit-form")
    data.update(phone="0273 3 999 999", reason="Số mới của bộ phận một cửa")
    done = staff.client.post(f"/admin/office/edit/{office.id}", data={**data, "save": "Save"})
    assert done.status_code == 200 and "Đã lưu" in done.text
    assert staff.catalog.offices()["xa"].phone == "0273 3 999 999"
    entry = staff.catalog.recent_changes(1)[0]
    assert (entry.entity, entry.field, entry.actor, entry.reason) == ("office", "phone", EDITOR, "Số mới của bộ phận một cửa")


# --------------------------------------------------------------------------- import / export


def _export(staff: Staff) -> list[dict[str, str]]:
    response = staff.client.get("/admin/export?dinh_dang=csv")
    assert response.status_code == 200
    assert "danh-muc-thu-tuc-" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(staff: Staff, content: bytes, name: str = "danh-sach.csv", reason: str = "Danh mục mới"):
    return staff.client.post("/admin/import", data={"csrf_token": staff.csrf("/admin/import"), "reason": reason},
                             files={"file": (name, content, "text/csv")})


def test_a_bad_row_changes_nothing_and_names_row_and_field(staff: Staff) -> None:
    staff.login()
    rows = _export(staff)[:3]
    rows[0]["fees"] = "Lệ phí mới 1"
    rows[2]["level"] = "tỉnh thành"
    revision = staff.catalog.revision()
    page = _upload(staff, _csv(rows))
    assert page.status_code == 400
    assert "danh mục chưa thay đổi gì" in page.text
    assert re.search(r"danh-sach\.csv, dòng 4, trường “Cấp thực hiện” \(level\)", page.text)
    assert staff.catalog.revision() == revision


def test_import_preview_then_apply(staff: Staff) -> None:
    staff.login()
    rows = _export(staff)[:2]
    code = rows[1]["code"]
    rows[1]["fees"] = "Lệ phí: 12.000 đồng"
    preview = _upload(staff, _csv(rows), reason="Theo danh mục công bố tháng 11")
    assert preview.status_code == 200
    assert "Xem trước" in preview.text and "Sửa 1" in preview.text and "Lệ phí: 12.000 đồng" in preview.text
    assert staff.catalog.get(code).fees != "Lệ phí: 12.000 đồng"  # nothing changed yet
    data = form_fields(preview.text, "apply-form")
    applied = staff.client.post("/admin/import/apply", data={**data, "apply": "1"})
    assert "Đã nhập danh-sach.csv" in applied.text
    assert staff.catalog.get(code).fees == "Lệ phí: 12.000 đồng"
    entry = [e for e in staff.catalog.history(code) if e.field == "fees"][-1]
    assert (entry.actor, entry.reason) == (EDITOR, "Theo danh mục công bố tháng 11")
    # The preview token is used up.
    again = staff.client.post("/admin/import/apply", data={**data, "apply": "1"})
    assert "Không còn bản xem trước" in again.text


def test_import_is_previewed_again_if_the_catalogue_moved(staff: Staff) -> None:
    staff.login()
    rows = _export(staff)[:1]
    rows[0]["fees"] = "Lệ phí: 1 đồng"
    preview = _upload(staff, _csv(rows))
    staff.catalog.add_alias(BIRTH, "một tên khác", by="someone")
    data = form_fields(preview.text, "apply-form")
    again = staff.client.post("/admin/import/apply", data={**data, "apply": "1"})
    assert "Đây là bản xem trước mới" in again.text
    assert staff.catalog.get(rows[0]["code"]).fees != "Lệ phí: 1 đồng"


def test_exported_file_imports_back_unchanged(staff: Staff) -> None:
    staff.login()
    xlsx = staff.client.get("/admin/export?dinh_dang=xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"
    exported = staff.client.get("/admin/export?dinh_dang=csv")
    preview = _upload(staff, exported.content, name="lai.csv", reason="kiểm tra")
    assert preview.status_code == 200
    assert "Thêm mới 0" in preview.text and "Sửa 0" in preview.text and "Giữ nguyên 1787" in preview.text
    assert 'id="import-apply" disabled' in preview.text


# --------------------------------------------------------------------------- dashboard


def test_dashboard_shows_the_logged_turns_and_turns_a_question_into_an_alias(staff: Staff) -> None:
    engine = staff.catalog.engine
    for n, (text, outcome) in enumerate([("làm giấy cho con mới đẻ ở nhà", "not_found")] * 3
                                        + [("lệ phí khai sinh", "answered")] * 2):
        turnlog.record_turn(engine, channel="telegram", conversation_id=f"c{n}", text=text, intent="ask_procedure",
                            confidence=0.9, procedure_code=BIRTH if outcome == "answered" else None,
                            score=0.9 if outcome == "answered" else None, outcome=outcome)
    turnlog.record_rating(engine, conversation_id="c4", rating="up", channel="telegram")
    staff.login()
    page = staff.client.get("/admin/dashboard?ngay=7")
    assert page.status_code == 200
    assert re.search(r'id="kpi-total">5<', page.text)
    assert re.search(r'id="kpi-fell-back">60%<', page.text)
    assert page.text.count("<svg") >= 4 and "Số câu hỏi mỗi ngày" in page.text
    assert "làm giấy cho con mới đẻ ở nhà" in page.text
    data = form_fields(page.text.split("question-alias-form", 1)[1].join(["<form id=\"q\" class=\"", ""]), "q")
    data.update(code=BIRTH)
    done = staff.client.post("/admin/dashboard/alias", data=data)
    assert "Trợ lý hiểu câu này ngay" in done.text
    alias = [a for a in staff.catalog.get(BIRTH).aliases if a.text == "làm giấy cho con mới đẻ ở nhà"]
    assert alias and alias[0].origin == "dashboard" and alias[0].created_by == EDITOR
    assert staff.catalog.search("làm giấy cho con mới đẻ ở nhà")[0].code == BIRTH


def test_masked_text_cannot_become_an_alias(staff: Staff) -> None:
    staff.login()
    page = staff.post("/admin/dashboard/alias", {"text": "gọi [SĐT] hỏi khai sinh", "code": BIRTH, "reason": "x"})
    assert "dữ liệu cá nhân đã che" in page.text
    assert all("[SĐT]" not in a.text for a in staff.catalog.get(BIRTH).aliases)

"""The editions and verification pages over HTTP: what viewers see, what editors may do,
and refusals that change nothing (the browser test walks the happy path)."""

from __future__ import annotations

from procedures_catalog import editions
from tests.staff.conftest import VIEWER, Staff

ESTIMATED = "1.115743"  # level arranged for the sample (huyen), the portal says xa


def _ask_about(staff: Staff, code: str, times: int) -> None:
    """Citizens asked about ``code``: the most asked come first in the queue."""
    from procedures_catalog import turnlog

    for n in range(times):
        turnlog.record_turn(staff.catalog.engine, channel="rest", conversation_id=f"c{n}",
                            text="hỏi thử", intent="ask_where", confidence=0.9,
                            procedure_code=code, score=1.0, outcome="answered", aspect="where")


def test_viewers_see_editions_and_the_queue_but_change_nothing(staff: Staff) -> None:
    _ask_about(staff, ESTIMATED, 3)
    staff.login(VIEWER)
    page = staff.client.get("/admin/editions")
    assert "tỉnh Tiền Giang năm 2024 (bản mẫu)" in page.text and "Đang áp dụng" in page.text
    assert "stage-form" not in page.text
    queue = staff.client.get("/admin/verify")
    rows = queue.text.split('<tr data-code="')[1:]
    assert rows[0].startswith(ESTIMATED)  # the most asked first
    assert "verify-form" not in queue.text
    refused = staff.post("/admin/verify/confirm", {"code": ESTIMATED, "field": "level",
                                                   "reason": "thử"}, page="/admin/verify")
    assert refused.status_code == 403
    assert staff.catalog.get(ESTIMATED).level_source == "assigned"


def test_a_confirmation_needs_a_reason_and_is_audited(staff: Staff) -> None:
    staff.login()
    no_reason = staff.post("/admin/verify/confirm", {"code": ESTIMATED, "field": "level", "reason": ""},
                           page="/admin/verify")
    assert "Cần ghi lý do" in no_reason.text
    assert staff.catalog.get(ESTIMATED).level_source == "assigned"
    done = staff.post("/admin/verify/confirm", {"code": ESTIMATED, "field": "level",
                                                "reason": "Đối chiếu quyết định"}, page="/admin/verify")
    assert "Đã xác nhận 1 thông tin" in done.text
    assert staff.catalog.get(ESTIMATED).level_source == "staff"
    facts = staff.catalog.procedure_facts(ESTIMATED)
    assert facts["provenance"]["level"] == "staff" and facts["verified_on"] is not None


def test_activating_needs_a_reason_and_an_existing_edition(staff: Staff) -> None:
    staff.login()
    page = staff.post("/admin/editions/activate", {"edition": "1", "reason": ""}, page="/admin/editions")
    assert "Cần ghi lý do" in page.text
    page = staff.post("/admin/editions/activate", {"edition": "99", "reason": "thử"}, page="/admin/editions")
    assert "99" in page.text and editions.in_force(staff.catalog)["id"] == 1
    page = staff.post("/admin/editions/activate", {"edition": "1", "reason": "thử"}, page="/admin/editions")
    assert "đang được áp dụng rồi" in page.text


def test_a_bad_file_creates_no_edition(staff: Staff) -> None:
    staff.login()
    token = staff.csrf("/admin/editions")
    bad = "code,name,level,online_level\n9.000001,Thủ tục thử,tỉnh thành,toan_trinh\n"
    page = staff.client.post("/admin/editions/stage", data={
        "csrf_token": token, "name": "thử", "effective_from": "2099-01-01"},
        files={"file": ("sai.csv", bad.encode(), "text/csv")})
    assert "Chưa tạo phiên bản" in page.text and "dòng 2" in page.text
    assert len(editions.list_editions(staff.catalog)) == 1

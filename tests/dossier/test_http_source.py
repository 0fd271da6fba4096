"""The http source against a fake lookup service on loopback: answers, failures, privacy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from procedures_catalog.dossier import answers
from procedures_catalog.dossier.http import FieldMapping, HttpSource
from procedures_catalog.dossier.record import SourceUnavailable
from tests.fakes.dossier_portal import FakeDossierPortal

CODE = "H56.22-240315-0001"


@pytest.fixture
def portal() -> Iterator[FakeDossierPortal]:
    with FakeDossierPortal() as fake:
        yield fake


def source(portal: FakeDossierPortal, **kwargs: object) -> HttpSource:
    return HttpSource(portal.url, FieldMapping.load("dvcqg"), unit="000.00.00.H56", **kwargs)  # type: ignore[arg-type]


def test_a_known_code_is_read_through_the_mapping(portal: FakeDossierPortal) -> None:
    dossier = source(portal, token="s3cret").lookup(CODE)
    assert dossier.found and dossier.status == "needs_documents"
    assert (dossier.received, dossier.due) == (date(2024, 3, 15), date(2024, 3, 22))
    assert dossier.office == "UBND xã Tân Hương"
    assert dossier.missing == ("Bản sao giấy chứng sinh", "Tờ khai có chữ ký")
    body, headers = portal.requests[-1]
    assert body == {"service": "TraCuuHoSo", "madonvi": "000.00.00.H56", "mahoso": CODE}
    assert headers.get("Authorization") == "Bearer s3cret"


def test_the_applicants_personal_data_never_reaches_the_answer(portal: FakeDossierPortal) -> None:
    dossier = source(portal).lookup(CODE)
    replies = answers.status_answer(dossier, today=date(2024, 3, 20))
    shown = " ".join(str(r.text) + str(r.custom) for r in replies)
    for secret in ("Nguyễn Văn Bảy", "082090001234", "Ấp Tân Phú", "0912345678"):
        assert secret not in shown and secret not in repr(dossier)
    assert CODE not in shown  # bot messages are stored in the tracker: the code is partly hidden
    assert "Bản sao giấy chứng sinh" in shown


def test_an_unknown_code_is_not_found(portal: FakeDossierPortal) -> None:
    assert not source(portal).lookup("H56.22-240315-0999").found


def test_a_record_for_another_code_is_never_shown(portal: FakeDossierPortal) -> None:
    portal.records["H56.22-240315-0002"] = dict(portal.records[CODE])  # MaHoSo says ...0001
    assert not source(portal).lookup("H56.22-240315-0002").found


def test_a_slow_service_times_out_quickly(portal: FakeDossierPortal) -> None:
    portal.delay = 3
    started = time.monotonic()
    with pytest.raises(SourceUnavailable):
        source(portal, timeout=0.5).lookup(CODE)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("status", [500, 502, 503, 401])
def test_server_errors_are_unavailable(portal: FakeDossierPortal, status: int) -> None:
    portal.status = status
    with pytest.raises(SourceUnavailable, match=str(status)):
        source(portal).lookup(CODE)


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"result": "oops"}',
                                  b'{"result": [42]}', b"[1, 2", b'"just a string"'])
def test_malformed_answers_are_unavailable(portal: FakeDossierPortal, body: bytes) -> None:
    portal.body = body
    with pytest.raises(SourceUnavailable):
        source(portal).lookup(CODE)


def test_odd_values_do_not_crash(portal: FakeDossierPortal) -> None:
    portal.records[CODE] = {"MaHoSo": CODE, "NgayTiepNhan": "hôm qua", "TrangThaiHoSo": "99",
                            "NgayHenTra": None, "DonViXuLy": 12}
    dossier = source(portal).lookup(CODE)
    assert dossier.found and dossier.status == "unknown" and dossier.received is None
    assert all(r.text is None or len(r.text) <= 600 for r in answers.status_answer(dossier))


def test_no_service_at_that_address_is_unavailable() -> None:
    with FakeDossierPortal() as fake:
        url = fake.url
    with pytest.raises(SourceUnavailable):
        HttpSource(url, FieldMapping.load("dvcqg"), timeout=1).lookup(CODE)


def test_another_systems_shape_is_a_new_mapping_file(tmp_path: Path, portal: FakeDossierPortal) -> None:
    mapping = tmp_path / "other.yaml"
    mapping.write_text("""
name: other
request: {body: {action: lookup, code: "{code}"}}
record: [data, dossier]
fields: {code: id, received: receivedAt, due: dueAt, status: state, office: office}
date_formats: ["%Y-%m-%d"]
statuses: {DONE: done, WORKING: in_progress}
""", encoding="utf-8")
    portal.body = (b'{"data": {"dossier": {"id": "H56.22-240315-0001", "receivedAt": "2024-03-15",'
                   b' "dueAt": "2024-03-22", "state": "DONE", "office": "UBND", "ownerName": "X"}}}')
    dossier = HttpSource(portal.url, FieldMapping.load(str(mapping))).lookup(CODE)
    assert (dossier.status, dossier.due, dossier.office) == ("done", date(2024, 3, 22), "UBND")
    assert portal.requests[-1][0] == {"action": "lookup", "code": CODE}


def test_a_mapping_with_an_unknown_state_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("fields: {}\nstatuses: {X: finished}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="finished"):
        FieldMapping.load(str(mapping))

"""Truthful answers end to end: provenance in the payload, the reform caveat, and a new
edition that takes effect on its date in running servers (no restart), then "có gì thay
đổi" answered from the difference.

These servers have a catalogue of their own: the edition changes it for good.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from procedures_catalog import db, editions
from procedures_catalog.importers import read_file
from procedures_catalog.models import Edition
from procedures_catalog.service import Catalog
from tests.catalog.test_editions import MOVED, write_new_list
from tests.e2e.conftest import custom_payloads, procedure_of, texts
from tests.servers import Servers, run_servers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, Catalog]]:
    folder = tmp_path_factory.mktemp("editions-e2e")
    url = f"sqlite:///{folder / 'catalog.sqlite3'}"
    catalog = Catalog(db.make_engine(url))
    catalog.ensure_ready()
    with run_servers(folder, url) as servers:
        yield servers, catalog
    catalog.engine.dispose()


def _payload(reply: list[dict]) -> dict:
    return next(p for p in custom_payloads(reply) if "procedure" in p)


def test_estimate_caveat_then_a_new_edition_on_its_date(own, sender) -> None:
    servers, catalog = own
    # 1. The 2024 sample: an estimated, former district-level procedure.
    reply = servers.talk(sender, "chuyển mục đích sử dụng đất cấp xã nộp ở đâu")
    assert procedure_of(reply) == (MOVED, "where")
    payload = _payload(reply)
    assert payload["provenance"] == {"level": "estimate", "online_level": "official"}
    assert payload["edition"]["name"] == "tỉnh Tiền Giang năm 2024 (bản mẫu)"
    said = "\n".join(texts(reply))
    assert "không còn cấp huyện" in said and "01/07/2025" in said and "☎" in said
    assert "do cấp huyện giải quyết" not in said

    # 2. Staff stage the merged province's list for tomorrow: nothing changes today.
    tomorrow = date.today() + timedelta(days=1)
    info = editions.EditionInfo(name="tỉnh Đồng Tháp 2025 (thử)", effective_from=tomorrow,
                                decision="947/QĐ-UBND", unit="Tỉnh Đồng Tháp")
    edition, applied = editions.create(
        catalog, read_file(write_new_list(catalog, servers.workdir)), info, by="tester")
    assert applied is None
    reply = servers.talk(sender, "nộp ở đâu")
    assert _payload(reply)["edition"]["id"] == 1

    # 3. Its date comes (the clock cannot move, so the date does): the running servers
    # answer from it on the next question.
    with db.session_scope(catalog.engine) as s:
        s.execute(update(Edition).where(Edition.id == edition["id"])
                  .values(effective_from=date.today()))
    reply = servers.talk(sender, "nộp ở đâu")
    payload = _payload(reply)
    assert payload["edition"] == {"id": edition["id"], "name": "tỉnh Đồng Tháp 2025 (thử)",
                                  "effective_from": date.today().isoformat()}
    assert payload["provenance"]["level"] == "official" and payload["procedure"]["level"] == "xa"
    said = "\n".join(texts(reply))
    assert "Thủ tục này do cấp xã giải quyết" in said and "không còn cấp huyện" not in said

    # 4. What changed, and where to go since the merger: from the difference.
    reply = servers.talk(sender, "thủ tục này có gì thay đổi")
    said = "\n".join(texts(reply))
    assert "Nơi giải quyết: cấp huyện → cấp xã" in said, said
    assert "tỉnh Tiền Giang năm 2024 (bản mẫu)" in said
    reply = servers.talk(sender, "từ khi sáp nhập thì làm ở đâu")
    said = "\n".join(texts(reply))
    assert "Nơi giải quyết: cấp huyện → cấp xã" in said, said
    assert "không còn cấp huyện" in said

    # 5. Another procedure: its fee changed, and nothing else is claimed.
    reply = servers.talk(sender, "đăng ký khai sinh có gì thay đổi")
    assert procedure_of(reply) == ("1.001193", "changes")
    lines = "\n".join(texts(reply)).split("\n")
    changed = [line for line in lines if line.startswith("• ")]
    assert len(changed) == 1 and changed[0].startswith("• Lệ phí:"), lines
    assert changed[0].endswith("→ Lệ phí: 5.000 đồng"), lines

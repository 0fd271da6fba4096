"""A fake of a one-stop system's dossier lookup (``TraCuuHoSo``) on loopback.

Answers ``POST /`` with ``{"service": "TraCuuHoSo", "madonvi": ..., "mahoso": CODE}``
the way the national portal's integration does: ``{"result": [{"MaHoSo", "NgayTiepNhan",
"NgayHenTra", "TrangThaiHoSo", "DonViXuLy", ...}]}``; records also carry the applicant's
name, ID number and address, which the assistant must never show. Switches make it
slow, fail with a status code, or answer malformed bodies. Standard library only.

Usage:
    python -m tests.fakes.dossier_portal [--port 8091]

    then DOSSIER_SOURCE=http DOSSIER_HTTP_URL=http://127.0.0.1:8091/ catalog dossier CODE
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from typing import Any

from tests.fakes.loopback import LoopbackServer, Request, read_body, reply

SAMPLE = {
    "H56.22-240315-0001": {
        "MaHoSo": "H56.22-240315-0001", "NgayTiepNhan": "20240315083000",
        "NgayHenTra": "20240322170000", "TrangThaiHoSo": "5",
        "DonViXuLy": "UBND xã Tân Hương", "NoiDungYeuCauBoSung": "Bản sao giấy chứng sinh\nTờ khai có chữ ký",
        "HoTenNguoiNop": "Nguyễn Văn Bảy", "SoCMND": "082090001234",
        "DiaChi": "Ấp Tân Phú, xã Tân Hương, Châu Thành, Tiền Giang", "SoDienThoai": "0912345678",
    },
}


class FakeDossierPortal(LoopbackServer):
    """The fake server (a context manager on 127.0.0.1, a free port).

    Attributes:
        records: code → record answered.
        delay: seconds to wait before answering (time-out tests).
        status: an HTTP status to answer with instead (5xx tests).
        body: a raw body to answer with instead (malformed-answer tests).
        requests: the JSON bodies and headers received.
    """

    def __init__(self, records: dict[str, dict[str, Any]] | None = None, port: int = 0) -> None:
        super().__init__(port=port)
        self.records = copy.deepcopy(SAMPLE if records is None else records)
        self.delay = 0.0
        self.status: int | None = None
        self.body: bytes | None = None
        self.requests: list[tuple[dict[str, Any], dict[str, str]]] = []

    @property
    def url(self) -> str:
        """The URL to give as DOSSIER_HTTP_URL."""
        return f"{super().url}/"

    def answer(self, request: dict[str, Any]) -> tuple[int, bytes]:
        """Status and body for one request."""
        if self.status is not None:
            return self.status, b"<html>Service Unavailable</html>"
        if self.body is not None:
            return 200, self.body
        if request.get("service") != "TraCuuHoSo":
            return 400, json.dumps({"error_code": -1, "message": "unknown service"}).encode()
        record = self.records.get(str(request.get("mahoso")))
        return 200, json.dumps({"error_code": 0, "result": [record] if record else []},
                               ensure_ascii=False).encode()

    def handle(self, request: Request) -> None:
        """One lookup (``POST /``)."""
        try:
            body = json.loads(read_body(request) or b"{}")
        except ValueError:
            body = {}
        self.requests.append((body, dict(request.headers)))
        if self.delay:
            time.sleep(self.delay)
        status, answer = self.answer(body)
        reply(request, status, answer, content_type="application/json; charset=utf-8")


def main() -> None:
    """Run the fake until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()
    with FakeDossierPortal(port=args.port) as fake:
        print(f"fake dossier lookup at {fake.url}; codes: {', '.join(fake.records)}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()

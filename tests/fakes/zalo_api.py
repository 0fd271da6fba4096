"""A fake of Zalo's OA message API on loopback, recording what the bot sends.

It answers ``POST /v3.0/oa/message/cs`` like Zalo: ``{"error": 0, ...}`` when the
``access_token`` header matches, ``{"error": -216, "message": "Access token is
invalid"}`` otherwise or after :meth:`FakeZaloApi.expire_token`. The next requests
can be made to fail as Zalo's front ends sometimes do (:meth:`FakeZaloApi.fail_next`:
a 5xx, a 429 with ``Retry-After``, or no answer at all); a failed request is not
recorded as sent. Standard library only, so it runs in the test environment and on
its own.

Usage:
    python -m tests.fakes.zalo_api [--port 8090] [--token fake-token]

    then start Rasa with ZALO_API_BASE_URL=http://127.0.0.1:8090 and watch the
    messages it sends printed here.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import Faults, LoopbackServer, Request, read_body, reply, stall

MESSAGE_PATH = "/v3.0/oa/message/cs"
TOKEN_INVALID = {"error": -216, "message": "Access token is invalid"}


@dataclass
class SentMessage:
    """One message the bot sent through the fake."""

    user_id: str
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class FakeZaloApi(LoopbackServer):
    """The fake server; use as a context manager (it listens on 127.0.0.1, a free port)."""

    def __init__(self, token: str = "fake-access-token", port: int = 0, echo: bool = False) -> None:
        super().__init__(port=port)
        self.token = token
        self.echo = echo
        self.messages: list[SentMessage] = []
        self.rejected = 0  # requests refused for the token
        self._faults = Faults()
        self._token_valid = True
        self._lock = threading.Condition()

    @property
    def failed(self) -> int:
        """Requests answered with a fault from :meth:`fail_next`."""
        return self._faults.served

    def expire_token(self, expired: bool = True) -> None:
        """From now on, answer every request with error -216 (or stop doing so)."""
        with self._lock:
            self._token_valid = not expired

    def fail_next(self, status: int, count: int = 1, retry_after: float = 0.0) -> None:
        """Fail the next ``count`` requests: HTTP ``status`` (429 with ``Retry-After:
        retry_after``), or, with status 0, no answer for ``retry_after`` seconds and then
        a closed connection (a timeout)."""
        self._faults.add(status, retry_after, count=count)

    def sent_to(self, user_id: str) -> list[SentMessage]:
        """The messages sent to ``user_id`` so far."""
        with self._lock:
            return [m for m in self.messages if m.user_id == user_id]

    def wait_for(self, user_id: str, count: int = 1, quiet: float = 3.0,
                 timeout: float = 60) -> list[SentMessage]:
        """Wait until ``user_id`` got at least ``count`` messages, the last one ``quiet``
        seconds ago; return them (fewer if ``timeout`` ran out first)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                sent = [m for m in self.messages if m.user_id == user_id]
                now = time.monotonic()
                if now >= deadline or (len(sent) >= count and now - sent[-1].at >= quiet):
                    return sent
                self._lock.wait(min(0.2, deadline - now))

    def _record(self, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if not self._token_valid or token != self.token:
                self.rejected += 1
                self._lock.notify_all()
                return TOKEN_INVALID
            message = body.get("message") or {}
            attachment = message.get("attachment") or {}
            buttons = (attachment.get("payload") or {}).get("buttons") or []
            user_id = str((body.get("recipient") or {}).get("user_id"))
            self.messages.append(SentMessage(user_id, message.get("text"), list(buttons), body))
            self._lock.notify_all()
            if self.echo:
                print(json.dumps(body, ensure_ascii=False), flush=True)
            return {"error": 0, "message": "Success",
                    "data": {"message_id": f"fake-{len(self.messages)}", "user_id": user_id}}

    def handle(self, request: Request) -> None:
        """``POST /v3.0/oa/message/cs``; anything else is 404."""
        if request.command != "POST" or request.path.split("?")[0] != MESSAGE_PATH:
            return reply(request, 404, {"error": 404, "message": "unknown path"})
        raw = read_body(request)
        fault = self._faults.take()
        if fault is not None:
            status, seconds = fault
            if status == 0:
                return stall(request, seconds)  # the client times out; nothing is recorded
            headers = {"Retry-After": f"{seconds:g}"} if status == 429 else {}
            return reply(request, status, {"error": -32, "message": "fault injected"},
                         headers=headers)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return reply(request, 200, {"error": -201, "message": "Parameters are invalid"})
        return reply(request, 200, self._record(request.headers.get("access_token"), body))


def main() -> None:
    """Run the fake until Ctrl-C, printing each message sent through it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--token", default="fake-access-token")
    args = parser.parse_args()
    with FakeZaloApi(args.token, args.port, echo=True) as fake:
        print(f"Fake Zalo OA API on {fake.url} (token {args.token!r}); Ctrl-C stops it", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()

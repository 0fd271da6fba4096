"""What the fake servers share: an HTTP server on loopback, its request plumbing, faults.

A fake subclasses :class:`LoopbackServer` and answers in :meth:`LoopbackServer.handle`
with :func:`read_body` and :func:`reply`; :class:`Faults` queues the failures a test
asks for (a status code, or with status 0 no answer: :func:`stall`). Standard library
only, so the fakes run in the test environment and on their own.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

Request = BaseHTTPRequestHandler
S = TypeVar("S", bound="LoopbackServer")


class LoopbackServer:
    """A threading HTTP server in a background thread; a context manager.

    Args:
        host: the loopback address to bind.
        port: the port (0: any free port).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=type(self).__name__)

    @property
    def url(self) -> str:
        """The server's root URL (no trailing slash)."""
        return f"http://{self._host}:{self._server.server_address[1]}"

    def start(self: S) -> S:
        """Start serving in a background thread; returns the server."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def handle(self, request: Request) -> None:
        """Answer one request (GET or POST); subclasses implement it."""
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                server.handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet: the fakes record what they receive instead

        return Handler


def read_body(request: Request) -> bytes:
    """The request's body (empty without a Content-Length)."""
    length = int(request.headers.get("Content-Length") or 0)
    return request.rfile.read(length) if length else b""


def reply(request: Request, status: int, body: dict[str, Any] | bytes, *,
          headers: dict[str, str] | None = None,
          content_type: str = "application/json") -> None:
    """Send ``body`` (a dict goes as JSON); a client that gave up is not an error."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    try:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)
    except OSError:
        pass  # the client gave up (a time-out test, a long poll cut short)


def stall(request: Request, seconds: float) -> None:
    """Answer nothing for ``seconds``, then drop the connection: the client times out."""
    time.sleep(seconds)
    request.close_connection = True


class Faults:
    """Failures queued by a test, taken in order, per key (e.g. an API method)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, list[tuple[int, float]]] = {}
        self.served = 0  # faults answered so far

    def add(self, status: int, seconds: float = 0.0, *, key: str = "", count: int = 1) -> None:
        """Fail the next ``count`` requests of ``key``: HTTP ``status`` (``seconds``:
        the wait a 429 asks for), or, with status 0, no answer for ``seconds``."""
        with self._lock:
            self._queued.setdefault(key, []).extend([(status, seconds)] * count)

    def take(self, key: str = "") -> tuple[int, float] | None:
        """The next fault queued for ``key``, or None."""
        with self._lock:
            queued = self._queued.get(key)
            if not queued:
                return None
            self.served += 1
            return queued.pop(0)

"""Serve the actions: rasa-sdk's action app, on loopback, for Rasa only.

``python -m rasa_sdk`` binds 0.0.0.0 with no authentication and accepts any body a
browser can send cross-site (``text/plain`` included): anyone who reaches port 5055
could write fake turns and ratings. This serves the same app (``rasa_sdk.endpoint.
create_app``) with four differences:

* it binds ``ACTIONS_HOST`` (default 127.0.0.1);
* every route but ``/health`` needs ``Authorization: Bearer <ACTIONS_TOKEN>``, the
  header Rasa sends (``action_endpoint.headers`` in bot/endpoints.yml);
* ``POST /webhook`` takes ``application/json`` only, and no CORS headers are sent;
* each action runs in a worker thread (:func:`run_actions_in_threads`): our actions
  are synchronous work behind ``async def`` (the catalogue, the turn log, the dossier
  portal over HTTP), and on the event loop one slow database or portal call held up
  every other conversation's action.

Usage:
    ACTIONS_TOKEN=... python -m actions.server   (scripts/serve-actions.sh)
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sys
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.settings import ActionServerSettings, SettingsError
from procedures_catalog.cached import start_look

log = logging.getLogger("actions.server")
T = TypeVar("T")

OPEN_PATHS = frozenset({"/health"})


def authorised(request: Request, token: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>``."""
    sent = request.headers.get("Authorization") or ""
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


_thread_loops = threading.local()


def _run_in_this_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on this worker thread's own event loop (one per thread)."""
    loop = getattr(_thread_loops, "loop", None)
    if loop is None:
        loop = _thread_loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)


def run_actions_in_threads() -> None:
    """Make rasa-sdk's executor run each action call in a worker thread (once per process).

    The request's context (:func:`procedures_catalog.cached.start_look`) goes with it.
    """
    from rasa_sdk.executor import ActionExecutor

    if getattr(ActionExecutor.run, "_in_threads", False):
        return
    original = ActionExecutor.run

    async def run(self: ActionExecutor, action_call: dict[str, Any]) -> dict[str, Any] | None:
        return await asyncio.to_thread(_run_in_this_thread, original(self, action_call))

    run._in_threads = True  # type: ignore[attr-defined]
    ActionExecutor.run = run  # type: ignore[method-assign]


def create_app(settings: ActionServerSettings) -> Sanic:
    """The rasa-sdk action app with the token and content-type checks in front."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    run_actions_in_threads()

    app = create_sdk_app("actions", cors_origins="", auto_reload=settings.auto_reload)

    @app.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        # One turn reads the catalogue once for changes (procedures_catalog/cached.py).
        start_look()
        if request.path in OPEN_PATHS:
            return None
        if not authorised(request, settings.token):
            return response.json({"error": "missing or wrong token"}, status=401)
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if request.method == "POST" and content_type != "application/json":
            return response.json({"error": "the body must be application/json"}, status=415)
        return None

    return app


def main() -> int:
    """Read the settings and serve until stopped."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        level=logging.INFO)
    try:
        settings = ActionServerSettings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings)
    log.info("Action server on http://%s:%d (token required)", settings.host, settings.port)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False,
            auto_reload=settings.auto_reload)
    return 0


if __name__ == "__main__":
    sys.exit(main())

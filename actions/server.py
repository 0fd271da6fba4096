"""Serve the actions: rasa-sdk's action app, on loopback, for Rasa only.

``python -m rasa_sdk`` binds 0.0.0.0 with no authentication and accepts any body a
browser can send cross-site (``text/plain`` included): anyone who reaches port 5055
could write fake turns and ratings. This serves the same app (``rasa_sdk.endpoint.
create_app``) with three differences:

* it binds ``ACTIONS_HOST`` (default 127.0.0.1);
* every route but ``/health`` needs ``Authorization: Bearer <ACTIONS_TOKEN>``, the
  header Rasa sends (``action_endpoint.headers`` in bot/endpoints.yml);
* ``POST /webhook`` takes ``application/json`` only, and no CORS headers are sent.

Usage:
    ACTIONS_TOKEN=... python -m actions.server   (scripts/serve-actions.sh)
"""

from __future__ import annotations

import hmac
import logging
import sys

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.settings import ActionServerSettings, SettingsError
from procedures_catalog.cached import start_look

log = logging.getLogger("actions.server")

OPEN_PATHS = frozenset({"/health"})


def authorised(request: Request, token: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>``."""
    sent = request.headers.get("Authorization") or ""
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


def create_app(settings: ActionServerSettings) -> Sanic:
    """The rasa-sdk action app with the token and content-type checks in front."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

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

"""Serve the web chat widget and its demo page (``make run`` starts it as ``web``).

Usage:
    python -m webchat.serve [--host 127.0.0.1] [--port 8080] [--server-url http://localhost:5005]

Options default to ``WEBCHAT_HOST``, ``WEBCHAT_PORT`` and ``RASA_PUBLIC_URL`` (see
:mod:`webchat.settings`). ``/`` is the demo page, whose script tag points the widget at
the server URL; the widget's files (``/tthc-chat.js``, ``/tthc-chat.css``, ``/vendor/``)
are served as they are, so a province can also load them from here.
"""

from __future__ import annotations

import argparse
import html
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from webchat.settings import DEFAULT_SERVER_URL, Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The demo page names the default server literally, so it also works opened as a file.
SERVER_ATTRIBUTE = f'data-server-url="{DEFAULT_SERVER_URL}"'


def render_demo(server_url: str) -> str:
    """The demo page with its widget pointed at ``server_url`` (HTML-escaped)."""
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    if SERVER_ATTRIBUTE not in page:
        raise RuntimeError(f"webchat/static/index.html lost its {SERVER_ATTRIBUTE} attribute")
    return page.replace(SERVER_ATTRIBUTE, f'data-server-url="{html.escape(server_url, quote=True)}"')


def create_app(server_url: str) -> Starlette:
    """The demo server: the page at ``/``, a health check, the widget's static files."""
    page = render_demo(server_url)

    async def demo(_: Request) -> HTMLResponse:
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[
        Route("/", demo),
        Route("/index.html", demo),
        Route("/health", health),
        Mount("/", StaticFiles(directory=STATIC_DIR)),
    ])


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    import uvicorn  # imported here: only serving needs it, not importing this module

    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description="Serve the web chat widget and its demo page.")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--server-url", default=settings.server_url,
                        help="Rasa's URL as the browser reaches it")
    args = parser.parse_args(argv)
    print(f"Web chat demo: http://{args.host}:{args.port}/ (Rasa at {args.server_url})", flush=True)
    # No WebSocket support: the page needs none, and the environment's websockets (pinned
    # by rasa-sdk) is too old for uvicorn's WebSocket implementations.
    uvicorn.run(create_app(args.server_url), host=args.host, port=args.port,
                ws="none", log_level="warning")


if __name__ == "__main__":
    main()

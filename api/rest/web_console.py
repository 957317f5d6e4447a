"""The web console (docs/console.md): its page at ``/`` and its files under
``/console/``, all served by the app itself so that it works with no internet access.
It holds no logic of its own on the server: it reads through ``/graphql`` and writes
through the REST commands, with the user's own bearer token."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).resolve().parents[1] / "web_console"


def install(app: FastAPI) -> None:
    """Serve the console: ``/`` is its page, ``/console/`` its scripts, styles and
    message catalogues. Neither is part of the API contract (left out of OpenAPI)."""

    @app.get("/", include_in_schema=False)
    def console_page() -> FileResponse:
        # Revalidated on every load: a new release's page must not be cached stale.
        return FileResponse(ASSETS / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/console", StaticFiles(directory=ASSETS), name="console")

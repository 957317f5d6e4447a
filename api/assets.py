"""The browser pages the app serves besides its APIs' answers (GraphiQL at /graphql,
Swagger UI at /docs) load their scripts and styles from the app itself, under
``/assets/vendor/``: on an intranet with no internet access a CDN URL is a blank page.

The files are the npm packages' own, pinned and re-fetched by scripts/vendor_assets.py
(docs/decisions/0013-vendored-browser-assets.md)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
VENDOR_PATH = "/assets/vendor"
# A file's URL names its package's version, so a new version is a new URL: browsers
# and proxies may keep each file for a year without asking again.
CACHE_CONTROL = "public, max-age=31536000, immutable"

SWAGGER_UI = f"{VENDOR_PATH}/swagger-ui-dist@5.35.0"
# strawberry's GraphiQL page names its files as unpkg serves them (package@version/path),
# with their SRI hashes; the vendored folder keeps those paths, so the same hashes
# check the local copies in the browser.
_UNPKG = re.compile(r'(?P<attr>\b(?:src|href)=")https://unpkg\.com/')


class VendorFiles(StaticFiles):
    """The vendored files, with a year-long cache lifetime."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                cache = (b"cache-control", CACHE_CONTROL.encode())
                message["headers"] = [*message.get("headers", []), cache]
            await send(message)

        await super().__call__(scope, receive, cached)


def local_graphiql(html: str, root_path: str = "") -> str:
    """strawberry's GraphiQL page with every unpkg URL turned into the vendored copy's."""
    return _UNPKG.sub(lambda m: f"{m['attr']}{root_path}{VENDOR_PATH}/", html)


def install(app: FastAPI) -> None:
    """Serve the vendored files, and Swagger UI at /docs loading only them. ReDoc
    (FastAPI's /redoc) is not served: see the decision record."""
    app.mount(VENDOR_PATH, VendorFiles(directory=VENDOR_DIR), name="vendor")
    oauth2_redirect = "/docs/oauth2-redirect"

    async def swagger_ui(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root_path + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root_path}{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{root_path}{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{root_path}{SWAGGER_UI}/favicon-32x32.png",
            oauth2_redirect_url=root_path + oauth2_redirect,
            # Swagger UI's default sends the spec's URL to swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def swagger_ui_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route(oauth2_redirect, swagger_ui_redirect, include_in_schema=False)

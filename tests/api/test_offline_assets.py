"""GraphiQL (/graphql) and Swagger UI (/docs) load every script and style from the app:
no CDN URL in the pages, each local asset served, and the vendored files exactly those
scripts/vendor_assets.py pins."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from api.assets import CACHE_CONTROL, VENDOR_DIR
from tests.api.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"/graphql": {"Accept": "text/html"}, "/docs": {}}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class Assets(HTMLParser):
    """The URLs a page loads: each script's src and each stylesheet's or icon's href,
    with the SRI hash the page gives it."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if url:
            self.loaded.append((url, found.get("integrity")))


def assets_of(api: Api, page: str) -> list[tuple[str, str | None]]:
    response = api.client.get(page, headers=PAGES[page])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = Assets()
    parser.feed(response.text)
    # Inline icons (data: URLs) load nothing.
    return [(url, sri) for url, sri in parser.loaded if not url.startswith("data:")]


def pins() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "vendor_assets", ROOT / "scripts/vendor_assets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_browser_page_loads_its_scripts_and_styles_only_from_the_app(api: Api, page: str) -> None:
    loaded = assets_of(api, page)
    kinds = {Path(url).suffix for url, _ in loaded}
    assert {".js", ".css"} <= kinds, loaded
    for url, _ in loaded:
        assert url.startswith("/assets/vendor/"), f"{page} loads {url} from elsewhere"
        response = api.client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(CONTENT_TYPES[Path(url).suffix]), url
        assert response.headers["cache-control"] == CACHE_CONTROL


def test_graphiql_page_hashes_match_the_vendored_files(api: Api) -> None:
    # strawberry's page pins each file by its SRI hash: the browser refuses a copy that
    # differs from what strawberry was released with, so the test does too.
    hashed = [(url, sri) for url, sri in assets_of(api, "/graphql") if sri]
    assert len(hashed) == 7, hashed
    for url, sri in hashed:
        assert sri is not None and sri.startswith("sha384-")
        body = api.client.get(url).content
        assert base64.b64encode(hashlib.sha384(body).digest()).decode() == sri[7:], url


def test_swagger_ui_sends_nothing_to_an_online_validator(api: Api) -> None:
    page = api.client.get("/docs").text
    assert '"validatorUrl": null' in page
    assert api.client.get("/docs/oauth2-redirect").status_code == 200


def test_redoc_is_not_served(api: Api) -> None:
    assert api.client.get("/redoc").status_code == 404


def test_vendored_files_are_exactly_the_pinned_packages_files() -> None:
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    pinned = {
        f"{package}@{version}": (licence, set(files))
        for package, version, licence, files in pins().PINS
    }
    assert {k: (v["license"], set(v["files"])) for k, v in manifest.items()} == pinned
    expected = {"manifest.json", "LICENSES.md"}
    for folder, entry in manifest.items():
        for name, digest in entry["files"].items():
            path = VENDOR_DIR / folder / name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, (
                f"{path} differs from {folder}: run scripts/vendor_assets.py"
            )
            expected.add(f"{folder}/{name}")
    on_disk = {p.relative_to(VENDOR_DIR).as_posix() for p in VENDOR_DIR.rglob("*") if p.is_file()}
    assert on_disk == expected


def test_a_browser_revalidating_a_vendored_file_gets_no_body_and_the_same_lifetime(
    api: Api,
) -> None:
    url = "/assets/vendor/graphiql@3.8.3/graphiql.min.js"
    first = api.client.get(url)
    again = api.client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == CACHE_CONTROL

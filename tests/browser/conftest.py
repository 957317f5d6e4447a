"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright
(no browser download), and pages that can reach nothing but the server under test.

Without chromium the tests skip, saying why; with GONGJIAN_REQUIRE_BROWSER=1 (CI) they
fail instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.integration.servers import running_server, script

CHROMIUM = os.environ.get("GONGJIAN_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("GONGJIAN_REQUIRE_BROWSER") == "1"
# Nothing a test does may depend on, or reach, the outside: no updates, no sync.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# An office PC's screen (issue 10).
OFFICE_SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the test process."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
        if REQUIRE_BROWSER:
            pytest.fail(f"GONGJIAN_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class OfflinePage:
    """A browser page whose requests to any host but the server's are aborted (and
    remembered, so a test can say the page never tried)."""

    page: Page
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[OfflinePage]:
    context = browser.new_context(viewport=OFFICE_SCREEN)  # type: ignore[arg-type]
    offline = OfflinePage(context.new_page())

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or not url.startswith(("http:", "https:")):
            route.continue_()
        else:
            offline.blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_local)
    yield offline
    context.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `gongjian serve` on an empty SQLite store that accepts development tokens
    (``Bearer dev:<subject>:<role>:<tenants>``); yields its URL."""
    folder = tmp_path_factory.mktemp("browser-server")
    env = {
        **os.environ,
        "GONGJIAN_DATABASE_URL": f"sqlite:///{folder / 'browser.db'}",
        "GONGJIAN_DEV_TOKENS": "1",
    }
    subprocess.run([script("gongjian"), "migrate"], env=env, check=True, capture_output=True)
    with running_server([], env, folder / "server.log") as (url, _):
        yield url

"""Browser tests: Debian's chromium driven by Playwright (no browser download), against
a real `gongjian serve --demo` for the console (one per test module, each on its own
copy of the demo the run loads once) or a real empty server for the offline GraphiQL and
/docs pages. Every request that leaves localhost is refused, so a page that needs the
internet fails here as it would on an intranet."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, ViewportSize, expect, sync_playwright

from tests.integration.servers import DemoStore, running_server, script

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
REQUIRE_BROWSER = "GONGJIAN_REQUIRE_BROWSER"
# Headless, and nothing of its own on the network (updates, sync, first-run pages).
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
OFFICE: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Tests' own calls to the API wait this long: a shared machine running the suite in
# two processes beside a browser can take more than httpx's 5 s default to answer.
API_TIMEOUT = 60.0
# Playwright's assertions retry until this long has passed (not a timed assertion: a
# passing page passes at once). Its 5 s default fails pages that are merely slow there.
expect.set_options(timeout=20_000)


def chromium_path() -> str:
    """Debian's chromium; skip (or, where GONGJIAN_REQUIRE_BROWSER=1, fail) without it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "no chromium on PATH: apt-get install chromium (CI's .ci/run does)"
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{REQUIRE_BROWSER}=1 but {reason}")
        pytest.skip(reason)
    return found


@dataclass
class DemoServer:
    """A running demo server: its URL, the tokens it printed by role, its settings."""

    url: str
    tokens: dict[str, str]
    env: dict[str, str]

    def token(self, role: str, tenant: str, user: str, *extra: str) -> str:
        """Issue another token with the command line, as an operator would."""
        issued = subprocess.run(
            [script("gongjian"), "token", "create", "--role", role, "--tenant", tenant,
             "--user", user, "--expires-days", "1", *extra],
            env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return issued.stdout.strip().splitlines()[-1]

    def graphql(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        """A GraphQL answer's data, asked with ``token`` as an integrator would (an
        answer with errors fails the test)."""
        answer = httpx.post(f"{self.url}/graphql", headers={"Authorization": f"Bearer {token}"},
                            json={"query": query, "variables": variables}, timeout=API_TIMEOUT)  # fmt: skip
        body = answer.json()
        assert answer.status_code == 200 and not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    def post(self, token: str, path: str, body: dict[str, Any]) -> Any:
        """Send a REST command (``path`` under the server) as an integrator would; its
        answer (a refused command fails the test)."""
        answer = httpx.post(f"{self.url}/{path.lstrip('/')}", json=body, timeout=API_TIMEOUT,
                            headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code in (200, 201), answer.text
        return answer.json()


@pytest.fixture(scope="module")
def demo_server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[DemoServer]:
    """A server on this module's own copy of the run's demo store: what one module's
    tests change, no other module sees."""
    chromium_path()  # skip before the half minute the demo takes to load
    store: DemoStore = request.getfixturevalue("demo_store")
    folder = tmp_path_factory.mktemp("console")
    env = store.copy_to(folder / "store")
    with running_server(["--demo"], env, folder / "server.log") as (url, _):
        yield DemoServer(url, store.tokens, env)


# Per module, like the server: Playwright's event loop does not outlive the module
# into the other test files that share this process.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def _local_only(route: Route) -> None:
    """Let requests to this machine through; refuse every other one."""
    host = urlsplit(route.request.url).hostname
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no stored token or language) at office-screen size."""
    context = browser.new_context(viewport=OFFICE, locale="zh-CN")
    context.route("**/*", _local_only)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh browser context the size of a phone, with touch."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.route("**/*", _local_only)
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Keep a picture of the page under test-output/screenshots/ (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def submit(page: Page, command: str, fields: dict[str, Any]) -> Locator:
    """Fill the form of ``command`` (labels → values; a bool ticks a box) and submit it."""
    form = page.locator(f"form[data-command='{command}']")
    for name, value in fields.items():
        control = form.get_by_label(name, exact=True)
        if isinstance(value, bool):
            control.set_checked(value)
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button").click()
    return form


def sign_out(page: Page) -> None:
    """Sign out with the header's button; the sign-in page shows."""
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("访问令牌")).to_be_visible()


def sign_in(page: Page, url: str, token: str, fragment: str = "") -> None:
    """Open the console and sign in by pasting ``token``, as a user does."""
    page.goto(f"{url}/{fragment}")
    page.get_by_label("访问令牌").fill(token)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


@dataclass
class OfflinePage:
    """A browser page whose requests to any host but the server's are aborted (and
    remembered, so a test can say the page never tried)."""

    page: Page
    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[OfflinePage]:
    """An office-screen page that records every request it was refused."""
    context = browser.new_context(viewport=OFFICE)
    offline = OfflinePage(context.new_page())

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in ("127.0.0.1", "localhost") or not url.startswith(
            ("http:", "https:")
        ):
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

"""The web console's files: served by the app at / and /console/ (no CDN), left out of
the API contract; its two message catalogues agree, every label it names exists,
and no component holds Chinese text of its own (every label goes through the
catalogue)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.rest.web_console import ASSETS
from tests.api.conftest import Api

CATALOGUES = ASSETS / "messages"
COMPONENTS = sorted(ASSETS.rglob("*.js"))
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# A string literal that names a catalogue key ("tree.title", 'form.unit').
KEY = re.compile(
    r"""["']((?:app|nav|language|login|common|tree|meetings|meeting|attendance|leave|position|action|form|signIn|problem|asOf|audit)\.[\w.-]+)["']"""
)


def catalogue(language: str) -> dict[str, str]:
    loaded: dict[str, str] = json.loads((CATALOGUES / f"{language}.json").read_text("utf-8"))
    return loaded


def test_both_catalogues_name_the_same_labels() -> None:
    chinese, english = catalogue("zh-CN"), catalogue("en")
    assert sorted(chinese) == sorted(english)
    assert all(isinstance(v, str) and v.strip() for v in [*chinese.values(), *english.values()])
    # Each message's placeholders are the same in both languages.
    for key, text in chinese.items():
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english[key])), key


def test_no_component_holds_chinese_text() -> None:
    assert COMPONENTS, "the console's scripts are where the test looks"
    for path in COMPONENTS:
        found = CJK.findall(path.read_text("utf-8"))
        assert not found, (
            f"{path.relative_to(ASSETS)} hard-codes {''.join(found)}: use the catalogue"
        )


def test_every_label_a_component_names_is_in_the_catalogue() -> None:
    named = {key for path in COMPONENTS for key in KEY.findall(path.read_text("utf-8"))}
    assert "tree.title" in named
    assert named - set(catalogue("zh-CN")) == set()


def test_the_console_is_served_at_the_root_with_local_assets_only(api: Api) -> None:
    client: TestClient = api.client
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert referenced and all(ref.startswith("/console/") for ref in referenced)
    for ref in referenced:
        assert client.get(ref).status_code == 200, ref
    for path in COMPONENTS:
        text = path.read_text("utf-8")
        assert "http://" not in text and "https://" not in text, f"{path.name} reaches outside"
        # Every module a component imports is one of the console's own files.
        for imported in re.findall(r'from "([^"]+)"', text):
            assert (path.parent / imported).resolve().is_file(), (path.name, imported)
    messages = client.get("/console/messages/zh-CN.json")
    assert messages.status_code == 200 and messages.json()["app.title"]
    # An unknown file under /console/ is a 404, and the API contract is unchanged.
    assert client.get("/console/missing.js").status_code == 404
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_the_packaged_files_include_the_console() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"web_console/*", "web_console/*/*"' in pyproject
    assert {p.parent.name for p in ASSETS.rglob("*") if p.is_file()} <= {
        "web_console",
        "pages",
        "messages",
    }

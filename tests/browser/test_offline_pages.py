"""GraphiQL and Swagger UI work in a browser that can reach nothing but the app: the
page renders, GraphiQL runs a query with the token pasted into its headers editor and
shows the schema, Swagger UI lists the operations."""

from __future__ import annotations

import json
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser.conftest import OfflinePage

TOKEN = {"Authorization": "Bearer dev:operator:platform_admin:-"}


def test_graphiql_runs_a_query_with_a_pasted_token_and_no_internet(
    offline_page: OfflinePage, served: str
) -> None:
    page = offline_page.page
    page.goto(f"{served}/graphql?q={quote('{ __typename }')}")
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
    # What a user does: open the headers editor and paste the token into it.
    page.get_by_role("button", name="Headers").click()
    headers = page.locator(".graphiql-editor-tool .CodeMirror").last
    headers.click()
    page.keyboard.insert_text(json.dumps(TOKEN))
    # Without the token the server answers 401; with it, the result.
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    expect(page.locator(".result-window")).to_contain_text('"__typename": "Query"')
    # The schema, fetched again with the token, fills the documentation explorer.
    page.get_by_role("button", name="Re-fetch GraphQL schema").click()
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query")
    page.get_by_role("link", name="Query").first.click()
    expect(page.locator(".graphiql-doc-explorer")).to_contain_text("tenant")
    assert offline_page.blocked == []


def test_swagger_ui_lists_the_operations_with_no_internet(
    offline_page: OfflinePage, served: str
) -> None:
    page = offline_page.page
    page.goto(f"{served}/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/healthz")).to_be_visible()
    assert page.locator(".opblock").count() > 50
    assert offline_page.blocked == []

"""GraphQL limits checked before anything runs: cost, aliases, positions to wait for
or read at."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, Street, manager_token

PAGE = """meetings(first: $n) { nodes { title statusLabel
  agenda { title outcomeLabel tally { present agree object abstain } resolution { action } }
  attendance { unit { name } status attendee } history { position type data } } }"""


def _post(api: Api, query: str, **variables: Any) -> tuple[int, dict[str, Any]]:
    headers = manager_token(api.tenant, api.streets)
    body = {"query": query, "variables": {"t": api.tenant, **variables}}
    response = api.client.post("/graphql", json=body, headers=headers)
    result: dict[str, Any] = response.json()
    return response.status_code, result


def _code(result: dict[str, Any]) -> str:
    return str(result["errors"][0]["extensions"]["code"])


def test_a_query_over_the_cost_limit_is_refused_before_it_runs(street: Street) -> None:
    api = street.api
    one = f"query($t: ID!, $n: Int!) {{ tenant(id: $t) {{ {PAGE} }} }}"
    status, result = _post(api, one, n=20)
    assert status == 200 and "errors" not in result, result
    # The same page eight times over, under aliases: over the limit, nothing read.
    eight = (
        "query($t: ID!, $n: Int!) { "
        + " ".join(f"t{i}: tenant(id: $t) {{ {PAGE} }}" for i in range(8))
        + " }"
    )
    status, result = _post(api, eight, n=20)
    assert status == 400 and result["data"] is None and _code(result) == "QUERY_TOO_COSTLY"
    extensions = result["errors"][0]["extensions"]
    assert extensions["cost"] > extensions["limit"] == 20_000
    # Page sizes count, whether literal or given as variables; so do fragments.
    assert _post(api, eight, n=2)[0] == 200
    fragment = "fragment Page on Tenant { " + PAGE.replace("$n", "100") + " }"
    twice = "a: tenant(id: $t) { ...Page } b: tenant(id: $t) { ...Page }"
    spread = f"query($t: ID!) {{ {twice} }} {fragment}"
    status, result = _post(api, spread)
    assert status == 400 and _code(result) == "QUERY_TOO_COSTLY"


def test_too_many_aliases_are_refused(street: Street) -> None:
    api = street.api
    many = (
        "query($t: ID!) { tenant(id: $t) { "
        + " ".join(f"h{i}: headPosition" for i in range(31))
        + " } }"
    )
    status, result = _post(api, many)
    assert status == 400 and result["data"] is None
    assert "alias" in result["errors"][0]["message"].lower()
    assert _post(api, many.replace("h30: headPosition", ""))[0] == 200


def test_positions_outside_the_log_are_bad_input(street: Street) -> None:
    api = street.api
    head = api.head()
    for argument in (f"atPosition: {head + 1}", "atPosition: -1", f"waitForPosition: {head + 1}",
                     "waitForPosition: -1"):  # fmt: skip
        status, result = _post(api, f"query($t: ID!) {{ tenant(id: $t, {argument}) {{ id }} }}")
        # A field error: the answer is 200 with the error coded, and no tenant.
        assert result["data"] == {"tenant": None}, (argument, result)
        assert _code(result) == "BAD_USER_INPUT", (argument, result)
    status, result = _post(
        api,
        f"query($t: ID!) {{ tenant(id: $t, atPosition: {head}, waitForPosition: {head}) {{ asOfPosition }} }}",
    )
    assert status == 200 and result["data"]["tenant"]["asOfPosition"] == head

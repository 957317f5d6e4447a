"""Bad input gets a precise 4xx with a machine-readable type, and the log is untouched."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.api.conftest import READER, Api, Street, manager_token

PROBLEM = "urn:gongjian:problem:"


def _problem(response: dict[str, object], code: str) -> None:
    assert response["type"] == PROBLEM + code, response
    assert response["code"] == code


def test_commands_need_a_token_and_read_only_roles_cannot_command(street: Street) -> None:
    api = street.api
    head = api.head()
    response = api.client.post(
        f"/tenants/{api.tenant}/units", json={"name": "x", "kind": "enterprise"}
    )
    assert response.status_code == 401
    _problem(response.json(), "unauthenticated")
    auditor = {"Authorization": f"Bearer dev:audit-1:auditor:{api.tenant}"}
    response = api.client.post(
        f"/tenants/{api.tenant}/units", json={"name": "x", "kind": "enterprise"}, headers=auditor
    )
    assert response.status_code == 403
    _problem(response.json(), "forbidden")
    assert api.head() == head


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "医院"}, "kind"),
        ({"name": "医院", "kind": "hospital"}, "kind"),
        ({"name": 42, "kind": "enterprise"}, "name"),
        ({"name": "医院", "kind": "enterprise", "surprise": 1}, "surprise"),
    ],
)
def test_wrong_types_missing_and_unknown_fields_are_422(
    street: Street, body: dict[str, object], field: str
) -> None:
    api = street.api
    head = api.head()
    response = api.t("/units", body, 422)
    _problem(response, "validation-error")
    assert any(field in error["loc"] for error in response["errors"])
    assert api.head() == head


def test_unknown_ids_are_404_and_malformed_ids_422(street: Street) -> None:
    api = street.api
    head = api.head()
    _problem(api.t(f"/meetings/{uuid4()}/open", {}, 404), "not-found")
    _problem(api.t(f"/resolutions/{uuid4()}/verification", {}, 404), "not-found")
    _problem(api.t("/meetings/not-a-uuid/open", {}, 422), "validation-error")
    _problem(
        api.post("/tenants/nobody-here/units", {"name": "x", "kind": "enterprise"}, 404),
        "not-found",
    )
    # A unit id used as a meeting id is not a meeting.
    _problem(api.t(f"/meetings/{street.units[0]}/open", {}, 404), "not-found")
    assert api.head() == head


def test_another_tenants_ids_are_not_found_here(street: Street) -> None:
    api = street.api
    other = f"{api.tenant}-x"
    api.post("/tenants", {"tenant_id": other, "kind": "street", "name": "别的街道"}, 201)
    _problem(api.post(f"/tenants/{other}/meetings/{street.meeting}/open", {}, 404), "not-found")
    _problem(
        api.post(f"/tenants/{other}/units/{street.units[0]}/leave", {"reason": "x"}, 404),
        "not-found",
    )
    meeting = api.gql(
        "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { id } } }",
        t=other,
        m=street.meeting,
    )["data"]["tenant"]["meeting"]
    assert meeting is None


def test_rule_violations_are_409_with_their_own_type(street: Street) -> None:
    api, m = street.api, street.meeting
    head = api.head()
    _problem(api.t(f"/meetings/{m}/open", {}, 409), "quorum-not-met")
    _problem(api.t(f"/meetings/{m}/agenda-items", {"title": "迟到议题"}, 409), "agenda-closed")
    _problem(
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": "stranger", "attendee": "某人"}, 409),
        "unit-not-notified",
    )
    _problem(api.t(f"/meetings/{m}/cancel", {}, 422), "reason-required")
    _problem(
        api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "again"}, 409),
        "tenant-already-registered",
    )
    assert api.head() == head


def test_a_short_notice_is_refused_unless_extraordinary_with_a_reason(api: Api) -> None:
    api.post("/tenants", {"tenant_id": api.tenant, "kind": "street", "name": "街道"}, 201)
    api.t("/units", {"name": "单位", "kind": "enterprise"}, 201)
    m = api.t(
        "/meetings",
        {
            "kind": "thematic",
            "title": "防汛",
            "location": "指挥部",
            "scheduled_for": "2025-07-01T09:00:00+08:00",
        },
        201,
    )["record_id"]
    api.t(f"/meetings/{m}/agenda-items", {"title": "防汛部署"}, 201)
    late = {"issued_at": "2025-06-30T20:00:00+08:00"}
    _problem(api.t(f"/meetings/{m}/notice", late, 409), "notice-period-not-met")
    _problem(
        api.t(f"/meetings/{m}/notice", {**late, "extraordinary": True}, 422), "reason-required"
    )
    api.t(f"/meetings/{m}/notice", {**late, "extraordinary": True, "reason": "台风预警"})


def test_expected_version_conflicts_are_409(street: Street) -> None:
    api, m = street.api, street.meeting
    head = api.head()
    _problem(
        api.t(
            f"/meetings/{m}/sign-ins",
            {"unit_id": street.units[0], "attendee": "张", "expected_version": 1},
            409,
        ),
        "version-conflict",
    )
    assert api.head() == head
    version = api.gql(
        "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { version } } }",
        t=api.tenant,
        m=m,
    )["data"]["tenant"]["meeting"]["version"]
    api.t(
        f"/meetings/{m}/sign-ins",
        {"unit_id": street.units[0], "attendee": "张", "expected_version": version},
    )


def test_an_idempotency_key_makes_a_retry_return_the_first_result(street: Street) -> None:
    api = street.api
    key = {"Idempotency-Key": "join-42"}
    first = api.t("/units", {"name": "区图书馆", "kind": "public_institution"}, 201, headers=key)
    head = api.head()
    again = api.t("/units", {"name": "区图书馆", "kind": "public_institution"}, 201, headers=key)
    assert again == first
    assert api.head() == head
    _problem(
        api.t("/units", {"name": "别的", "kind": "enterprise"}, 422, headers=key),
        "idempotency-key-reused",
    )
    assert api.head() == head


def test_oversized_payloads_are_413(street: Street) -> None:
    api = street.api
    head = api.head()
    response = api.client.post(
        f"/tenants/{api.tenant}/units",
        content=b"{" + b" " * 300_000 + b"}",
        headers={**manager_token(api.tenant, api.streets), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    _problem(response.json(), "payload-too-large")
    _problem(api.t("/units", {"name": "长" * 500, "kind": "enterprise"}, 422), "validation-error")
    assert api.head() == head


def test_malformed_graphql_is_400_with_a_code(api: Api) -> None:
    for query in ("{ tenant(id: ", "{ nonsense }", "{ tenants { nodes { name nope } } }"):
        errors = api.gql(query, status=400)["errors"]
        assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_health_and_documentation_are_served(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "parked_tenants": 0}
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/tenants/{tenant_id}/meetings/{meeting_id}/sign-ins" in paths
    assert api.client.get("/docs").status_code == 200
    assert "graphiql" in api.client.get("/graphql", headers={"Accept": "text/html"}).text.lower()


def test_every_domain_error_code_is_documented() -> None:
    import inspect
    from pathlib import Path

    from domain import errors

    documented = (Path(__file__).parents[2] / "docs" / "errors.md").read_text()
    codes = [
        c.code
        for c in vars(errors).values()
        if inspect.isclass(c) and issubclass(c, errors.DomainError)
    ]
    assert [code for code in codes if f"`{code}`" not in documented] == []


def test_an_internal_graphql_failure_is_masked_and_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from projections import queries

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret connection string in here")

    monkeypatch.setattr(queries, "page", broken)
    query = {"query": "{ tenants { nodes { id } } }"}
    response = api.client.post("/graphql", json=query, headers=READER)
    assert response.status_code == 500
    error = response.json()["errors"][0]
    assert error["message"] == "internal error" and error["extensions"]["code"] == "INTERNAL"
    assert "secret" not in response.text


def test_the_published_openapi_file_matches_the_served_contract(api: Api) -> None:
    import json
    from pathlib import Path

    published = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    assert published == api.client.get("/openapi.json").json(), (
        "regenerate with scripts/gen_docs.py"
    )

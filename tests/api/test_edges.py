"""Input the read side could not apply is refused at the edge; tokens are real."""

from __future__ import annotations

from typing import Any

import pytest

from api.cli import main
from tests.api.conftest import READER, Api, Street

BAD_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("a time past 9999 after a zone shift", {"scheduled_for": "9999-12-31T23:59:59-12:00"}),
    ("a time before 1900", {"scheduled_for": "1899-12-31T23:00:00+08:00"}),
    ("a time without offset", {"scheduled_for": "2025-09-01T09:00:00"}),
    ("an epoch number as a time", {"scheduled_for": 1756688400}),
    ("a NUL in text", {"title": "例会\x00"}),
    ("only zero-width characters", {"title": "\u200b\u200b"}),
    ("only control characters", {"title": "\x07\x08"}),
    ("only blanks", {"title": "   "}),
    ("a line break in a one-line name", {"location": "会议\n室"}),
]


@pytest.mark.parametrize(("what", "change"), BAD_BODIES, ids=[w for w, _ in BAD_BODIES])
def test_input_the_read_side_cannot_apply_is_422_and_appends_nothing(
    street: Street, what: str, change: dict[str, Any]
) -> None:
    api = street.api
    head = api.head()
    body = {"kind": "regular", "title": "例会", "scheduled_for": "2025-10-01T09:00:00+08:00",
            "location": "会议室", **change}  # fmt: skip
    assert api.t("/meetings", body, 422)["code"] == "validation-error", what
    assert api.head() == head


@pytest.mark.parametrize("version", [True, "1", 1.0, 0])
def test_expected_version_must_be_a_positive_integer(street: Street, version: Any) -> None:
    api = street.api
    body = {"expected_version": version, "scheduled_for": "2025-10-02T09:00:00+08:00",
            "reason": "场地冲突"}  # fmt: skip
    api.t(f"/meetings/{street.meeting}/postpone", body, 422)


def test_text_is_stored_nfc_normalised(street: Street) -> None:
    api = street.api
    decomposed = "Cafe\u0301 议题"
    created = api.t("/meetings", {"kind": "regular", "title": decomposed, "location": "室",
                                  "scheduled_for": "2025-10-01T09:00:00+08:00"}, 201)  # fmt: skip
    query = "query($t: ID!, $m: ID!) { tenant(id: $t) { meeting(id: $m) { title } } }"
    meeting = api.gql(query, t=api.tenant, m=created["record_id"])["data"]["tenant"]["meeting"]
    assert meeting["title"] == "Caf\u00e9 议题"


def test_an_unregistered_tenant_answers_404(api: Api) -> None:
    api.t("/units", {"name": "单位", "kind": "enterprise"}, 404)


def test_graphql_needs_a_valid_token(api: Api) -> None:
    query = {"query": "{ tenants { nodes { id } } }"}
    for headers in ({}, {"Authorization": "Bearer nonsense"},
                    {"Authorization": "Bearer gj_" + "0" * 32 + "_" + "A" * 43}):  # fmt: skip
        response = api.client.post("/graphql", json=query, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] == "unauthenticated"
    assert api.client.post("/graphql", json=query, headers=READER).status_code == 200


def test_idempotency_keys_belong_to_their_principal(street: Street) -> None:
    api = street.api
    head = api.head()
    body = {"name": "新单位", "kind": "enterprise"}
    first = api.t("/units", body, 201, headers={"Idempotency-Key": "k-1"})
    again = api.t("/units", body, 201, headers={"Idempotency-Key": "k-1"})
    assert again == first and api.head() == head + 1
    other = {"Authorization": f"Bearer dev:someone-else:street_admin:{api.tenant}",
             "Idempotency-Key": "k-1"}  # fmt: skip
    theirs = api.client.post(f"/tenants/{api.tenant}/units", json=body, headers=other).json()
    assert theirs["record_id"] != first["record_id"] and api.head() == head + 2


def test_a_token_from_the_command_line_works_until_revoked(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.platform import Platform

    monkeypatch.setenv("GONGJIAN_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.delenv("GONGJIAN_DEV_TOKENS", raising=False)
    assert main(["migrate"]) == 0
    assert main(["token", "create", "--role", "platform_admin", "--user", "ops"]) == 0
    admin = capsys.readouterr().out.strip().splitlines()[-1]
    platform = Platform.from_url()
    client = TestClient(create_app(platform))
    auth = {"Authorization": f"Bearer {admin}"}
    street = {"tenant_id": "cli-street", "kind": "street", "name": "街道"}
    assert client.post("/tenants", json=street, headers=auth).status_code == 201
    issued = client.post("/tenants/cli-street/tokens", headers=auth,
                         json={"role": "street_admin", "user_id": "zhou"})  # fmt: skip
    assert issued.status_code == 201, issued.text
    zhou = {"Authorization": f"Bearer {issued.json()['token']}"}
    unit = {"name": "单位", "kind": "enterprise"}
    assert client.post("/tenants/cli-street/units", json=unit, headers=zhou).status_code == 201
    assert (
        client.post("/tenants", json={**street, "tenant_id": "cli-2"}, headers=zhou).status_code
        == 403
    )
    revoked = client.post(f"/tenants/cli-street/tokens/{issued.json()['token_id']}/revocation",
                          json={}, headers=auth)  # fmt: skip
    assert revoked.status_code == 200, revoked.text
    # The edge remembers zhou's token as it was before the revocation; the command
    # confirms it against the platform log before anything runs.
    assert platform.authenticator.remembered(zhou["Authorization"]) is not None
    head = platform.ledger("cli-street").head_position()
    assert client.post("/tenants/cli-street/units", json=unit, headers=zhou).status_code == 401
    assert platform.ledger("cli-street").head_position() == head
    dev = {"Authorization": "Bearer dev:x:platform_admin:-"}
    assert (
        client.post(
            "/graphql", json={"query": "{ tenants { nodes { id } } }"}, headers=dev
        ).status_code
        == 401
    )
    assert main(["verify", "--tenant", "no-such-tenant"]) == 1

"""Webhooks over HTTP: precise refusals, who manages and reads them, the secret shown
once, and the live subscription on a tenant's events over a websocket."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from api.graphql.schema import schema
from api.webhooks.dispatcher import DeliveryPolicy, Dispatcher
from tenants import webhook_targets
from tests.api.conftest import Api, Community

HOOK = "https://hooks.gongjian.invalid/gongjian"
WS = ["graphql-transport-ws"]
WEBHOOKS = (
    "query($t: ID!) { tenant(id: $t) { webhooks { nodes { id url eventTypes status "
    "deliveries(first: 10) { totalCount nodes { id position eventType status attempts "
    "lastStatusCode lastError } } } } } }"
)


def _bearer(user: str, role: str, tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer dev:{user}:{role}:{tenant}"}


def _post(api: Api, path: str, body: dict[str, Any], who: dict[str, str]) -> Any:
    return api.client.post(f"/tenants/{api.tenant}{path}", json=body, headers=who)


def _read(api: Api, who: dict[str, str], tenant: str | None = None) -> Any:
    body = {"query": WEBHOOKS, "variables": {"t": tenant or api.tenant}}
    answer = api.client.post("/graphql", json=body, headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["tenant"]


BAD = [
    ({"url": "ftp://hooks.gongjian.invalid/x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "hooks.gongjian.invalid/x", "event_types": ["*"]}, "invalid-webhook-url"),
    (
        {"url": "https://user:pw@hooks.gongjian.invalid/", "event_types": ["*"]},
        "invalid-webhook-url",
    ),
    ({"url": "https://hooks.gongjian.invalid/#x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "https://127.0.0.1:8080/", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "http://[::1]/x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "http://localhost/x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "http://10.1.2.3/x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "http://[::ffff:127.0.0.1]/x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "http://169.254.169.254/latest", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "http://[::1/x", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": "https://hooks.gongjian.invalid:99999/", "event_types": ["*"]}, "invalid-webhook-url"),
    ({"url": HOOK, "event_types": ["Meeting.Exploded"]}, "unknown-event-type"),
    ({"url": HOOK, "event_types": ["Webhook.Registered"]}, "unknown-event-type"),
    ({"url": HOOK, "event_types": ["AccessToken"]}, "unknown-event-type"),
    ({"url": HOOK, "event_types": []}, "validation-error"),
    ({"url": HOOK, "event_types": ["Meeting.Signed In"]}, "validation-error"),
    ({"url": HOOK + "\u0000", "event_types": ["*"]}, "validation-error"),
    ({"url": HOOK + "\u200b", "event_types": ["*"]}, "validation-error"),
    ({"url": HOOK + "\nX-Injected: 1", "event_types": ["*"]}, "validation-error"),
    (
        {"url": "https://" + "a" * 2000 + ".example.com/", "event_types": ["*"]},
        "validation-error",
    ),
    ({"url": HOOK, "event_types": ["*"], "secret": "mine"}, "validation-error"),
]


def test_a_bad_webhook_is_refused_with_a_precise_problem_and_appends_nothing(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(webhook_targets.PRIVATE_TARGETS_SETTING, raising=False)
    api = community.api
    before = api.head()
    for body, code in BAD:
        answer = api.t("/webhooks", body, 422)
        assert (answer["code"], answer["type"]) == (code, f"urn:gongjian:problem:{code}"), body
    hook = api.t("/webhooks", {"url": HOOK, "event_types": ["Meeting"]}, 201)["record_id"]
    for body, code in BAD:
        changed = {k: v for k, v in body.items() if k != "secret"}
        if "secret" not in body:
            answer = api.t(f"/webhooks/{hook}", changed, 422)
            assert answer["code"] == code, body
    assert api.t(f"/webhooks/{hook}", {}, 422)["code"] == "invalid-value"
    assert api.head() == before + 1


def test_another_tenants_webhook_is_unknown_here(community: Community) -> None:
    api = community.api
    hook = api.t("/webhooks", {"url": HOOK, "event_types": ["*"]}, 201)["record_id"]
    api.post("/tenants", {"tenant_id": f"{api.tenant}-x", "kind": "community",
                          "parent_id": community.street, "name": "另一社区"}, 201)  # fmt: skip
    before = api.head()
    other = api.post(f"/tenants/{api.tenant}-x/webhooks/{hook}/pause", {}, 404)
    assert other["code"] == "not-found"
    assert api.head() == before


def test_an_integrator_manages_only_its_own_webhooks_of_its_own_tenant(
    community: Community,
) -> None:
    api = community.api
    mine = _bearer("vendor-a", "integrator", api.tenant)
    theirs = _bearer("vendor-b", "integrator", api.tenant)
    elsewhere = _bearer("vendor-a", "integrator", community.street)
    registered = _post(api, "/webhooks", {"url": HOOK, "event_types": ["Meeting"]}, mine)
    assert registered.status_code == 201, registered.text
    hook = registered.json()["record_id"]
    before = api.head()
    assert _post(api, f"/webhooks/{hook}/pause", {}, theirs).status_code == 403
    assert _post(api, f"/webhooks/{hook}/pause", {}, elsewhere).status_code == 403
    outside = _bearer("vendor-c", "integrator", "no-such-street")
    assert _post(api, "/webhooks", {"url": HOOK, "event_types": ["*"]}, outside).status_code == 404
    assert api.head() == before
    assert _post(api, f"/webhooks/{hook}/pause", {}, mine).status_code == 200
    # The tenant's secretary manages every webhook of the tenant.
    api.t(f"/webhooks/{hook}/resume", {})
    api.t(f"/webhooks/{hook}/removal", {"reason": "对接结束"})
    assert api.t(f"/webhooks/{hook}/resume", {}, 409)["code"] == "webhook-removed"


def test_webhooks_and_their_deliveries_are_read_only_by_who_manages_them(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(webhook_targets.PRIVATE_TARGETS_SETTING, "1")
    api = community.api
    vendor = _bearer("vendor-a", "integrator", api.tenant)
    body = {"url": "http://127.0.0.1:9/closed", "event_types": ["MemberUnit"]}
    own = _post(api, "/webhooks", body, vendor).json()["record_id"]
    staff = api.t("/webhooks", {"url": HOOK, "event_types": ["*"]}, 201)["record_id"]
    api.t("/units", {"name": "第三单位", "kind": "enterprise"}, 201)
    platform = api.client.app.state.platform  # type: ignore[attr-defined]
    dispatcher = Dispatcher(platform.engine, DeliveryPolicy(attempts=1, timeout=5))
    try:
        dispatcher.serve((api.tenant, own))  # port 9 on this machine refuses connections
    finally:
        dispatcher.close()

    secretary = _read(api, _bearer("sec", "community_secretary", api.tenant))
    assert {n["id"] for n in secretary["webhooks"]["nodes"]} == {own, staff}
    seen = _read(api, vendor)["webhooks"]["nodes"]
    assert [n["id"] for n in seen] == [own]
    assert seen[0]["url"] == body["url"]
    [failed] = seen[0]["deliveries"]["nodes"]
    assert (failed["eventType"], failed["status"], failed["attempts"]) == (
        "MemberUnit.Joined", "FAILED", 1,
    )  # fmt: skip
    assert failed["lastStatusCode"] is None and failed["lastError"]
    for reader in (
        _bearer("vendor-b", "integrator", api.tenant),
        _bearer("aud", "auditor", api.tenant),
        _bearer("boss", "street_admin", community.street),  # reads its community, manages not
    ):
        assert _read(api, reader)["webhooks"]["nodes"] == []
    assert _read(api, _bearer("vendor-a", "integrator", "other-street")) is None


def test_the_secret_is_shown_once_and_never_read_back(community: Community) -> None:
    api = community.api
    key = {"Idempotency-Key": "register-once"}
    first = api.t("/webhooks", {"url": HOOK, "event_types": ["*"]}, 201, headers=key)
    again = api.t("/webhooks", {"url": HOOK, "event_types": ["*"]}, 201, headers=key)
    assert first["secret"].startswith("whsec_") and again["secret"] is None
    assert {k: v for k, v in first.items() if k != "secret"} == {
        k: v for k, v in again.items() if k != "secret"
    }
    fields = set(schema._schema.type_map["Webhook"].fields)  # type: ignore[attr-defined]
    assert not {name for name in fields if "secret" in name.lower()} - {"secretGeneration"}
    events = api.gql(
        "query($t: ID!) { tenant(id: $t) { events(first: 100) { nodes { data } } } }", t=api.tenant
    )
    assert first["secret"] not in str(events)


def _subscribe(ws: Any, query: str, ident: str = "1") -> None:
    ws.send_json({"id": ident, "type": "subscribe", "payload": {"query": query}})


def _init(ws: Any, token: dict[str, str] | None) -> None:
    payload = {} if token is None else {"Authorization": token["Authorization"]}
    ws.send_json({"type": "connection_init", "payload": payload})


EVENTS = 'subscription { tenantEvents(tenant: "%s"%s) { position type recordType data } }'


def test_a_subscription_receives_the_tenants_new_events_over_the_websocket(
    community: Community,
) -> None:
    api = community.api
    reader = _bearer("vendor", "integrator", api.tenant)
    head = api.head()
    with api.client.websocket_connect("/graphql", subprotocols=WS) as ws:
        _init(ws, reader)
        assert ws.receive_json()["type"] == "connection_ack"
        _subscribe(ws, EVENTS % (api.tenant, f", after: {head}"))
        unit = api.t("/units", {"name": "第三单位", "kind": "enterprise"}, 201)
        api.t(f"/units/{unit['record_id']}/liaison", {"name": "王小明", "phone": "13800138000"})
        got = [ws.receive_json()["payload"]["data"]["tenantEvents"] for _ in range(2)]
    assert [e["position"] for e in got] == [head + 1, head + 2]
    assert [e["type"] for e in got] == ["Joined", "LiaisonAppointed"]
    assert got[1]["data"]["person"]["name"] == "王**"  # masked for an integrator


def test_a_subscription_replays_from_a_position(community: Community) -> None:
    api = community.api
    reader = _bearer("sec", "community_secretary", api.tenant)
    with api.client.websocket_connect("/graphql", subprotocols=WS) as ws:
        _init(ws, reader)
        ws.receive_json()
        _subscribe(ws, EVENTS % (api.tenant, ", after: 0"))
        got = [ws.receive_json()["payload"]["data"]["tenantEvents"] for _ in range(3)]
    assert [e["position"] for e in got] == [1, 2, 3]


def test_a_socket_without_a_valid_token_is_closed(community: Community) -> None:
    api = community.api
    for token in (None, {"Authorization": "Bearer gj_not_a_token"}):
        with api.client.websocket_connect("/graphql", subprotocols=WS) as ws:
            _init(ws, token)
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
        assert closed.value.code == 4403


def test_a_subscription_to_another_tenant_is_refused_as_unknown(community: Community) -> None:
    api = community.api
    outsider = _bearer("vendor", "integrator", community.street)  # the street's own integrator
    sibling = _bearer("sec", "community_secretary", f"{api.tenant}-nowhere")
    for reader, tenant in ((outsider, "no-such-tenant"), (sibling, api.tenant)):
        with api.client.websocket_connect("/graphql", subprotocols=WS) as ws:
            _init(ws, reader)
            ws.receive_json()
            _subscribe(ws, EVENTS % (tenant, ""))
            answer = ws.receive_json()
        assert answer["payload"]["data"] is None
        assert answer["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_only_subscriptions_run_over_the_websocket_and_never_over_http(
    community: Community,
) -> None:
    api = community.api
    reader = _bearer("sec", "community_secretary", api.tenant)
    with api.client.websocket_connect("/graphql", subprotocols=WS) as ws:
        _init(ws, reader)
        ws.receive_json()
        _subscribe(ws, "{ tenants { nodes { id } } }")
        refused = ws.receive_json()
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = {"query": EVENTS % (api.tenant, "")}
    answer = api.client.post("/graphql", json=body, headers=reader)
    assert answer.status_code == 400
    assert answer.json()["code"] == "graphql-request-invalid"

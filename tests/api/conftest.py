"""An in-process HTTP client over a platform on each backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.platform import Platform

READER = {"Authorization": "Bearer dev:operator:platform_admin:-"}
MEETING_AT = datetime(2025, 9, 1, 9, tzinfo=UTC)


def manager_token(tenant_id: str, streets: set[str]) -> dict[str, str]:
    """A development token of the tenant's own manager (its street admin or secretary)."""
    role = "street_admin" if tenant_id in streets else "community_secretary"
    return {"Authorization": f"Bearer dev:{role}-{tenant_id}:{role}:{tenant_id}"}


@dataclass
class Api:
    """Thin helpers that assert the status they expect; each call acts as the manager
    of the tenant it is for (the platform admin registers streets, a street admin
    its communities)."""

    client: TestClient
    tenant: str
    streets: set[str] = field(default_factory=set)

    def token_for(self, path: str, body: dict[str, Any] | None) -> dict[str, str]:
        if path == "/tenants":
            parent = (body or {}).get("parent_id")
            if (body or {}).get("kind") == "street":
                self.streets.add(str((body or {}).get("tenant_id")))
            return manager_token(parent, self.streets) if parent else READER
        tenant = path.split("/")[2] if path.startswith("/tenants/") else self.tenant
        return manager_token(tenant, self.streets)

    def post(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        token = self.token_for(path, body)
        response = self.client.post(path, json=body or {}, headers={**token, **(headers or {})})
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        return result

    def t(
        self, path: str, body: dict[str, Any] | None = None, status: int = 200, **kw: Any
    ) -> dict[str, Any]:
        """POST to a path under this tenant."""
        return self.post(f"/tenants/{self.tenant}{path}", body, status, **kw)

    def gql(self, query: str, status: int = 200, **variables: Any) -> dict[str, Any]:
        """Query as the manager of the tenant queried (``t``, else this one), who
        sees personal data in full."""
        reader = manager_token(str(variables.get("t", self.tenant)), self.streets)
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=reader
        )
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        if status == 200:
            assert "errors" not in result, result
        return result

    def head(self) -> int:
        data = self.gql("query($t: ID!) { tenant(id: $t) { headPosition } }", t=self.tenant)
        return int(data["data"]["tenant"]["headPosition"])


@pytest.fixture
def api(engine: Engine, tenant_id: str) -> Api:
    client = TestClient(create_app(Platform(engine, embedded=True, dev_tokens=True)))
    return Api(client, tenant_id)


@dataclass
class Street:
    """A registered street with three units and a meeting at notice stage."""

    api: Api
    units: list[str]
    meeting: str
    item: str


@pytest.fixture
def street(api: Api) -> Street:
    api.post(
        "/tenants",
        {
            "tenant_id": api.tenant,
            "kind": "street",
            "name": "枫林街道",
            "charter": {"notice_days": 3},
        },
        status=201,
    )
    units = [
        api.t("/units", {"name": name, "kind": "enterprise"}, 201)["record_id"]
        for name in ("光明乳业", "邮政支局", "第一小学")
    ]
    meeting = api.t(
        "/meetings",
        {
            "kind": "regular",
            "title": "九月例会",
            "scheduled_for": MEETING_AT.isoformat(),
            "location": "社区党群服务中心",
        },
        201,
    )["record_id"]
    item = api.t(
        f"/meetings/{meeting}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, 201
    )["item_id"]
    api.t(
        f"/meetings/{meeting}/notice", {"issued_at": (MEETING_AT - timedelta(days=5)).isoformat()}
    )
    return Street(api, units, meeting, item)


@dataclass
class Community:
    """A street with one community (the api's tenant) that has two member units."""

    api: Api
    street: str
    units: list[str]

    def member(self, name: str, member_class: str = "retired", **extra: Any) -> str:
        body = {"name": name, "member_class": member_class, **extra}
        return str(self.api.t("/members", body, 201)["record_id"])


@pytest.fixture
def community(api: Api) -> Community:
    street = f"{api.tenant}-street"
    api.post("/tenants", {"tenant_id": street, "kind": "street", "name": "枫林街道"}, 201)
    api.post("/tenants", {"tenant_id": api.tenant, "kind": "community", "parent_id": street,
                          "name": "康健社区"}, 201)  # fmt: skip
    units = [api.t("/units", {"name": name, "kind": kind}, 201)["record_id"]
             for name, kind in (("区医院党委", "public_institution"), ("物业党支部", "enterprise"))]  # fmt: skip
    return Community(api, street, units)


def plenary_resolution(api: Api, units: list[str], at: datetime = MEETING_AT) -> str:
    """Hold a plenary (全体会议) at ``at`` that all ``units`` attend and that adopts one
    resolution, as a charter amendment or the council must cite; return its id."""
    m = api.t("/meetings", {"kind": "plenary", "title": "全体会议", "location": "会议室",
                            "scheduled_for": at.isoformat()}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{m}/agenda-items", {"title": "修订章程", "item_id": "charter"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": (at - timedelta(days=10)).isoformat()})
    for unit in units:
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": "主要负责人"})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": units[0]})
    for unit in units:
        api.t(f"/meetings/{m}/agenda-items/charter/positions",
              {"unit_id": unit, "position": "agree"})  # fmt: skip
    decided = api.t(f"/meetings/{m}/agenda-items/charter/decision",
                    {"action": "按修订后的章程执行", "responsible_unit_ids": units[:1],
                     "deadline": (at + timedelta(days=30)).date().isoformat()})  # fmt: skip
    api.t(f"/meetings/{m}/close")
    return str(decided["resolution_id"])

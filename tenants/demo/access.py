"""Ready tokens for the demo: one per role a tour needs, issued like any other token."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from tenants.demo.meetings import COMMUNITIES, STREET, UNITS
from tenants.messages.access import IssueToken
from tenants.pipeline.handling import Pipeline
from tenants.pipeline.identity import SYSTEM


def _id(*parts: object) -> UUID:
    # The demo's own ids (see tenants.demo.meetings).
    return uuid5(NAMESPACE_URL, "gongjian:demo:" + ":".join(map(str, parts)))


@dataclass(frozen=True)
class DemoToken:
    """A bearer token the demo printed, with what it is for."""

    role: str
    tenant_id: str
    user_id: str
    token: str


def issue_demo_tokens(pipeline: Pipeline) -> list[DemoToken]:
    """Issue a street admin, secretary, liaison, member, auditor and integrator token."""
    community = COMMUNITIES[2][0]  # 康健社区
    unit = str(_id(community, UNITS[1][0]))  # 区第一人民医院党委
    member = _id(community, "member", 0)
    wanted: list[tuple[str, str, str, dict[str, object]]] = [
        ("street_admin", STREET[0], "street-admin-zhou", {}),
        ("community_secretary", community, "secretary-kangjian", {}),
        ("unit_liaison", community, "liaison-li", {"unit_id": unit}),
        ("party_member", community, "member-0", {"member_id": member}),
        ("auditor", STREET[0], "auditor-qian", {}),
        ("integrator", STREET[0], "integrator-sun", {}),
    ]
    issued = []
    for role, tenant, user, scope in wanted:
        message = IssueToken.model_validate({"role": role, "user_id": user, **scope})
        answer = pipeline.handle(SYSTEM, message, tenant)
        issued.append(DemoToken(role, tenant, user, answer["token"]))
    return issued

"""Member transfers: one pending transfer at a time, and retries that resume it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from domain import errors
from domain.stamp import Actor, Stamp
from tenants.commands import cross_tenant
from tenants.commands.cross_tenant import received_member_id, transfer_member
from tests.api.conftest import Api, Community

MEMBER = """query($t: ID!, $m: ID!) { tenant(id: $t) { member(id: $m) {
  statusLabel pendingTransfer { transferId toTenantId } } } }"""
MEMBERS = "query($t: ID!) { tenant(id: $t) { members { nodes { name transferredFrom } } } }"
SECRETARY = Actor(user_id="secretary-li", role="community_secretary")


def _communities(community: Community, *suffixes: str) -> list[Api]:
    """Register more communities under the same street; an Api on each."""
    api = community.api
    others = []
    for suffix in suffixes:
        tenant = f"{api.tenant}-{suffix}"
        api.post("/tenants", {"tenant_id": tenant, "kind": "community",
                              "parent_id": community.street, "name": f"{suffix}社区"}, 201)  # fmt: skip
        others.append(Api(api.client, tenant))
    return others


def _platform(api: Api) -> Any:
    return api.client.app.state.platform  # type: ignore[attr-defined]


def _stamp_for(tenant: str) -> Stamp:
    return Stamp(tenant, SECRETARY, reason="迁居")


def _receiving_side_fails(*_: object, **__: object) -> None:
    raise RuntimeError("the receiving database went away")


def _interrupted_transfer(
    community: Community, member: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start a transfer whose receiving side fails: it stays pending at the source."""

    with monkeypatch.context() as patch:
        patch.setattr(cross_tenant, "received_member_id", _receiving_side_fails)
        with pytest.raises(RuntimeError):
            community.api.t(
                f"/members/{member}/transfer", {"to_tenant_id": target, "reason": "迁居"}
            )
    _platform(community.api).projector.catch_up(community.api.tenant)


def _members(api: Api) -> list[dict[str, Any]]:
    _platform(api).projector.catch_up(api.tenant)
    nodes: list[dict[str, Any]] = api.gql(MEMBERS, t=api.tenant)["data"]["tenant"]["members"][
        "nodes"
    ]
    return nodes


def test_a_transfer_elsewhere_while_one_is_pending_is_refused_and_appends_nothing(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = community.api
    first, second = _communities(community, "guilin", "meilong")
    member = community.member("钱进")
    _interrupted_transfer(community, member, first.tenant, monkeypatch)
    pending = api.gql(MEMBER, t=api.tenant, m=member)["data"]["tenant"]["member"]
    assert pending["statusLabel"] == "转出中"
    heads = [api.head(), first.head(), second.head()]

    refused = api.t(
        f"/members/{member}/transfer", {"to_tenant_id": second.tenant, "reason": "迁居"}, 409
    )

    assert refused["code"] == "transfer-pending"
    assert refused["type"] == "urn:gongjian:problem:transfer-pending"
    assert "resume" in refused["detail"]
    assert [api.head(), first.head(), second.head()] == heads
    assert api.gql(MEMBER, t=api.tenant, m=member)["data"]["tenant"]["member"] == pending
    # Naming the pending transfer's own target resumes it, as resume does.
    done = api.t(f"/members/{member}/transfer", {"to_tenant_id": first.tenant, "reason": "迁居"})
    assert done["transfer_id"] == pending["pendingTransfer"]["transferId"]
    assert done["target_tenant_id"] == first.tenant
    assert [m["transferredFrom"] for m in _members(first)] == [f"{api.tenant}/{member}"]
    assert _members(second) == []


def test_the_same_transfer_id_twice_transfers_once_and_answers_the_same(
    community: Community,
) -> None:
    api = community.api
    (other,) = _communities(community, "guilin")
    member = community.member("赵敏")
    ledgers = _platform(api).ledgers
    call = (ledgers, _stamp_for, api.tenant, UUID(member))

    first = transfer_member(*call, other.tenant, transfer_id="key-1")
    heads = [api.head(), other.head()]
    again = transfer_member(*call, other.tenant, transfer_id="key-1")

    assert again == first
    assert first.transfer_id == "key-1"
    assert first.target_member_id == received_member_id("key-1")
    assert [api.head(), other.head()] == heads
    assert [m["transferredFrom"] for m in _members(other)] == [f"{api.tenant}/{member}"]
    # Resuming with the same id answers the same; anything else is refused as before.
    assert transfer_member(*call, None, transfer_id="key-1") == first
    with pytest.raises(errors.MemberNotActive):
        transfer_member(*call, other.tenant)
    with pytest.raises(errors.MemberNotActive):
        transfer_member(*call, other.tenant, transfer_id="key-2")
    assert [api.head(), other.head()] == heads


def test_a_retry_with_the_pending_transfers_id_resumes_it(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = community.api
    (other,) = _communities(community, "guilin")
    member = community.member("孙立")
    ledgers = _platform(api).ledgers
    call = (ledgers, _stamp_for, api.tenant, UUID(member))

    with monkeypatch.context() as patch:
        patch.setattr(cross_tenant, "received_member_id", _receiving_side_fails)
        with pytest.raises(RuntimeError):
            transfer_member(*call, other.tenant, transfer_id="key-7")
    done = transfer_member(*call, other.tenant, transfer_id="key-7")

    assert (done.transfer_id, done.target_tenant) == ("key-7", other.tenant)
    assert done.target_member_id == received_member_id("key-7")
    assert len(_members(other)) == 1
    assert transfer_member(*call, other.tenant, transfer_id="key-7") == done

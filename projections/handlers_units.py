"""Projecting tenants and member units."""

from __future__ import annotations

from typing import Any

from projections.context import Applied, Handler
from projections.tables import street_communities, tenants, units
from projections.temporal import add, change, set_record


def tenant_registered(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        tenants,
        tenant_id=a.tenant_id,
        kind=e.kind,
        name=e.name,
        parent_id=e.parent_id,
        charter=e.charter,
        registered_at=a.occurred_at,
        version=a.version,
    )
    return []


def community_joined(a: Applied) -> list[str]:
    add(a, street_communities, tenant_id=a.tenant_id, community_id=a.event.community_id)
    return []


def charter_amended(a: Applied) -> list[str]:
    resolution = a.event.resolution_id
    change(
        a,
        tenants,
        {"tenant_id": a.tenant_id},
        charter=a.event.charter,
        charter_resolution_id=str(resolution) if resolution else None,
        version=a.version,
    )
    return [str(resolution)] if resolution else []


def unit_joined(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        units,
        tenant_id=a.tenant_id,
        unit_id=a.record_id,
        name=e.name,
        kind=e.kind,
        active=True,
        joined_at=a.occurred_at,
        version=a.version,
    )
    return []


def _set_unit(a: Applied, **values: Any) -> None:
    set_record(a, units, "unit_id", **values)


def representative_appointed(a: Applied) -> list[str]:
    _set_unit(a, representative=a.event.person)
    return []


def liaison_appointed(a: Applied) -> list[str]:
    _set_unit(a, liaison=a.event.person)
    return []


def unit_left(a: Applied) -> list[str]:
    _set_unit(a, active=False)
    return []


HANDLERS: dict[str, Handler] = {
    "gongjian.Tenant.Registered": tenant_registered,
    "gongjian.Tenant.CharterAmended": charter_amended,
    "gongjian.Tenant.CommunityJoined": community_joined,
    "gongjian.MemberUnit.Joined": unit_joined,
    "gongjian.MemberUnit.RepresentativeAppointed": representative_appointed,
    "gongjian.MemberUnit.LiaisonAppointed": liaison_appointed,
    "gongjian.MemberUnit.Left": unit_left,
}

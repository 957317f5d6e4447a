"""REST commands on tenants, charters and member units."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Path

from api.commands import Command
from api.problems import PROBLEM_RESPONSES
from api.requests import (
    AmendCharter,
    AppointPerson,
    CommandAccepted,
    JoinUnit,
    LeaveUnit,
    RegisterTenant,
    charter_data,
)
from domain.charters import Charter

router = APIRouter(prefix="/tenants", tags=["tenants and units"])
TenantPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
CREATED: dict[str, Any] = {
    "status_code": 201,
    "response_model": CommandAccepted,
    "responses": PROBLEM_RESPONSES,
}
DONE: dict[str, Any] = {"response_model": CommandAccepted, "responses": PROBLEM_RESPONSES}


@router.post("", **CREATED)
def register_tenant(body: RegisterTenant, cmd: Command) -> Any:
    """Register a street, or a community under its street."""
    platform = cmd.request.app.state.platform
    parent = platform.ledger(body.parent_id).tenant() if body.parent_id else None
    charter = Charter.from_dict(charter_data(body.charter))
    return cmd.run(
        body.tenant_id,
        body,
        lambda led, s, i: led.register(s, body.kind, body.name, charter, parent, i),
    )


@router.post("/{tenant_id}/charter-amendments", **DONE)
def amend_charter(tenant_id: TenantPath, body: AmendCharter, cmd: Command) -> Any:
    """Amend the tenant's charter (reason required)."""
    charter = Charter.from_dict(charter_data(body.charter))
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.amend_charter(s, charter, body.expected_version, i)
    )


@router.post("/{tenant_id}/units", **CREATED)
def join_unit(tenant_id: TenantPath, body: JoinUnit, cmd: Command) -> Any:
    """Admit a member unit."""
    unit_id = uuid4()
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.join_unit(s, unit_id, body.name, body.kind, i)
    )


@router.post("/{tenant_id}/units/{unit_id}/representative", **DONE)
def appoint_representative(
    tenant_id: TenantPath, unit_id: UUID, body: AppointPerson, cmd: Command
) -> Any:
    """Appoint or replace the unit's representative."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.appoint(
            s, unit_id, "representative", body.name, body.phone, body.expected_version, i
        ),
    )


@router.post("/{tenant_id}/units/{unit_id}/liaison", **DONE)
def appoint_liaison(tenant_id: TenantPath, unit_id: UUID, body: AppointPerson, cmd: Command) -> Any:
    """Appoint or replace the unit's liaison."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.appoint(
            s, unit_id, "liaison", body.name, body.phone, body.expected_version, i
        ),
    )


@router.post("/{tenant_id}/units/{unit_id}/leave", **DONE)
def leave_unit(tenant_id: TenantPath, unit_id: UUID, body: LeaveUnit, cmd: Command) -> Any:
    """A unit leaves the joint meeting (reason required)."""
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.leave_unit(s, unit_id, body.expected_version, i)
    )

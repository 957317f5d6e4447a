"""REST commands on resolutions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from api.commands import Command
from api.requests import (
    NotifyResolution,
    ReportExecution,
    ReturnReport,
    SupersedeResolution,
    VerifyResolution,
)
from api.routes_tenants import DONE, TenantPath

router = APIRouter(prefix="/tenants/{tenant_id}/resolutions", tags=["resolutions"])


@router.post("/{resolution_id}/notifications", **DONE)
def notify(tenant_id: TenantPath, resolution_id: UUID, body: NotifyResolution, cmd: Command) -> Any:
    """Record the written notification of a resolution (to all active units by default)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.notify_resolution(
            s, resolution_id, body.unit_ids, body.expected_version, i
        ),
    )


@router.post("/{resolution_id}/execution-reports", **DONE)
def report_execution(
    tenant_id: TenantPath, resolution_id: UUID, body: ReportExecution, cmd: Command
) -> Any:
    """A responsible unit reports progress or completion, with evidence."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.report_execution(
            s,
            resolution_id,
            body.unit_id,
            body.kind,
            body.note,
            list(body.evidence),
            body.expected_version,
            i,
        ),
    )


@router.post("/{resolution_id}/verification", **DONE)
def verify(tenant_id: TenantPath, resolution_id: UUID, body: VerifyResolution, cmd: Command) -> Any:
    """The convener verifies the resolution as executed."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.verify_resolution(s, resolution_id, body.expected_version, i),
    )


@router.post("/{resolution_id}/returns", **DONE)
def return_report(
    tenant_id: TenantPath, resolution_id: UUID, body: ReturnReport, cmd: Command
) -> Any:
    """Send a unit's completion report back (reason required)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.return_report(
            s, resolution_id, body.unit_id, body.expected_version, i
        ),
    )


@router.post("/{resolution_id}/supersession", **DONE)
def supersede(
    tenant_id: TenantPath, resolution_id: UUID, body: SupersedeResolution, cmd: Command
) -> Any:
    """Replace the resolution by a later one (reason required)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.supersede(
            s, resolution_id, body.by_resolution_id, body.expected_version, i
        ),
    )

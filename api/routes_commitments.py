"""REST commands on public commitments."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from api.commands import Command
from api.requests_followup import (
    CloseCommitment,
    MakeCommitment,
    PublishCommitment,
    RateCommitment,
    ReportProgress,
)
from api.routes_tenants import CREATED, DONE, TenantPath

router = APIRouter(prefix="/tenants/{tenant_id}/commitments", tags=["commitments"])


@router.post("", **CREATED)
def make(tenant_id: TenantPath, body: MakeCommitment, cmd: Command) -> Any:
    """Make a public commitment with its progress schedule."""
    commitment_id = uuid4()
    milestones = [(m.id, m.title, m.due) for m in body.milestones]
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.make_commitment(
            s,
            commitment_id,
            body.maker_kind,
            body.maker_id,
            body.text,
            body.category,
            body.due,
            milestones,
            i,
        ),
    )


@router.post("/{commitment_id}/publication", **DONE)
def publish(
    tenant_id: TenantPath, commitment_id: UUID, body: PublishCommitment, cmd: Command
) -> Any:
    """Publish through a meeting, a document or the notice board."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.publish_commitment(
            s, commitment_id, body.channel, body.published_on, body.expected_version, i
        ),
    )


@router.post("/{commitment_id}/progress", **DONE)
def progress(tenant_id: TenantPath, commitment_id: UUID, body: ReportProgress, cmd: Command) -> Any:
    """Report a milestone's progress with evidence."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.report_commitment_progress(
            s,
            commitment_id,
            body.milestone_id,
            body.percent,
            list(body.evidence),
            body.expected_version,
            i,
        ),
    )


@router.post("/{commitment_id}/ratings", **DONE)
def rate(tenant_id: TenantPath, commitment_id: UUID, body: RateCommitment, cmd: Command) -> Any:
    """A resident's rating (1–5) for a period; a later one replaces theirs."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.rate_commitment(
            s, commitment_id, body.resident_id, body.period, body.rating, body.comment, i
        ),
    )


@router.post("/{commitment_id}/fulfilment", **DONE)
def fulfil(tenant_id: TenantPath, commitment_id: UUID, body: CloseCommitment, cmd: Command) -> Any:
    """Declare the commitment fulfilled."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.close_commitment(s, commitment_id, True, body.expected_version, i),
    )


@router.post("/{commitment_id}/withdrawal", **DONE)
def withdraw(
    tenant_id: TenantPath, commitment_id: UUID, body: CloseCommitment, cmd: Command
) -> Any:
    """Withdraw the commitment (reason required)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.close_commitment(s, commitment_id, False, body.expected_version, i),
    )

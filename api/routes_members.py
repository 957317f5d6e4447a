"""REST commands on party members, service posts and collective activities."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter

from api.commands import Command
from api.problems import PROBLEM_RESPONSES
from api.requests_followup import (
    ChangeClass,
    ClaimPost,
    DefinePost,
    HoldActivity,
    LogService,
    RegisterMember,
    ReportResidence,
    ResumeTransfer,
    RetirePost,
    ReviewServiceLog,
    ReviewYear,
    TransferAccepted,
    TransferMember,
    WithLogId,
)
from api.routes_tenants import CREATED, DONE, TenantPath
from domain.stamp import Stamp
from tenants.cross_tenant import transfer_member

router = APIRouter(prefix="/tenants/{tenant_id}", tags=["members and service posts"])


@router.post("/members", **CREATED)
def register(tenant_id: TenantPath, body: RegisterMember, cmd: Command) -> Any:
    """Register a party member (in-service members name their work unit)."""
    member_id = uuid4()
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.register_member(
            s, member_id, body.name, body.member_class, body.work_unit, None, i
        ),
    )


@router.post("/members/{member_id}/residence-report", **DONE)
def report(tenant_id: TenantPath, member_id: UUID, body: ReportResidence, cmd: Command) -> Any:
    """An in-service member reports (报到) at this residential community."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.report_residence(
            s, member_id, body.reported_on, body.expected_version, i
        ),
    )


@router.post("/members/{member_id}/class", **DONE)
def change_class(tenant_id: TenantPath, member_id: UUID, body: ChangeClass, cmd: Command) -> Any:
    """Change the member's class (reason required)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.change_member_class(
            s, member_id, body.member_class, body.work_unit, body.expected_version, i
        ),
    )


def _transfer(
    tenant_id: str, member_id: UUID, target: str | None, body: Any, cmd: Command
) -> dict[str, Any]:
    platform = cmd.request.app.state.platform

    def stamp_for(tenant: str) -> Stamp:
        return Stamp(tenant, cmd.actor, body.occurred_at, body.reason)

    outcome = transfer_member(platform.ledgers, stamp_for, tenant_id, member_id, target)
    platform.after_command(tenant_id, outcome.source_position)
    platform.after_command(outcome.target_tenant, outcome.target_position)
    return {
        "transfer_id": outcome.transfer_id,
        "source_member_id": str(member_id),
        "target_tenant_id": outcome.target_tenant,
        "target_member_id": str(outcome.target_member_id),
        "source_position": outcome.source_position,
        "target_position": outcome.target_position,
    }


@router.post(
    "/members/{member_id}/transfer", response_model=TransferAccepted, responses=PROBLEM_RESPONSES
)
def transfer(tenant_id: TenantPath, member_id: UUID, body: TransferMember, cmd: Command) -> Any:
    """Transfer the member to another community; both logs record their side."""
    return _transfer(tenant_id, member_id, body.to_tenant_id, body, cmd)


@router.post(
    "/members/{member_id}/transfer/resume",
    response_model=TransferAccepted,
    responses=PROBLEM_RESPONSES,
)
def resume_transfer(
    tenant_id: TenantPath, member_id: UUID, body: ResumeTransfer, cmd: Command
) -> Any:
    """Finish a transfer left pending (the receiving side failed or was interrupted)."""
    return _transfer(tenant_id, member_id, None, body, cmd)


@router.post("/members/{member_id}/claims", **DONE)
def claim(tenant_id: TenantPath, member_id: UUID, body: ClaimPost, cmd: Command) -> Any:
    """Claim a service post (capacity and the charter's claim limit apply)."""
    return cmd.run(tenant_id, body, lambda led, s, i: led.claim_post(s, member_id, body.post_id, i))


@router.post("/members/{member_id}/releases", **DONE)
def release(tenant_id: TenantPath, member_id: UUID, body: ClaimPost, cmd: Command) -> Any:
    """Release a held post."""
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.release_post(s, member_id, body.post_id, i)
    )


@router.post(
    "/members/{member_id}/service-logs",
    status_code=201,
    response_model=WithLogId,
    responses=PROBLEM_RESPONSES,
)
def log_service(tenant_id: TenantPath, member_id: UUID, body: LogService, cmd: Command) -> Any:
    """Log service on a held post: date, hours in (0, 24], what was done."""
    log_id = uuid4().hex[:12]
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.log_service(
            s, member_id, log_id, body.post_id, body.served_on, body.hours, body.what, i
        ),
    )


@router.post("/members/{member_id}/service-logs/{log_id}/review", **DONE)
def review_log(
    tenant_id: TenantPath, member_id: UUID, log_id: str, body: ReviewServiceLog, cmd: Command
) -> Any:
    """Confirm a service log, or reject it with a reason."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.review_service_log(s, member_id, log_id, body.confirmed, i),
    )


@router.post("/members/{member_id}/year-reviews", **DONE)
def review_year(tenant_id: TenantPath, member_id: UUID, body: ReviewYear, cmd: Command) -> Any:
    """Year-end review with a feedback note for the member's work unit."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.review_member_year(
            s, member_id, body.year, body.rating, body.feedback, i
        ),
    )


@router.post("/posts", **CREATED)
def define_post(tenant_id: TenantPath, body: DefinePost, cmd: Command) -> Any:
    """Define a service post with a category and a capacity."""
    post_id = uuid4()
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.define_post(
            s, post_id, body.title, body.category, body.capacity, body.description, i
        ),
    )


@router.post("/posts/{post_id}/retirement", **DONE)
def retire_post(tenant_id: TenantPath, post_id: UUID, body: RetirePost, cmd: Command) -> Any:
    """Retire a post (reason required); open claims end with it."""
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.retire_post(s, post_id, body.expected_version, i)
    )


@router.post("/activities", **CREATED)
def hold_activity(tenant_id: TenantPath, body: HoldActivity, cmd: Command) -> Any:
    """Record a collective service activity."""
    activity_id = uuid4()
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.hold_activity(
            s, activity_id, body.title, body.held_on, list(body.participant_ids), i
        ),
    )

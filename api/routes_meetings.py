"""REST commands on meetings."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Path

from api.commands import Command, now
from api.problems import PROBLEM_RESPONSES
from api.requests import (
    AddAgendaItem,
    AgendaItemAdded,
    CancelMeeting,
    CloseMeeting,
    DecideItem,
    IssueMinutes,
    IssueNotice,
    ItemDecided,
    OpenMeeting,
    PostponeMeeting,
    RecordPosition,
    RequestLeave,
    ScheduleMeeting,
    SignIn,
    SolicitOpinions,
    SubmitOpinion,
    WithdrawAgendaItem,
)
from api.routes_tenants import CREATED, DONE, TenantPath
from tenants.meeting_commands import ProposedResolution

router = APIRouter(prefix="/tenants/{tenant_id}/meetings", tags=["meetings"])
ItemPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.post("", **CREATED)
def schedule_meeting(tenant_id: TenantPath, body: ScheduleMeeting, cmd: Command) -> Any:
    """Schedule a plenary, regular or thematic meeting."""
    meeting_id = uuid4()
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.schedule_meeting(
            s, meeting_id, body.kind, body.title, body.scheduled_for, body.location, i
        ),
    )


@router.post(
    "/{meeting_id}/agenda-items",
    status_code=201,
    response_model=AgendaItemAdded,
    responses=PROBLEM_RESPONSES,
)
def add_agenda_item(
    tenant_id: TenantPath, meeting_id: UUID, body: AddAgendaItem, cmd: Command
) -> Any:
    """Add an agenda item (before notice); may carry a not-agreed item forward."""
    item_id = body.item_id or uuid4().hex[:12]
    carried = (
        (body.carried_from.meeting_id, body.carried_from.item_id) if body.carried_from else None
    )
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.add_item(
            s, meeting_id, item_id, body.title, body.kind, carried, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/agenda-items/{item_id}/withdraw", **DONE)
def withdraw_agenda_item(
    tenant_id: TenantPath,
    meeting_id: UUID,
    item_id: ItemPath,
    body: WithdrawAgendaItem,
    cmd: Command,
) -> Any:
    """Withdraw an agenda item before notice (reason required)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.withdraw_item(s, meeting_id, item_id, body.expected_version, i),
    )


@router.post("/{meeting_id}/notice", **DONE)
def issue_notice(tenant_id: TenantPath, meeting_id: UUID, body: IssueNotice, cmd: Command) -> Any:
    """Send the written notice to every member unit."""
    issued_at = body.issued_at or now()
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.issue_notice(
            s, meeting_id, issued_at, body.extraordinary, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/agenda-items/{item_id}/opinion-requests", **DONE)
def solicit_opinions(
    tenant_id: TenantPath,
    meeting_id: UUID,
    item_id: ItemPath,
    body: SolicitOpinions,
    cmd: Command,
) -> Any:
    """Ask member units for written opinions on an item."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.solicit_opinions(
            s, meeting_id, item_id, body.due, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/agenda-items/{item_id}/opinions", **DONE)
def submit_opinion(
    tenant_id: TenantPath,
    meeting_id: UUID,
    item_id: ItemPath,
    body: SubmitOpinion,
    cmd: Command,
) -> Any:
    """Record a unit's written opinion."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.submit_opinion(
            s, meeting_id, body.unit_id, item_id, body.text, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/leave-requests", **DONE)
def request_leave(tenant_id: TenantPath, meeting_id: UUID, body: RequestLeave, cmd: Command) -> Any:
    """Excuse a unit, with its reason and written opinions."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.request_leave(
            s, meeting_id, body.unit_id, dict(body.opinions), body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/sign-ins", **DONE)
def sign_in(tenant_id: TenantPath, meeting_id: UUID, body: SignIn, cmd: Command) -> Any:
    """Sign in a unit's representative or a named substitute."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.sign_in(
            s, meeting_id, body.unit_id, body.attendee, body.substitute, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/open", **DONE)
def open_meeting(tenant_id: TenantPath, meeting_id: UUID, body: OpenMeeting, cmd: Command) -> Any:
    """Open the meeting (refused below quorum)."""
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.open_meeting(s, meeting_id, body.expected_version, i)
    )


@router.post("/{meeting_id}/agenda-items/{item_id}/positions", **DONE)
def record_position(
    tenant_id: TenantPath,
    meeting_id: UUID,
    item_id: ItemPath,
    body: RecordPosition,
    cmd: Command,
) -> Any:
    """Record a present unit's position: agree, object (with reason) or abstain."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.record_position(
            s, meeting_id, item_id, body.unit_id, body.position, body.expected_version, i
        ),
    )


@router.post(
    "/{meeting_id}/agenda-items/{item_id}/decision",
    response_model=ItemDecided,
    responses=PROBLEM_RESPONSES,
)
def decide_item(
    tenant_id: TenantPath, meeting_id: UUID, item_id: ItemPath, body: DecideItem, cmd: Command
) -> Any:
    """Decide the item by the charter's rule; an agreed item adopts the resolution."""
    proposal = ProposedResolution(
        uuid4(), body.action, list(body.responsible_unit_ids), body.deadline
    )
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.decide_item(
            s, meeting_id, item_id, proposal, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/close", **DONE)
def close_meeting(tenant_id: TenantPath, meeting_id: UUID, body: CloseMeeting, cmd: Command) -> Any:
    """Close the meeting."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.close_meeting(s, meeting_id, body.expected_version, i),
    )


@router.post("/{meeting_id}/minutes", **DONE)
def issue_minutes(tenant_id: TenantPath, meeting_id: UUID, body: IssueMinutes, cmd: Command) -> Any:
    """Issue the minutes (once)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.issue_minutes(
            s, meeting_id, body.text, False, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/minutes/corrections", **DONE)
def correct_minutes(
    tenant_id: TenantPath, meeting_id: UUID, body: IssueMinutes, cmd: Command
) -> Any:
    """Correct issued minutes (reason required); the original stays in history."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.issue_minutes(
            s, meeting_id, body.text, True, body.expected_version, i
        ),
    )


@router.post("/{meeting_id}/postpone", **DONE)
def postpone(tenant_id: TenantPath, meeting_id: UUID, body: PostponeMeeting, cmd: Command) -> Any:
    """Postpone the meeting (reason required)."""
    return cmd.run(
        tenant_id,
        body,
        lambda led, s, i: led.postpone(s, meeting_id, body.scheduled_for, body.expected_version, i),
    )


@router.post("/{meeting_id}/cancel", **DONE)
def cancel(tenant_id: TenantPath, meeting_id: UUID, body: CancelMeeting, cmd: Command) -> Any:
    """Cancel the meeting (reason required)."""
    return cmd.run(
        tenant_id, body, lambda led, s, i: led.cancel(s, meeting_id, body.expected_version, i)
    )

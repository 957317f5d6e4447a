"""Commands on resident affairs: intake, assignment, result, feedback."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import Field

from domain.affairs import Affair, AffairChannel, AssigneeKind
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, Message, RecordCommand, Route
from tenants.messages.fields import (
    Day,
    EvidenceRef,
    Files,
    Flag,
    Name,
    OptionalText,
    Phone,
    Ref,
    Text,
)

TAG = "affairs"
# Which assignee a bound role reports for: a liaison for its unit, a member for itself.
ASSIGNEE_OF_ROLE = {"unit_liaison": AssigneeKind.UNIT, "party_member": AssigneeKind.MEMBER}


class ReceiveAffair(Message):
    """Register an affair a resident brings (受理登记)."""

    route = Route("/affairs", TAG, 201)
    resident_name: Name = Field(description="personal data: sealed, erasable as affair:<id>")
    resident_phone: Phone | None = Field(None, description="personal data, as the name")
    matter: Text = Field(description="what the resident asks for")
    channel: AffairChannel
    received_on: Day | None = Field(
        None, description="the tenant's date it was received (default: the day it occurred)"
    )

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.receive_affair(
            h.stamp,
            uuid4(),
            self.resident_name,
            self.resident_phone or None,
            self.matter,
            self.channel,
            self.received_on,
            idem=h.idem,
        )


class OnAffair(RecordCommand):
    """A command on one affair."""

    affair_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.affair_id


class AssignAffair(OnAffair):
    """Assign the affair to a member unit or a party member, with a deadline (交办);
    assigning it again needs a reason."""

    route = Route("/affairs/{affair_id}/assignment", TAG)
    assignee_kind: AssigneeKind
    assignee_id: Ref = Field(description="an active member unit's id, or a member's id")
    deadline: Day

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.assign_affair(
            h.stamp,
            self.affair_id,
            self.assignee_kind,
            self.assignee_id,
            self.deadline,
            idem=h.idem,
        )


class ReportAffairResult(OnAffair):
    """The assignee reports what was done, with evidence (办理结果): text, and uploaded
    files by SHA-256 (`files`; served only to readers who see residents' personal data)."""

    route = Route("/affairs/{affair_id}/result", TAG)
    result: Text
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=50)
    files: Files = Field(default_factory=list)

    def handle(self, h: Handling) -> CommandResult:
        # A liaison or member reports only on affairs assigned to its unit or itself.
        affair = h.ledger.load(Affair, self.affair_id)
        h.require_bound(
            affair.assignee_id or "",
            ASSIGNEE_OF_ROLE.get(h.principal.role) is affair.assignee_kind,
        )
        return h.ledger.report_affair_result(
            h.stamp,
            self.affair_id,
            self.result,
            list(self.evidence),
            files=self.files,
            idem=h.idem,
        )


class GiveAffairFeedback(OnAffair):
    """The resident's feedback (结果反馈): satisfied closes, not satisfied reopens."""

    route = Route("/affairs/{affair_id}/feedback", TAG)
    satisfied: Flag
    comment: OptionalText = Field("", description="personal data: the resident's own words")

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.give_affair_feedback(
            h.stamp, self.affair_id, self.satisfied, self.comment, idem=h.idem
        )

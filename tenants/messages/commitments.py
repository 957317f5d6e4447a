"""Commands on public commitments: making, publishing, progress, ratings, closing."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from domain.commitments import Channel, Commitment, MakerKind
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, Message, RecordCommand, Route
from tenants.messages.fields import (
    Day,
    EvidenceRef,
    Files,
    ItemId,
    Name,
    OptionalText,
    Period,
    Ref,
    Text,
)

TAG = "commitments"
# Which maker a bound role may commit for: a liaison for its unit, a member for itself.
MAKER_OF_ROLE = {
    "unit_liaison": MakerKind.UNIT_PARTY_ORGANISATION,
    "party_member": MakerKind.PARTY_MEMBER,
}


class Milestone(BaseModel):
    """A step of a commitment's progress schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ItemId
    title: Name
    due: Day


class MakeCommitment(Message):
    """Make a public commitment with its progress schedule."""

    route = Route("/commitments", TAG, 201)
    maker_kind: MakerKind
    maker_id: Ref = Field(description="unit id, member id, or the tenant id")
    text: Text
    category: Name
    due: Day
    milestones: list[Milestone] = Field(default_factory=list, max_length=50)

    def bound_value(self, role: str) -> str | None:
        return self.maker_id if MAKER_OF_ROLE.get(role) is self.maker_kind else None

    def handle(self, h: Handling) -> CommandResult:
        milestones = [(m.id, m.title, m.due) for m in self.milestones]
        return h.ledger.make_commitment(
            h.stamp,
            uuid4(),
            self.maker_kind,
            self.maker_id,
            self.text,
            self.category,
            self.due,
            milestones,
            idem=h.idem,
        )


class OnCommitment(RecordCommand):
    """A command on one commitment."""

    commitment_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.commitment_id


class PublishCommitment(OnCommitment):
    """Publish through a meeting, a document or the notice board."""

    route = Route("/commitments/{commitment_id}/publication", TAG)
    channel: Channel
    published_on: Day

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.publish_commitment(
            h.stamp, self.commitment_id, self.channel, self.published_on, idem=h.idem
        )


class ReportProgress(OnCommitment):
    """Report a milestone's progress with evidence: text, and uploaded files by SHA-256
    (`files`)."""

    route = Route("/commitments/{commitment_id}/progress", TAG)
    milestone_id: ItemId
    percent: int = Field(ge=0, le=100, strict=True)
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=50)
    files: Files = Field(default_factory=list)

    def handle(self, h: Handling) -> CommandResult:
        # A liaison or member reports only on its own commitments.
        maker = h.ledger.load(Commitment, self.commitment_id)
        h.require_bound(maker.maker_id, MAKER_OF_ROLE.get(h.principal.role) is maker.maker_kind)
        return h.ledger.report_commitment_progress(
            h.stamp,
            self.commitment_id,
            self.milestone_id,
            self.percent,
            list(self.evidence),
            files=self.files,
            idem=h.idem,
        )


class RateCommitment(OnCommitment):
    """A resident's rating (1–5) for a period; a later one replaces theirs."""

    route = Route("/commitments/{commitment_id}/ratings", TAG)
    resident_id: Ref
    period: Period
    rating: int = Field(ge=1, le=5, strict=True)
    comment: OptionalText = ""

    def bound_value(self, role: str) -> str | None:
        return self.resident_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.rate_commitment(
            h.stamp,
            self.commitment_id,
            self.resident_id,
            self.period,
            self.rating,
            self.comment,
            idem=h.idem,
        )


class FulfilCommitment(OnCommitment):
    """Declare the commitment fulfilled."""

    route = Route("/commitments/{commitment_id}/fulfilment", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.close_commitment(h.stamp, self.commitment_id, True, idem=h.idem)


class WithdrawCommitment(OnCommitment):
    """Withdraw the commitment (reason required)."""

    route = Route("/commitments/{commitment_id}/withdrawal", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.close_commitment(h.stamp, self.commitment_id, False, idem=h.idem)

"""Commands on party members, service posts and collective activities."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import Field, model_validator

from domain.members import MemberClass, PartyMember, ReviewRating
from domain.posts import PostCategory
from tenants.commands.cross_tenant import transfer_member
from tenants.ledger import CommandResult
from tenants.messages.base import CommandAccepted, Handling, Message, RecordCommand, Route
from tenants.messages.fields import Day, Flag, Hours, Name, OptionalText, TenantId, Text

TAG = "members and service posts"


class WithLogId(CommandAccepted):
    log_id: str


class TransferAccepted(CommandAccepted):
    """A transfer's answer. An outflow off the platform names ``to_organisation`` and
    has no transfer id, target or target position (null)."""

    transfer_id: str | None = None
    source_member_id: str
    target_tenant_id: str | None = None
    target_member_id: str | None = None
    source_position: int | None = None
    target_position: int | None = None
    to_organisation: str | None = None


class RegisterMember(Message):
    """Register a party member (in-service members name their work unit).

    A party member registering themselves gets the member id their token names.
    """

    route = Route("/members", TAG, 201)
    name: Name
    member_class: MemberClass
    work_unit: Name | None = None
    transferred_from: Name | None = Field(
        None,
        description="inflow registration (流入登记): the organisation outside the platform "
        "the member's membership comes from",
    )

    def handle(self, h: Handling) -> CommandResult:
        member_id = h.principal.member_id or uuid4()
        origin = None if self.transferred_from is None else f"outside:{self.transferred_from}"
        return h.ledger.register_member(
            h.stamp, member_id, self.name, self.member_class, self.work_unit, origin, idem=h.idem
        )


class OnMember(RecordCommand):
    """A command on one party member."""

    member_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.member_id


class OnOwnMember(OnMember):
    """A command a party member may send for themselves."""

    def bound_value(self, role: str) -> str | None:
        return str(self.member_id)


class ReportResidence(OnOwnMember):
    """An in-service member reports (报到) at this residential community."""

    route = Route("/members/{member_id}/residence-report", TAG)
    reported_on: Day

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.report_residence(h.stamp, self.member_id, self.reported_on, idem=h.idem)


class ChangeClass(OnMember):
    """Change the member's class (reason required)."""

    route = Route("/members/{member_id}/class", TAG)
    member_class: MemberClass
    work_unit: Name | None = None

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.change_member_class(
            h.stamp, self.member_id, self.member_class, self.work_unit, idem=h.idem
        )


def _transfer(h: Handling, member_id: UUID, target: str | None) -> CommandResult:
    # A retried request (same Idempotency-Key) resumes the same transfer.
    key = f"gongjian:transfer:{h.tenant_id}:{member_id}:{h.idem.key}" if h.idem else None
    transfer_id = str(uuid5(NAMESPACE_URL, key)) if key else None
    outcome = transfer_member(
        h.ledgers, h.stamp_for, h.tenant_id, member_id, target, transfer_id=transfer_id
    )
    h.touched[outcome.target_tenant] = outcome.target_position
    source = h.ledger.load(PartyMember, member_id)
    return CommandResult(
        member_id,
        source.version,
        outcome.source_position,
        {
            "transfer_id": outcome.transfer_id,
            "source_member_id": str(member_id),
            "target_tenant_id": outcome.target_tenant,
            "target_member_id": str(outcome.target_member_id),
            "source_position": outcome.source_position,
            "target_position": outcome.target_position,
        },
    )


class TransferMember(OnMember):
    """Transfer the member (reason required) to another community on the platform
    (both logs record their side), or register its outflow (流出登记) to an
    organisation outside the platform (``to_organisation``): name exactly one."""

    route = Route("/members/{member_id}/transfer", TAG, 200, TransferAccepted)
    to_tenant_id: TenantId | None = None
    to_organisation: Name | None = Field(
        None, description="an organisation outside the platform (outflow registration)"
    )

    @model_validator(mode="after")
    def _one_destination(self) -> TransferMember:
        if (self.to_tenant_id is None) == (self.to_organisation is None):
            raise ValueError("name either to_tenant_id or to_organisation")
        return self

    def handle(self, h: Handling) -> CommandResult:
        if self.to_organisation is not None:
            return h.ledger.transfer_out_of_platform(
                h.stamp, self.member_id, self.to_organisation, idem=h.idem
            )
        return _transfer(h, self.member_id, self.to_tenant_id)


class ResumeTransfer(OnMember):
    """Finish a transfer left pending (the receiving side failed or was interrupted)."""

    route = Route("/members/{member_id}/transfer/resume", TAG, 200, TransferAccepted)

    def handle(self, h: Handling) -> CommandResult:
        return _transfer(h, self.member_id, None)


class ClaimPost(OnOwnMember):
    """Claim a service post (capacity and the charter's claim limit apply)."""

    route = Route("/members/{member_id}/claims", TAG)
    post_id: UUID

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.claim_post(h.stamp, self.member_id, self.post_id, idem=h.idem)


class ReleasePost(OnOwnMember):
    """Release a held post."""

    route = Route("/members/{member_id}/releases", TAG)
    post_id: UUID

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.release_post(h.stamp, self.member_id, self.post_id, idem=h.idem)


class LogService(OnOwnMember):
    """Log service on a held post: date, hours in (0, 24], what was done."""

    route = Route("/members/{member_id}/service-logs", TAG, 201, WithLogId)
    post_id: UUID
    served_on: Day
    hours: Hours
    what: Text

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.log_service(
            h.stamp,
            self.member_id,
            uuid4().hex[:12],
            self.post_id,
            self.served_on,
            self.hours,
            self.what,
            idem=h.idem,
        )


class ReviewServiceLog(OnMember):
    """Confirm a service log, or reject it with a reason."""

    route = Route("/members/{member_id}/service-logs/{log_id}/review", TAG)
    log_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    confirmed: Flag

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.review_service_log(
            h.stamp, self.member_id, self.log_id, self.confirmed, idem=h.idem
        )


class ReviewYear(OnMember):
    """Year-end review with a feedback note for the member's work unit."""

    route = Route("/members/{member_id}/year-reviews", TAG)
    year: int = Field(ge=2000, le=2100, strict=True)
    rating: ReviewRating
    feedback: Text

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.review_member_year(
            h.stamp, self.member_id, self.year, self.rating, self.feedback, idem=h.idem
        )


class DefinePost(Message):
    """Define a service post with a category and a capacity."""

    route = Route("/posts", TAG, 201)
    title: Name
    category: PostCategory
    capacity: int = Field(ge=1, le=1000, strict=True)
    description: OptionalText = ""

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.define_post(
            h.stamp,
            uuid4(),
            self.title,
            self.category,
            self.capacity,
            self.description,
            idem=h.idem,
        )


class RetirePost(RecordCommand):
    """Retire a post (reason required); open claims end with it."""

    route = Route("/posts/{post_id}/retirement", TAG)
    post_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.post_id

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.retire_post(h.stamp, self.post_id, idem=h.idem)


class HoldActivity(Message):
    """Record a collective service activity."""

    route = Route("/activities", TAG, 201)
    title: Name
    held_on: Day
    participant_ids: list[UUID] = Field(default_factory=list, max_length=500)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.hold_activity(
            h.stamp, uuid4(), self.title, self.held_on, list(self.participant_ids), idem=h.idem
        )

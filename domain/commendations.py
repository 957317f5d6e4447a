"""Commendations (表彰): nominated from a finalised evaluation or directly with a reason,
decided, published, and revocable with a reason.

A commendation lives in the log of the tenant that awards it (a street, or a
community commending its own members and units). Its nominee is a party member or
a member unit of the awarding tenant or of one of its communities, or, for an
advanced party organisation, one of the street's communities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.evaluations import EvaluationStatus, SubjectKind
from domain.periods import Period
from domain.stamp import Stamp


@labelled(
    {
        "outstanding_party_member": "优秀共产党员",
        "advanced_party_organisation": "先进基层党组织",
        "outstanding_member_unit": "优秀成员单位",
    }
)
class CommendationKind(LabelledEnum):
    OUTSTANDING_PARTY_MEMBER = "outstanding_party_member"
    ADVANCED_PARTY_ORGANISATION = "advanced_party_organisation"
    OUTSTANDING_MEMBER_UNIT = "outstanding_member_unit"


@labelled(
    {
        "nominated": "已提名",
        "approved": "已批准",
        "rejected": "未批准",
        "published": "已公布",
        "revoked": "已撤销",
    }
)
class CommendationStatus(LabelledEnum):
    NOMINATED = "nominated"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    REVOKED = "revoked"


@labelled({"meeting": "会议", "document": "文件", "notice_board": "党务公开栏"})
class PublicationChannel(LabelledEnum):
    MEETING = "meeting"
    DOCUMENT = "document"
    NOTICE_BOARD = "notice_board"


S = CommendationStatus


@dataclass(frozen=True)
class EvaluationSource:
    """What a nomination needs to know of the evaluation it comes from."""

    tenant_id: str  # the evaluating tenant, whose log holds the evaluation
    evaluation_id: UUID
    subject_kind: SubjectKind
    subject_id: str
    period: str
    status: EvaluationStatus


def commendation_id(
    tenant_id: str, kind: CommendationKind, nominee_tenant: str, nominee_id: str, period: str
) -> UUID:
    """The id of the one commendation of a kind a tenant holds for a nominee and period:
    a second nomination would take the same id, and is refused."""
    return uuid5(
        NAMESPACE_URL,
        f"gongjian:commendation:{tenant_id}:{kind.value}:{nominee_tenant}:{nominee_id}:{period}",
    )


def check_source(
    kind: CommendationKind,
    nominee_tenant: str,
    nominee_id: str,
    period: str,
    source: EvaluationSource,
) -> None:
    """A source evaluation is final, within the commendation's period, and of the
    nominee (an organisation or unit) or of the member's community (a member)."""
    if source.status is not EvaluationStatus.FINAL:
        raise errors.EvaluationNotFinal(
            f"evaluation {source.evaluation_id} is {source.status.label}, not finalised"
        )
    within, evaluated = Period.parse(period), Period.parse(source.period)
    if not (within.start <= evaluated.start and evaluated.end <= within.end):
        raise errors.InvalidValue(
            f"evaluation {source.evaluation_id} is for {source.period}, outside {period}"
        )
    expected = {
        CommendationKind.ADVANCED_PARTY_ORGANISATION: (SubjectKind.COMMUNITY, nominee_id),
        CommendationKind.OUTSTANDING_MEMBER_UNIT: (SubjectKind.MEMBER_UNIT, nominee_id),
        CommendationKind.OUTSTANDING_PARTY_MEMBER: (SubjectKind.COMMUNITY, nominee_tenant),
    }[kind]
    if (source.subject_kind, source.subject_id) != expected:
        raise errors.InvalidValue(
            f"evaluation {source.evaluation_id} is of {source.subject_kind.value} "
            f"{source.subject_id}, not of {expected[0].value} {expected[1]}"
        )


class Commendation(Aggregate):
    """One nominee's commendation of one kind for one period."""

    TOPIC = "gongjian.Commendation"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Commendation.Created"

    @event("Nominated", topic="gongjian.Commendation.Nominated")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        kind: str,
        nominee_tenant: str,
        nominee_id: str,
        period: str,
        evaluation_tenant: str | None,
        evaluation_id: UUID | None,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.kind = CommendationKind(kind)
        self.nominee_tenant = nominee_tenant
        self.nominee_id = nominee_id
        self.period = period
        self.status = S.NOMINATED

    @classmethod
    def nominate(
        cls,
        stamp: Stamp,
        *,
        kind: CommendationKind,
        nominee_tenant: str,
        nominee_id: str,
        period: str,
        source: EvaluationSource | None,
    ) -> Commendation:
        """Nominate from a finalised evaluation, or directly with a reason (the caller
        checks that the nominee exists)."""
        Period.parse(period)
        if source is None:
            stamp.require_reason("a nomination not from an evaluation")
        else:
            check_source(kind, nominee_tenant, nominee_id, period, source)
        return cls(
            id=commendation_id(stamp.tenant_id, kind, nominee_tenant, nominee_id, period),
            stamp=stamp,
            kind=kind.value,
            nominee_tenant=nominee_tenant,
            nominee_id=nominee_id,
            period=period,
            evaluation_tenant=source.tenant_id if source else None,
            evaluation_id=source.evaluation_id if source else None,
        )

    def decide(self, stamp: Stamp, approved: bool) -> None:
        """Approve, or reject with a reason; only a nominated commendation is decided."""
        self._not_revoked()
        if self.status is not S.NOMINATED:
            raise errors.CommendationDecided(f"the commendation is already {self.status.label}")
        if not approved:
            stamp.require_reason("rejecting a nomination")
        self._decided(stamp, S.APPROVED.value if approved else S.REJECTED.value)

    def publish(self, stamp: Stamp, published_on: date, channel: PublicationChannel) -> None:
        """Publish an approved commendation: on which day, through which channel."""
        self._not_revoked()
        if self.status is S.PUBLISHED:
            raise errors.CommendationPublished("the commendation is already published")
        if self.status is not S.APPROVED:
            raise errors.CommendationNotApproved(
                f"the commendation is {self.status.label}: only an approved one is published"
            )
        self._published(stamp, published_on, channel.value)

    def revoke(self, stamp: Stamp) -> None:
        """Revoke (a nomination, an approval or a published commendation), with a reason."""
        self._not_revoked()
        if self.status is S.REJECTED:
            raise errors.CommendationNotApproved("a rejected nomination has nothing to revoke")
        stamp.require_reason("revoking a commendation")
        self._revoked(stamp)

    def _not_revoked(self) -> None:
        if self.status is S.REVOKED:
            raise errors.CommendationRevoked("the commendation was revoked")

    @event("Decided", topic="gongjian.Commendation.Decided")
    def _decided(self, stamp: Stamp, outcome: str) -> None:
        self.status = S(outcome)

    @event("Published", topic="gongjian.Commendation.Published")
    def _published(self, stamp: Stamp, published_on: date, channel: str) -> None:
        self.status = S.PUBLISHED

    @event("Revoked", topic="gongjian.Commendation.Revoked")
    def _revoked(self, stamp: Stamp) -> None:
        self.status = S.REVOKED

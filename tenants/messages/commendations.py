"""Commands on commendations (表彰): nominate, decide, publish, revoke.

A commendation is sent to the tenant that awards it. Its manager (a street admin,
or a community secretary commending its own members and units) nominates and
decides; a community secretary also nominates its own members, units or community
to its street, which decides.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from domain import errors
from domain.commendations import CommendationKind, EvaluationSource, PublicationChannel
from domain.evaluations import Evaluation, SubjectKind
from domain.members import MemberStatus, PartyMember
from domain.tenants import TenantKind
from domain.units import MemberUnit
from tenants.ledger import CommandResult
from tenants.messages.base import Handling, Message, RecordCommand, Route
from tenants.messages.fields import Day, Period, Ref, TenantId
from tenants.pipeline.errors import Forbidden
from tenants.registry import Ledgers

TAG = "commendations"
K = CommendationKind


def _uuid(value: str, what: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise errors.NotFound(f"no {what} {value}") from None


def check_nominee(
    ledgers: Ledgers, awarding: str, kind: CommendationKind, nominee_id: str, nominee_tenant: str
) -> None:
    """The nominee exists where the awarding tenant may commend it: a member or unit of
    the awarding tenant or of one of its communities; for an advanced party
    organisation, a community of the awarding street."""
    if kind is K.ADVANCED_PARTY_ORGANISATION:
        if ledgers[awarding].tenant().kind is not TenantKind.STREET:
            raise errors.InvalidValue("party organisations are commended by their street")
        if ledgers[nominee_id].tenant().parent_id != awarding:
            raise errors.NotFound(f"no community {nominee_id} under {awarding}")
        return
    if nominee_tenant != awarding and ledgers[nominee_tenant].tenant().parent_id != awarding:
        raise errors.NotFound(f"no community {nominee_tenant} under {awarding}")
    ledger = ledgers[nominee_tenant]
    if kind is K.OUTSTANDING_MEMBER_UNIT:
        unit = ledger.load(MemberUnit, _uuid(nominee_id, "member unit"))
        if not unit.active:
            raise errors.UnitHasLeft(f"unit {unit.name} has left")
        return
    member = ledger.load(PartyMember, _uuid(nominee_id, "party member"))
    if member.status is not MemberStatus.ACTIVE:
        raise errors.MemberNotActive(f"member {nominee_id} is {member.status.value}")


def find_source(ledgers: Ledgers, tenants: list[str], evaluation_id: UUID) -> EvaluationSource:
    """The evaluation, read from the first of ``tenants`` whose log holds it."""
    for tenant_id in dict.fromkeys(tenants):
        ledger = ledgers[tenant_id]
        if evaluation_id in ledger.repository:
            evaluation = ledger.load(Evaluation, evaluation_id)
            return EvaluationSource(
                tenant_id=tenant_id,
                evaluation_id=evaluation_id,
                subject_kind=SubjectKind(evaluation.subject_kind),
                subject_id=evaluation.subject_id,
                period=evaluation.period,
                status=evaluation.status,
            )
    raise errors.NotFound(f"no evaluation {evaluation_id} of {' or '.join(tenants)}")


class NominateCommendation(Message):
    """Nominate a member, unit or community for a commendation: from a finalised
    evaluation (`evaluation_id`), or directly with a reason."""

    route = Route("/commendations", TAG, 201)
    kind: CommendationKind
    nominee_id: Ref
    nominee_tenant: TenantId | None = None
    period: Period
    evaluation_id: UUID | None = None

    def handle(self, h: Handling) -> CommandResult:
        awarding = h.tenant_id
        organisation = self.kind is K.ADVANCED_PARTY_ORGANISATION
        if organisation and self.nominee_tenant not in (None, self.nominee_id):
            raise errors.InvalidValue(
                "a party organisation is its own community: omit nominee_tenant"
            )
        nominee_tenant = self.nominee_id if organisation else (self.nominee_tenant or awarding)
        # A community secretary nominating to its street acts for its own community only.
        caller = h.principal.tenant_id
        if caller not in (None, awarding) and caller != nominee_tenant:
            raise Forbidden("a community nominates only its own community, members and units")
        check_nominee(h.ledgers, awarding, self.kind, self.nominee_id, nominee_tenant)
        source = None
        if self.evaluation_id is not None:
            # Where evaluations are kept: a street's of its communities, a community's
            # of its units.
            parent = h.ledgers[nominee_tenant].tenant().parent_id
            places = [awarding, nominee_tenant, *([parent] if parent else [])]
            source = find_source(h.ledgers, places, self.evaluation_id)
        return h.ledger.nominate_commendation(
            h.stamp, self.kind, nominee_tenant, self.nominee_id, self.period, source, idem=h.idem
        )


class OnCommendation(RecordCommand):
    """A command on one commendation."""

    commendation_id: UUID

    def target(self, tenant_id: str) -> UUID:
        return self.commendation_id


class DecideCommendation(OnCommendation):
    """Approve a nomination, or reject it (reason required)."""

    route = Route("/commendations/{commendation_id}/decision", TAG)
    outcome: Literal["approved", "rejected"]

    def handle(self, h: Handling) -> CommandResult:
        approved = self.outcome == "approved"
        return h.ledger.decide_commendation(h.stamp, self.commendation_id, approved, idem=h.idem)


class PublishCommendation(OnCommendation):
    """Publish an approved commendation: the day and the channel (会议, 文件, 党务公开栏)."""

    route = Route("/commendations/{commendation_id}/publication", TAG)
    published_on: Day
    channel: PublicationChannel

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.publish_commendation(
            h.stamp, self.commendation_id, self.published_on, self.channel, idem=h.idem
        )


class RevokeCommendation(OnCommendation):
    """Revoke a commendation, published or not (reason required)."""

    route = Route("/commendations/{commendation_id}/revocation", TAG)

    def handle(self, h: Handling) -> CommandResult:
        return h.ledger.revoke_commendation(h.stamp, self.commendation_id, idem=h.idem)

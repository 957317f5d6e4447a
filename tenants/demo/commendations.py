"""Demo data: the street's commendation round after its 2026H1 evaluation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from domain.commendations import CommendationKind, EvaluationSource, PublicationChannel
from domain.evaluations import EvaluationStatus, SubjectKind, evaluation_id
from domain.stamp import Actor, Stamp
from tenants.commands.ledger import Ledger
from tenants.demo.engagement import MakeId

PERIOD = "2026H1"


def commend_after_evaluation(
    street: Ledger, secretary: str, communities: list[str], make_id: MakeId
) -> None:
    """Nominate the best-evaluated community (先进基层党组织) and one of its members
    (优秀共产党员) from their 2026H1 evaluation, approve and publish both; nominate a
    member of another community directly, and reject it."""
    actor = Actor(secretary, "street_admin")

    def s(day: date, reason: str | None = None) -> Stamp:
        at = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)  # 09:00 in Shanghai
        return Stamp(street.tenant_id, actor, occurred_at=at, reason=reason)

    def source(community: str) -> EvaluationSource:
        found = evaluation_id(street.tenant_id, SubjectKind.COMMUNITY, community, PERIOD)
        return EvaluationSource(
            street.tenant_id,
            found,
            SubjectKind.COMMUNITY,
            community,
            PERIOD,
            EvaluationStatus.FINAL,
        )

    best, other = communities[0], communities[1]
    member: UUID = make_id(best, "member", 0)
    published = [
        (CommendationKind.ADVANCED_PARTY_ORGANISATION, best, best),
        (CommendationKind.OUTSTANDING_PARTY_MEMBER, best, str(member)),
    ]
    for kind, nominee_tenant, nominee in published:
        made = street.nominate_commendation(
            s(date(2026, 7, 20)), kind, nominee_tenant, nominee, PERIOD, source(nominee_tenant)
        )
        commendation = made.record_id
        street.decide_commendation(s(date(2026, 7, 24)), commendation, approved=True)
        street.publish_commendation(
            s(date(2026, 7, 28)), commendation, date(2026, 7, 28), PublicationChannel.DOCUMENT
        )
    direct = street.nominate_commendation(
        s(date(2026, 7, 20), "常年结对帮扶独居老人"),
        CommendationKind.OUTSTANDING_PARTY_MEMBER,
        other,
        str(make_id(other, "member", 2)),
        PERIOD,
        None,
    )
    street.decide_commendation(
        s(date(2026, 7, 24), "本期名额已满，列入下期推荐"), direct.record_id, approved=False
    )

"""Figures computed from recorded facts: shown to scorers beside rubric items, and
frozen into a community's report upward (``projections.upward_figures``).

Each returns a ``Figure`` (numerator / denominator, exact); none of them is a score.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select

from domain import commitments as commitment_rules
from domain.evaluations import SubjectKind
from domain.figures import PARTICIPATION_TARGET, SATISFACTION_TARGET, Figure
from domain.members import MemberClass, MemberStatus
from domain.periods import Period
from domain.resolutions import ResolutionStatus
from domain.rubrics import Indicator
from projections import rules
from projections.queries import Reader
from projections.tables import attendance, meetings, resolutions
from projections.tables_affairs import affair_feedback
from projections.tables_engagement import activities, commitments, members, ratings, service_logs
from projections.temporal import visible_at


def period_span(period: Period) -> tuple[datetime, datetime]:
    """The period's days as a half-open range of UTC moments (as every figure here counts)."""
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    return start, datetime.combine(period.end, time.min, tzinfo=UTC) + timedelta(days=1)


def meeting_attendance(
    engine: Reader,
    tenant_id: str,
    period: Period,
    unit_id: str | None = None,
    position: int | None = None,
) -> Figure:
    """Units present over units notified, for meetings held in the period."""
    start, end = period_span(period)
    held = and_(
        meetings.c.tenant_id == attendance.c.tenant_id,
        meetings.c.meeting_id == attendance.c.meeting_id,
        rules.held_meeting(meetings),
        meetings.c.scheduled_for >= start,
        meetings.c.scheduled_for < end,
    )
    query = (
        select(attendance.c.signed_in)
        .join(meetings, held)
        .where(
            attendance.c.tenant_id == tenant_id,
            visible_at(attendance, position),
            visible_at(meetings, position),
        )
    )
    if unit_id is not None:
        query = query.where(attendance.c.unit_id == unit_id)
    with engine.connect() as conn:
        rows = [bool(r) for r in conn.execute(query).scalars()]
    return Figure(sum(rows), len(rows))


def resolutions_on_time(
    engine: Reader,
    tenant_id: str,
    period: Period,
    unit_id: str | None = None,
    position: int | None = None,
) -> Figure:
    """Resolutions due in the period that were verified by their deadline."""
    query = select(
        resolutions.c.deadline,
        resolutions.c.verified_at,
        resolutions.c.responsible,
        resolutions.c.status,
    ).where(
        resolutions.c.tenant_id == tenant_id,
        resolutions.c.deadline >= period.start,
        resolutions.c.deadline <= period.end,
        resolutions.c.status != ResolutionStatus.SUPERSEDED.value,
        visible_at(resolutions, position),
    )
    with engine.connect() as conn:
        rows = [r for r in conn.execute(query) if unit_id is None or unit_id in r.responsible]
    on_time = sum(
        1 for r in rows if r.verified_at is not None and _day(r.verified_at) <= r.deadline
    )
    return Figure(on_time, len(rows))


def _day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).date()


def commitment_satisfaction(
    engine: Reader,
    tenant_id: str,
    within: Period | None = None,
    maker_id: str | None = None,
    position: int | None = None,
) -> Figure:
    """Current ratings of 4 or 5 over all current ratings (optionally rating periods
    inside ``within``, and one maker's commitments)."""
    query = (
        select(ratings.c.rating, ratings.c.period)
        .join(
            commitments,
            and_(
                commitments.c.tenant_id == ratings.c.tenant_id,
                commitments.c.commitment_id == ratings.c.commitment_id,
            ),
        )
        .where(
            ratings.c.tenant_id == tenant_id,
            ratings.c.current.is_(True),
            visible_at(ratings, position),
            visible_at(commitments, position),
        )
    )
    if maker_id is not None:
        query = query.where(commitments.c.maker_id == maker_id)
    with engine.connect() as conn:
        values = [
            r.rating
            for r in conn.execute(query)
            if within is None or _inside(Period.parse(r.period), within)
        ]
    return satisfaction_of(values)


def _inside(period: Period, within: Period) -> bool:
    return within.start <= period.start and period.end <= within.end


def satisfaction_of(ratings: list[int]) -> Figure:
    """Ratings of 4 or 5 over all ratings, against the 90% target."""
    satisfied, rated = commitment_rules.satisfaction(ratings)
    return Figure(satisfied, rated, SATISFACTION_TARGET)


def affair_satisfaction(
    engine: Reader, tenant_id: str, within: Period | None = None, position: int | None = None
) -> Figure:
    """Residents' feedback on affairs (given inside ``within``, if any) that was
    satisfied, over all feedback given, against the 90% target."""
    f = affair_feedback
    query = select(f.c.satisfied).where(f.c.tenant_id == tenant_id, visible_at(f, position))
    if within is not None:
        query = query.where(f.c.given_on >= within.start, f.c.given_on <= within.end)
    with engine.connect() as conn:
        given = [bool(satisfied) for satisfied in conn.execute(query).scalars()]
    return Figure(sum(given), len(given), SATISFACTION_TARGET)


def post_participation(
    engine: Reader,
    tenant_id: str,
    on: date,
    days: int = 60,
    position: int | None = None,
    since: date | None = None,
) -> Figure:
    """Members whose membership is here who took part in the window: confirmed
    service on a post, or a collective service activity. The window is the ``days``
    up to ``on``, or the days from ``since`` to ``on`` (an evaluation's period)."""
    first = since if since is not None else on - timedelta(days=days - 1)
    eligible = select(members.c.member_id).where(
        members.c.tenant_id == tenant_id,
        members.c.status == MemberStatus.ACTIVE.value,
        members.c.member_class != MemberClass.IN_SERVICE.value,
        visible_at(members, position),
    )
    served = select(service_logs.c.member_id).where(
        service_logs.c.tenant_id == tenant_id,
        rules.confirmed_log(service_logs),
        service_logs.c.served_on >= first,
        service_logs.c.served_on <= on,
        visible_at(service_logs, position),
    )
    collective = select(activities.c.participant_ids).where(
        activities.c.tenant_id == tenant_id,
        activities.c.held_on >= first,
        activities.c.held_on <= on,
        visible_at(activities, position),
    )
    with engine.connect() as conn:
        pool = set(conn.execute(eligible).scalars())
        took_part = set(conn.execute(served).scalars())
        for participants in conn.execute(collective).scalars():
            took_part.update(participants or [])
        active = took_part & pool
    return Figure(len(active), len(pool), PARTICIPATION_TARGET)


def last_collective_activity(
    engine: Reader, tenant_id: str, on: date, position: int | None = None
) -> date | None:
    """The date of the last collective service activity on or before ``on``."""
    query = select(func.max(activities.c.held_on)).where(
        activities.c.tenant_id == tenant_id,
        activities.c.held_on <= on,
        visible_at(activities, position),
    )
    with engine.connect() as conn:
        held: date | None = conn.execute(query).scalar()
    return held


def figure_for(
    engine: Reader,
    indicator: Indicator,
    subject_kind: str,
    subject_id: str,
    evaluator_id: str,
    period: Period,
    positions: dict[str, int] | None = None,
) -> Figure | None:
    """The indicator's figure for an evaluation's subject and period, each tenant's
    rows read as of its position in ``positions`` (absent: now)."""
    if subject_kind == SubjectKind.COMMUNITY:
        tenant, unit = subject_id, None
    else:
        tenant, unit = evaluator_id, subject_id
    at = (positions or {}).get(tenant)
    if indicator is Indicator.MEETING_ATTENDANCE_RATE:
        return meeting_attendance(engine, tenant, period, unit, at)
    if indicator is Indicator.RESOLUTIONS_ON_TIME:
        return resolutions_on_time(engine, tenant, period, unit, at)
    if indicator is Indicator.COMMITMENT_SATISFACTION:
        return commitment_satisfaction(engine, tenant, period, unit, at)
    if unit is not None:
        return None  # participation is a community's figure
    return post_participation(engine, tenant, period.end, position=at, since=period.start)

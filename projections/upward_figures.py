"""The figures a community's report upward carries, composed from its read models as
of one position of its log, with the indicators the street's evaluations show.

The read side composes them because the read side already counts these facts (one
definition of each figure, not a second count over the aggregates); the position
makes them exact and checkable: the community read as of it shows the same figures.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Table, func, select

from domain import commitments as commitment_rules
from domain import errors
from domain.meetings import MeetingKind
from domain.periods import Period
from domain.resolutions import ResolutionStatus
from domain.upward_reports import ReportFigures
from projections import indicators, queries, rules
from projections.queries import Reader
from projections.runner import Projector
from projections.tables import meetings, resolutions
from projections.tables_affairs import affairs
from projections.tables_engagement import commitments
from projections.temporal import visible_at

EXECUTED = (ResolutionStatus.COMPLETED.value, ResolutionStatus.VERIFIED.value)


def compose(
    reader: Reader, tenant_id: str, period: Period, on: date, position: int
) -> ReportFigures:
    """The community's figures for ``period`` as of ``position``, overdue and lapsed
    judged on ``on`` (its date of filing)."""
    adopted, executed, verified = _resolutions_adopted(reader, tenant_id, period, position)
    due, fulfilled, lapsed = _commitments_due(reader, tenant_id, period, on, position)
    a = affairs
    return ReportFigures(
        meetings_held=_meetings_held(reader, tenant_id, period, position),
        unit_attendance=indicators.meeting_attendance(reader, tenant_id, period, None, position),
        resolutions_adopted=adopted,
        resolutions_executed=executed,
        resolutions_verified=verified,
        resolutions_on_time=indicators.resolutions_on_time(
            reader, tenant_id, period, None, position
        ),
        resolutions_overdue=_count(
            reader, resolutions, tenant_id, position, rules.overdue_resolution(resolutions, on)
        ),
        member_participation=indicators.post_participation(
            reader, tenant_id, period.end, position=position, since=period.start
        ),
        commitments_due=due,
        commitments_fulfilled=fulfilled,
        commitments_lapsed=lapsed,
        commitment_satisfaction=indicators.commitment_satisfaction(
            reader, tenant_id, period, None, position
        ),
        affairs_received=_count(
            reader, a, tenant_id, position, a.c.received_on.between(period.start, period.end)
        ),
        affairs_closed=_count(
            reader, a, tenant_id, position, a.c.closed_on.between(period.start, period.end)
        ),
        affairs_overdue=_count(reader, a, tenant_id, position, rules.overdue_affair(a, on)),
        affair_satisfaction=indicators.affair_satisfaction(reader, tenant_id, period, position),
    )


def _count(
    reader: Reader, table: Table, tenant_id: str, position: int, *where: ColumnElement[bool]
) -> int:
    """How many of the tenant's rows of ``table`` match ``where`` as of ``position``."""
    mine = [table.c.tenant_id == tenant_id, visible_at(table, position)]
    return queries.count(reader, table, [*mine, *where])


def _meetings_held(reader: Reader, tenant_id: str, period: Period, position: int) -> dict[str, int]:
    """Meetings held in the period, by kind (every kind, none held: 0)."""
    m = meetings
    start, end = indicators.period_span(period)
    query = (
        select(m.c.kind, func.count())
        .where(
            m.c.tenant_id == tenant_id,
            rules.held_meeting(m),
            m.c.scheduled_for >= start,
            m.c.scheduled_for < end,
            visible_at(m, position),
        )
        .group_by(m.c.kind)
    )
    with reader.connect() as conn:
        held = {kind: int(n) for kind, n in conn.execute(query)}
    return {kind.value: held.get(kind.value, 0) for kind in MeetingKind}


def _resolutions_adopted(
    reader: Reader, tenant_id: str, period: Period, position: int
) -> tuple[int, int, int]:
    """Resolutions adopted in the period; of those, the ones every responsible unit
    reported done (or verified), and the ones verified."""
    r = resolutions
    start, end = indicators.period_span(period)
    query = select(r.c.status).where(
        r.c.tenant_id == tenant_id,
        r.c.adopted_at >= start,
        r.c.adopted_at < end,
        visible_at(r, position),
    )
    with reader.connect() as conn:
        statuses = list(conn.execute(query).scalars())
    verified = statuses.count(ResolutionStatus.VERIFIED.value)
    return len(statuses), sum(1 for s in statuses if s in EXECUTED), verified


def _commitments_due(
    reader: Reader, tenant_id: str, period: Period, on: date, position: int
) -> tuple[int, int, int]:
    """Public commitments due in the period; of those, the fulfilled and the lapsed."""
    c = commitments
    query = select(c.c.due, c.c.status).where(
        c.c.tenant_id == tenant_id,
        c.c.due >= period.start,
        c.c.due <= period.end,
        visible_at(c, position),
    )
    with reader.connect() as conn:
        due = list(conn.execute(query))
    fulfilled = sum(1 for r in due if r.status == commitment_rules.C.FULFILLED.value)
    lapsed = sum(1 for r in due if commitment_rules.is_lapsed(r.due, r.status, on))
    return len(due), fulfilled, lapsed


class ReadModelFigures:
    """The figures a filing carries, composed once the community's read models reflect
    its whole log (projecting it through its head here if no one else has)."""

    def __init__(self, projector: Projector, wait: float) -> None:
        self.projector = projector
        self.wait = wait

    def __call__(self, tenant_id: str, period: Period, on: date) -> tuple[ReportFigures, int]:
        engine = self.projector.engine
        head = queries.head_position(engine, tenant_id)
        if not self.projector.project_through(tenant_id, head, self.wait):
            raise errors.FiguresUnavailable(
                f"the records of {tenant_id} are not yet readable through position {head} "
                "(projection behind or parked): nothing was filed; try again"
            )
        return compose(engine, tenant_id, period, on, head), head

"""GraphQL types for reports upward: a community's filed reports, and the reports its
street received, each with every revision's frozen figures and narrative."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.figures import Share
from api.graphql.filters import UpwardReportStatusFilter, value
from api.graphql.nodes import Node
from api.graphql.paging import Connection, Window, page
from api.graphql.records import record_fields
from api.graphql.tenant_engagement import parse_period, visible_rows
from api.graphql.types import Ctx, Event, history_of
from domain.meetings import MeetingKind
from domain.upward_reports import NarrativeSection, ReportFigures
from projections.tables_upward_reports import (
    UPWARD_REPORT_REVISIONS,
    UPWARD_REPORTS,
    upward_report_revisions,
    upward_reports,
)


@strawberry.type(description="Meetings of one kind held in the period.")
class MeetingsHeld:
    kind: str
    kind_label: str
    count: int


@strawberry.type(description="A section of the report's narrative, in the secretary's words.")
class NarrativePart:
    section: str = strawberry.field(description="achievements | problems | plans")
    section_label: str
    text: str


@strawberry.type(
    description="What the community's records showed for the period when it filed, "
    "frozen in the filing: later records never change them. Read the community as of "
    "the revision's `reflectsPosition` to see the records behind them."
)
class UpwardReportFigures:
    meetings_held: list[MeetingsHeld] = strawberry.field(
        description="meetings held in the period, by kind"
    )
    unit_attendance: Share = strawberry.field(
        description="units present over units notified, at the meetings held in the period"
    )
    resolutions_adopted: int = strawberry.field(description="adopted at meetings in the period")
    resolutions_executed: int = strawberry.field(
        description="of those, reported done by every responsible unit (verified or not)"
    )
    resolutions_verified: int = strawberry.field(description="of those, verified")
    resolutions_on_time: Share = strawberry.field(
        description="resolutions due in the period, verified by their deadline"
    )
    resolutions_overdue: int = strawberry.field(
        description="resolutions overdue on the day of filing, whenever adopted"
    )
    member_participation: Share = strawberry.field(
        description="members whose membership is here who served or joined a collective "
        "activity in the period; target 0.6"
    )
    commitments_due: int = strawberry.field(description="public commitments due in the period")
    commitments_fulfilled: int = strawberry.field(description="of those, fulfilled")
    commitments_lapsed: int = strawberry.field(description="of those, lapsed on the day of filing")
    commitment_satisfaction: Share = strawberry.field(
        description="residents' ratings for rating periods in the period; target 0.9"
    )
    affairs_received: int = strawberry.field(description="residents' affairs received")
    affairs_closed: int = strawberry.field(description="affairs closed (the resident satisfied)")
    affairs_overdue: int = strawberry.field(description="affairs overdue on the day of filing")
    affair_satisfaction: Share = strawberry.field(
        description="residents' feedback given in the period that was satisfied; target 0.9"
    )

    @classmethod
    def of(cls, data: dict[str, Any]) -> UpwardReportFigures:
        f = ReportFigures.from_dict(data)
        return cls(
            meetings_held=[
                MeetingsHeld(kind=kind, kind_label=MeetingKind(kind).label, count=count)
                for kind, count in f.meetings_held.items()
            ],
            unit_attendance=Share.of(f.unit_attendance),
            resolutions_adopted=f.resolutions_adopted,
            resolutions_executed=f.resolutions_executed,
            resolutions_verified=f.resolutions_verified,
            resolutions_on_time=Share.of(f.resolutions_on_time),
            resolutions_overdue=f.resolutions_overdue,
            member_participation=Share.of(f.member_participation),
            commitments_due=f.commitments_due,
            commitments_fulfilled=f.commitments_fulfilled,
            commitments_lapsed=f.commitments_lapsed,
            commitment_satisfaction=Share.of(f.commitment_satisfaction),
            affairs_received=f.affairs_received,
            affairs_closed=f.affairs_closed,
            affairs_overdue=f.affairs_overdue,
            affair_satisfaction=Share.of(f.affair_satisfaction),
        )


@strawberry.type(description="One filing of a report, and the street's decision on it.")
@record_fields(UPWARD_REPORT_REVISIONS)
class UpwardReportRevision:
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="the figures frozen at filing")
    def figures(self) -> UpwardReportFigures:
        return UpwardReportFigures.of(self.row.figures)

    @strawberry.field(description="the narrative's sections, in order (those written)")
    def narrative(self) -> list[NarrativePart]:
        written: dict[str, str] = self.row.narrative
        return [
            NarrativePart(section=s.value, section_label=s.label, text=written[s.value])
            for s in NarrativeSection
            if s.value in written
        ]


@strawberry.type(
    description="A community's report on a period to its street (向街道报告), as one "
    "log keeps it: filed (the community's) or received (the street's)."
)
@record_fields(UPWARD_REPORTS)
class UpwardReport(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="every revision, the first filing first")
    async def revisions(self, info: Ctx) -> list[UpwardReportRevision]:
        r = upward_report_revisions
        mine = r.c.report_id == self.row.report_id
        rows = await visible_rows(info, r, self.row.tenant_id, mine, order=[r.c.revision])
        return [UpwardReportRevision(row=row) for row in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.report_id)


async def _reports(
    info: Ctx,
    tenant_id: str,
    window: Window,
    side: Any,
    period: str | None,
    status: UpwardReportStatusFilter | None,
) -> Connection[UpwardReport]:
    u = upward_reports
    parse_period(period)
    filters = [side]
    if period:
        filters.append(u.c.period == period)
    if status:
        filters.append(u.c.status == value(status))
    return await page(
        info, u, tenant_id, [u.c.created_position, u.c.report_id], window,
        lambda r: UpwardReport(row=r), descending=False, filters=filters,
    )  # fmt: skip


@strawberry.type
class TenantUpwardReports:
    """A community's reports to its street, and a street's from its communities
    (fields of Tenant)."""

    row: strawberry.Private[Row[Any]]

    @strawberry.field(
        description="The reports this community filed to its street, in the order first "
        "filed; `period` (e.g. 2026H1) and `status` filter."
    )
    async def upward_reports(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        period: str | None = None,
        status: UpwardReportStatusFilter | None = None,
    ) -> Connection[UpwardReport]:
        tenant_id, window = self.row.tenant_id, Window(first, after, last, before)
        side = upward_reports.c.community_id == tenant_id
        return await _reports(info, tenant_id, window, side, period, status)

    @strawberry.field(
        description="The reports this street received from its communities, in the order "
        "first received; `period`, `status` and `communityId` filter."
    )
    async def received_reports(
        self,
        info: Ctx,
        first: int = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        period: str | None = None,
        status: UpwardReportStatusFilter | None = None,
        community_id: strawberry.ID | None = None,
    ) -> Connection[UpwardReport]:
        u, tenant_id = upward_reports, self.row.tenant_id
        side = u.c.street_id == tenant_id
        if community_id is not None:
            side = side & (u.c.community_id == str(community_id))
        window = Window(first, after, last, before)
        return await _reports(info, tenant_id, window, side, period, status)

    @strawberry.field(description="A report this tenant's log keeps (filed or received).")
    async def upward_report(self, info: Ctx, id: strawberry.ID) -> UpwardReport | None:
        u = upward_reports
        found = await visible_rows(info, u, self.row.tenant_id, u.c.report_id == str(id))
        return UpwardReport(row=found[0]) if found else None

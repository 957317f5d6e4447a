"""Read records of the tenant tree, meetings and resolutions, and the event feed.

Each is declared once (``projections.records``): its table is derived here and
its GraphQL fields in ``api.graphql``. Every primary key is led by ``tenant_id``.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, String, Text

from domain.agenda import ItemKind, ItemStatus
from domain.decisions import Outcome, Position
from domain.meetings import MeetingKind, MeetingStatus
from domain.resolutions import ReportKind, ResolutionStatus
from domain.tenants import TenantKind
from domain.units import UnitKind
from projections.records import TENANT, Field, Masking, Personal, Record, UtcDateTime, key
from projections.records import read_metadata as read_metadata
from projections.tables_evidence import files_field
from tenants.store.partitions import SHARED

TENANTS = Record(
    "rm_tenants",
    keys=(),
    fields=(
        key("tenant_id", TENANT, exposed_as="id"),
        Field("kind", String(20), labels=TenantKind),
        Field("name", Text()),
        key("parent_id", TENANT, nullable=True, index=True, exposed=False),
        Field("charter", JSON()),
        key(
            "charter_resolution_id",
            nullable=True,
            description="the plenary resolution that adopted the charter as it now reads "
            "(null: as registered, or amended before amendments cited one)",
        ),
        Field("registered_at", UtcDateTime()),
        Field("version", Integer(), exposed=False),
    ),
)

STREET_COMMUNITIES = Record(
    "rm_street_communities",  # tenant_id is the street
    keys=("community_id",),
    fields=(key("community_id", TENANT),),
)

UNITS = Record(
    "rm_units",
    keys=("unit_id",),
    fields=(
        key("unit_id", exposed_as="id"),
        Field("name", Text()),
        Field("kind", String(40), labels=UnitKind),
        # Personal data: a Person, its fields masked one by one; shown by hand.
        Field(
            "representative",
            JSON(),
            nullable=True,
            personal=Personal(Masking.PERSON, owner="unit_id"),
        ),
        Field("liaison", JSON(), nullable=True, personal=Personal(Masking.PERSON, owner="unit_id")),
        Field("active", Boolean()),
        Field("joined_at", UtcDateTime()),
        Field("version", Integer()),
    ),
)

MEETINGS = Record(
    "rm_meetings",
    keys=("meeting_id",),
    fields=(
        key("meeting_id", exposed_as="id"),
        Field("kind", String(20), labels=MeetingKind),
        Field("title", Text()),
        Field("status", String(20), labels=MeetingStatus),
        Field("scheduled_for", UtcDateTime()),
        Field("location", Text()),
        Field("charter", JSON()),
        Field("notice_issued_at", UtcDateTime(), nullable=True),
        key(
            "chair_unit_id",
            nullable=True,
            description="the unit whose attendee chaired the meeting, recorded when it "
            "opened (null: not opened, or opened before the chair was recorded)",
        ),
        Field("extraordinary", Boolean(), default=False),
        Field("minutes", Text(), nullable=True),
        Field("minutes_issued_at", UtcDateTime(), nullable=True),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
    indexes={"rm_meetings_schedule_idx": ("tenant_id", "scheduled_for", "meeting_id")},
)

AGENDA_ITEMS = Record(
    "rm_agenda_items",
    keys=("meeting_id", "item_id"),
    fields=(
        key("meeting_id", exposed=False),
        key("item_id", exposed_as="id"),
        Field("seq", Integer(), exposed=False),
        Field("kind", String(20), labels=ItemKind),
        Field("title", Text()),
        Field("status", String(20), labels=ItemStatus),
        Field(
            "outcome",
            String(20),
            nullable=True,
            labels=Outcome,
            description="agreed | not_agreed, once decided",
        ),
        Field("tally", JSON(), nullable=True),
        Field(
            "carried_from",
            String(200),
            nullable=True,
            description="'<meetingId>/<itemId>' of the not-agreed item carried here",
        ),
        key("resolution_id", nullable=True, exposed=False),
        Field("opinions_due", UtcDateTime(), nullable=True),
    ),
)

ATTENDANCE = Record(
    "rm_attendance",
    keys=("meeting_id", "unit_id"),
    fields=(
        key("meeting_id", exposed=False),
        key("unit_id"),
        Field("notified", Boolean(), exposed=False),
        Field("signed_in", Boolean(), exposed=False),
        Field(
            "attendee",
            Text(),
            nullable=True,
            personal=Personal(Masking.SURNAME, owner="unit_id"),
            description="who signed in (masked: the surname, see Person)",
        ),
        Field("substitute", Boolean()),
        Field("on_leave", Boolean(), exposed=False),
        Field("leave_reason", Text(), nullable=True),
        Field(
            "leave_status",
            String(20),
            nullable=True,
            description="requested | approved | refused (null: no leave asked); only "
            "approved leave excuses",
        ),
    ),
)

OPINIONS = Record(
    "rm_opinions",
    keys=("meeting_id", "position", "item_id"),
    fields=(
        key("meeting_id", exposed=False),
        Field("position", BigInteger()),
        key("item_id"),
        key("unit_id"),
        Field("text", Text()),
        Field("with_leave", Boolean(), description="submitted with a leave request"),
        Field(
            "late",
            Boolean(),
            description="given after the time the item's opinions were asked for by",
        ),
    ),
)

MINUTES_RECEIPTS = Record(
    "rm_minutes_receipts",
    keys=("meeting_id", "unit_id"),
    fields=(
        key("meeting_id", exposed=False),
        key("unit_id"),
        Field(
            "acknowledged_at",
            UtcDateTime(),
            nullable=True,
            description="when the unit acknowledged receiving the minutes (null: not yet)",
        ),
    ),
)

POSITIONS = Record(
    "rm_positions",
    keys=("meeting_id", "item_id", "unit_id"),
    fields=(
        key("meeting_id", exposed=False),
        key("item_id", exposed=False),
        key("unit_id"),
        Field("position", String(20), labels=Position),
        Field("reason", Text(), nullable=True),
    ),
)

RESOLUTIONS = Record(
    "rm_resolutions",
    keys=("resolution_id",),
    fields=(
        key("resolution_id", exposed_as="id"),
        key("meeting_id", exposed=False),
        key("item_id"),
        Field("title", Text()),
        Field("action", Text()),
        Field("responsible", JSON(), python=list[str], exposed_as="responsible_unit_ids"),
        Field("deadline", Date()),
        Field("status", String(20), labels=ResolutionStatus),
        Field("notified", JSON(), python=list[str], exposed_as="notified_unit_ids"),
        Field("completed_by", JSON(), python=list[str], exposed_as="completed_by_unit_ids"),
        key("superseded_by", nullable=True),
        Field("adopted_at", UtcDateTime()),
        Field("verified_at", UtcDateTime(), nullable=True, exposed=False),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
    indexes={"rm_resolutions_deadline_idx": ("tenant_id", "deadline")},
)

EXECUTION_REPORTS = Record(
    "rm_execution_reports",
    keys=("resolution_id", "position"),
    fields=(
        key("resolution_id", exposed=False),
        Field("position", BigInteger()),
        key("unit_id"),
        Field("kind", String(20), labels=ReportKind),
        Field("note", Text()),
        Field("evidence", JSON(), python=list[str]),
        files_field(),
        Field("recorded_at", UtcDateTime()),
        Field(
            "returned_reason",
            Text(),
            nullable=True,
            description="set if the convener returned it",
        ),
    ),
)

EVENTS = Record(
    "rm_events",
    keys=("position",),
    temporal=False,
    fields=(
        Field("position", BigInteger()),
        Field("record_type", String(40)),
        key("record_id"),
        Field("type", String(60)),
        Field("version", Integer()),
        Field("recorded_at", UtcDateTime()),
        Field(
            "occurred_at", UtcDateTime(), nullable=True, description="when it happened, if stated"
        ),
        # Masked for readers who may not see personal data: shown by hand.
        Field("actor", JSON()),
        Field("reason", Text(), nullable=True),
        Field("data", JSON()),
    ),
)

RECORD_EVENTS = Record(
    "rm_record_events",
    keys=("record_id", "position"),
    temporal=False,
    fields=(key("record_id", 200), Field("position", BigInteger())),
)

tenants = TENANTS.table
# The tenant tree is read across tenants by design (a street's communities, every
# command's policy check of a parent, listing tenants) and holds one row per tenant
# version: on PostgreSQL it is one plain table, not partitioned by tenant (on Citus, a
# reference table on every node), so that those reads touch one table.
tenants.info[SHARED] = True
street_communities = STREET_COMMUNITIES.table
units = UNITS.table
meetings = MEETINGS.table
agenda_items = AGENDA_ITEMS.table
attendance = ATTENDANCE.table
opinions = OPINIONS.table
positions = POSITIONS.table
minutes_receipts = MINUTES_RECEIPTS.table
resolutions = RESOLUTIONS.table
execution_reports = EXECUTION_REPORTS.table
events = EVENTS.table
record_events = RECORD_EVENTS.table

PROJECTED_TABLES = [
    tenants,
    street_communities,
    units,
    meetings,
    agenda_items,
    attendance,
    opinions,
    positions,
    minutes_receipts,
    resolutions,
    execution_reports,
    events,
    record_events,
]

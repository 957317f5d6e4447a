"""Read records for residents' affairs and the residents' feedback on them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, String, Text

from domain.affairs import AffairChannel, AffairStatus, AssigneeKind
from projections.records import Field, Masking, Personal, Record, UtcDateTime, key
from projections.tables_evidence import files_field

AFFAIRS = Record(
    "rm_affairs",
    keys=("affair_id",),
    fields=(
        key("affair_id", exposed_as="id"),
        # Personal data: a Person (name, phone) masked field by field; shown by hand.
        Field("resident", JSON(), personal=Personal(Masking.PERSON, owner="affair_id")),
        Field("matter", Text(), description="what the resident asks for"),
        Field("channel", String(20), labels=AffairChannel),
        Field("received_on", Date(), description="the tenant's date it was received"),
        Field("status", String(20), labels=AffairStatus),
        Field("assignee_kind", String(20), nullable=True, labels=AssigneeKind),
        key("assignee_id", nullable=True, description="the member unit's or member's id"),
        Field("deadline", Date(), nullable=True),
        Field("result", Text(), nullable=True, description="the assignee's latest result"),
        Field("evidence", JSON(), python=list[str], description="evidence of the latest result"),
        files_field(of=" to the latest result (served to readers who see personal data)"),
        Field("reported_at", UtcDateTime(), nullable=True),
        Field("satisfied", Boolean(), nullable=True, description="the latest feedback"),
        Field("reopened", Integer(), description="times a not-satisfied resident reopened it"),
        Field("closed_on", Date(), nullable=True, description="the day the resident was satisfied"),
        Field("days_to_close", Integer(), nullable=True, description="received to closed, days"),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
    indexes={"ix_rm_affairs_assignee": ("tenant_id", "assignee_id")},
)

AFFAIR_FEEDBACK = Record(
    "rm_affair_feedback",
    keys=("affair_id", "position"),
    fields=(
        key("affair_id", exposed=False),
        Field("position", BigInteger(), exposed=False),
        Field("satisfied", Boolean()),
        Field(
            "comment",
            Text(),
            personal=Personal(Masking.WITHHELD, owner="affair_id"),
            description="the resident's words: null unless the reader may see them",
        ),
        Field("given_on", Date(), description="the tenant's date the feedback was given"),
    ),
)

affairs = AFFAIRS.table
affair_feedback = AFFAIR_FEEDBACK.table

AFFAIR_TABLES = [affairs, affair_feedback]

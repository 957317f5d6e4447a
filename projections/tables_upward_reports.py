"""The read records of reports upward: each report as a log keeps it (the community's
filing, the street's receipt), and every revision with its frozen figures."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Date, Integer, String, Text

from domain.upward_reports import ReportStatus
from projections.records import TENANT, Field, Record, UtcDateTime, key

UPWARD_REPORTS = Record(
    "rm_upward_reports",
    keys=("report_id",),
    fields=(
        key("report_id", exposed_as="id"),
        key("community_id", TENANT, description="the community that files it"),
        key("street_id", TENANT, description="the street it is filed to"),
        key(
            "filed_report_id",
            description="the report's id in the community's log (on the community: this id)",
        ),
        Field("period", String(10)),
        Field("status", String(20), labels=ReportStatus, description="of the latest revision"),
        Field("revision", Integer(), description="the latest revision (1: the first filing)"),
        Field("filed_at", UtcDateTime(), description="when the latest revision was filed"),
        Field("decided_at", UtcDateTime(), nullable=True),
        Field(
            "decision_reason",
            Text(),
            nullable=True,
            description="why the street returned the latest revision",
        ),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

UPWARD_REPORT_REVISIONS = Record(
    "rm_upward_report_revisions",
    keys=("report_id", "revision"),
    fields=(
        key("report_id", exposed=False),
        Field("revision", Integer()),
        Field("status", String(20), labels=ReportStatus),
        Field("filed_at", UtcDateTime()),
        Field(
            "filed_on",
            Date(),
            description="the community's date of filing: overdue and lapsed are judged on it",
        ),
        Field(
            "reflects_position",
            BigInteger(),
            description="the community's log position the figures were composed at: read "
            "the community as of it to see the records behind them",
        ),
        Field("figures", JSON()),
        Field("narrative", JSON()),
        Field("reason", Text(), nullable=True, description="why it was filed again"),
        Field("decided_at", UtcDateTime(), nullable=True),
        Field("decision_reason", Text(), nullable=True),
    ),
)

upward_reports = UPWARD_REPORTS.table
upward_report_revisions = UPWARD_REPORT_REVISIONS.table

UPWARD_REPORT_TABLES = [upward_reports, upward_report_revisions]

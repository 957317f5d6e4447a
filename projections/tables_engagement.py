"""Read-model tables for commitments, members and posts, rubrics and evaluations.

Decimal quantities (hours, points, totals) are stored as strings: exact on both
databases (SQLite has no decimal type).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from projections.tables import ID, TENANT, read_metadata, tenant_column
from projections.temporal import temporal_columns

commitments = Table(
    "rm_commitments",
    read_metadata,
    tenant_column(),
    Column("commitment_id", String(ID), nullable=False),
    Column("maker_kind", String(40), nullable=False),
    Column("maker_id", String(ID), nullable=False),
    Column("text", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("channel", String(20)),
    Column("published_on", Date),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "commitment_id", "valid_from"),
)

milestones = Table(
    "rm_milestones",
    read_metadata,
    tenant_column(),
    Column("commitment_id", String(ID), nullable=False),
    Column("milestone_id", String(ID), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("percent", Integer, nullable=False),
    Column("evidence", JSON, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "commitment_id", "milestone_id", "valid_from"),
)

ratings = Table(
    "rm_ratings",
    read_metadata,
    tenant_column(),
    Column("commitment_id", String(ID), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("resident_id", String(ID), nullable=False),
    Column("period", String(10), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("current", Boolean, nullable=False),
    Column("rated_at", DateTime(timezone=True), nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "commitment_id", "position", "valid_from"),
)

members = Table(
    "rm_members",
    read_metadata,
    tenant_column(),
    Column("member_id", String(ID), nullable=False),
    Column("name", Text, nullable=False),
    Column("member_class", String(20), nullable=False),
    Column("work_unit", Text),
    Column("status", String(20), nullable=False),
    Column("reported_on", Date),
    Column("transferred_from", String(200)),
    Column("transfer_id", String(ID)),
    Column("transfer_to", String(TENANT)),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "member_id", "valid_from"),
)

posts = Table(
    "rm_posts",
    read_metadata,
    tenant_column(),
    Column("post_id", String(ID), nullable=False),
    Column("title", Text, nullable=False),
    Column("category", String(40), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("retired", Boolean, nullable=False),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "post_id", "valid_from"),
)

claims = Table(
    "rm_claims",
    read_metadata,
    tenant_column(),
    Column("post_id", String(ID), nullable=False),
    Column("member_id", String(ID), nullable=False),
    Column("claimed_position", BigInteger, nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", String(20)),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "post_id", "member_id", "claimed_position", "valid_from"),
)

service_logs = Table(
    "rm_service_logs",
    read_metadata,
    tenant_column(),
    Column("member_id", String(ID), nullable=False),
    Column("log_id", String(ID), nullable=False),
    Column("post_id", String(ID), nullable=False),
    Column("served_on", Date, nullable=False),
    Column("hours", String(12), nullable=False),
    Column("what", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reject_reason", Text),
    Column("position", BigInteger, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "member_id", "log_id", "valid_from"),
)

year_reviews = Table(
    "rm_year_reviews",
    read_metadata,
    tenant_column(),
    Column("member_id", String(ID), nullable=False),
    Column("year", Integer, nullable=False),
    Column("rating", String(20), nullable=False),
    Column("feedback", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "member_id", "year", "valid_from"),
)

activities = Table(
    "rm_activities",
    read_metadata,
    tenant_column(),
    Column("activity_id", String(ID), nullable=False),
    Column("title", Text, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("participant_ids", JSON, nullable=False),
    Column("created_position", BigInteger, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "activity_id", "valid_from"),
)

rubrics = Table(
    "rm_rubrics",
    read_metadata,
    tenant_column(),
    Column("rubric_id", String(ID), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "rubric_id", "valid_from"),
)

rubric_revisions = Table(
    "rm_rubric_revisions",
    read_metadata,
    tenant_column(),
    Column("rubric_id", String(ID), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("structure", JSON, nullable=False),
    Column("published", Boolean, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "rubric_id", "revision", "valid_from"),
)

evaluations = Table(
    "rm_evaluations",
    read_metadata,
    tenant_column(),
    Column("evaluation_id", String(ID), nullable=False),
    Column("subject_kind", String(20), nullable=False),
    Column("subject_id", String(ID), nullable=False),
    Column("period", String(10), nullable=False),
    Column("rubric_id", String(ID), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("structure", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("source_totals", JSON),
    Column("weighted_total", String(40)),
    Column("finalised_at", DateTime(timezone=True)),
    # Per tenant, the log position its indicator figures were read at when finalised.
    Column("evidence_at", JSON),
    Column("created_position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "evaluation_id", "valid_from"),
)

scores = Table(
    "rm_scores",
    read_metadata,
    tenant_column(),
    Column("evaluation_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("source_id", String(ID), nullable=False),
    Column("points", String(20), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("revisions", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "evaluation_id", "item_id", "source_id", "valid_from"),
)

rectifications = Table(
    "rm_rectifications",
    read_metadata,
    tenant_column(),
    Column("evaluation_id", String(ID), nullable=False),
    Column("rectification_id", String(ID), nullable=False),
    Column("problem", Text, nullable=False),
    Column("responsible", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("evidence", Text),
    Column("closed_at", DateTime(timezone=True)),
    *temporal_columns(),
    PrimaryKeyConstraint("tenant_id", "evaluation_id", "rectification_id", "valid_from"),
)

ENGAGEMENT_TABLES = [
    commitments,
    milestones,
    ratings,
    members,
    posts,
    claims,
    service_logs,
    year_reviews,
    activities,
    rubrics,
    rubric_revisions,
    evaluations,
    scores,
    rectifications,
]

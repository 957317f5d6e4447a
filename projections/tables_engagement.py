"""Read records for commitments, members and posts, rubrics and evaluations.

Decimal quantities (hours, points, totals) are stored as strings: exact on both
databases (SQLite has no decimal type).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, String, Text

from domain.commitments import Channel, CommitmentStatus, MakerKind
from domain.evaluations import EvaluationStatus, RectificationStatus, SubjectKind
from domain.members import MemberClass, MemberStatus, ReviewRating
from domain.posts import PostCategory
from projections.records import TENANT, Field, Masking, Personal, Record, UtcDateTime, key
from projections.tables_evidence import files_field

SHOWN_TO_READERS_WHO_MAY = "null unless the reader may see personal data"

COMMITMENTS = Record(
    "rm_commitments",
    keys=("commitment_id",),
    fields=(
        key("commitment_id", exposed_as="id"),
        Field("maker_kind", String(40), labels=MakerKind),
        key("maker_id"),
        Field("text", Text()),
        Field("category", Text()),
        Field("due", Date()),
        Field("status", String(20), labels=CommitmentStatus),
        Field("channel", String(20), nullable=True, labels=Channel, exposed=False),
        Field("published_on", Date(), nullable=True),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

MILESTONES = Record(
    "rm_milestones",
    keys=("commitment_id", "milestone_id"),
    fields=(
        key("commitment_id", exposed=False),
        key("milestone_id", exposed_as="id"),
        Field("seq", Integer(), exposed=False),
        Field("title", Text()),
        Field("due", Date()),
        Field("percent", Integer()),
        Field("evidence", JSON(), python=list[str]),
        files_field(of=" to the latest progress report"),
    ),
)

RATINGS = Record(
    "rm_ratings",
    keys=("commitment_id", "position"),
    fields=(
        key("commitment_id", exposed=False),
        Field("position", BigInteger(), exposed=False),
        key(
            "resident_id",
            personal=Personal(Masking.HIDDEN, owner="resident_id"),
            description="*** unless the reader may see personal data",
        ),
        Field("period", String(10)),
        Field("rating", Integer()),
        Field(
            "comment",
            Text(),
            personal=Personal(Masking.WITHHELD, owner="resident_id"),
            description="null unless the reader may see it",
        ),
        Field("current", Boolean(), description="false once the resident rated again"),
        Field("rated_at", UtcDateTime()),
    ),
)

MEMBERS = Record(
    "rm_members",
    keys=("member_id",),
    fields=(
        key("member_id", exposed_as="id"),
        Field(
            "name",
            Text(),
            personal=Personal(Masking.SURNAME, owner="member_id"),
            description="the member's name (masked: the surname, see Person)",
        ),
        Field("member_class", String(20), labels=MemberClass),
        Field(
            "work_unit",
            Text(),
            nullable=True,
            personal=Personal(Masking.WITHHELD, owner="member_id"),
            description=SHOWN_TO_READERS_WHO_MAY,
        ),
        Field("status", String(20), labels=MemberStatus),
        Field(
            "reported_on",
            Date(),
            nullable=True,
            description="when an in-service member reported (报到) here",
        ),
        Field(
            "transferred_from",
            String(200),
            nullable=True,
            description="'<tenant>/<member id>' this member was transferred from, or "
            "'outside:<organisation>' (inflow registration from outside the platform)",
        ),
        Field(
            "transferred_to",
            String(200),
            nullable=True,
            description="the organisation outside the platform the member transferred to "
            "(outflow registration)",
        ),
        key("transfer_id", nullable=True, exposed=False),
        key("transfer_to", TENANT, nullable=True, exposed=False),
        Field("registered_at", UtcDateTime(), exposed=False),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

POSTS = Record(
    "rm_posts",
    keys=("post_id",),
    fields=(
        key("post_id", exposed_as="id"),
        Field("title", Text()),
        Field("category", String(40), labels=PostCategory),
        Field("capacity", Integer()),
        Field("description", Text()),
        Field("retired", Boolean()),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer(), exposed=False),
    ),
)

CLAIMS = Record(
    "rm_claims",
    keys=("post_id", "member_id", "claimed_position"),
    fields=(
        key("post_id"),
        key("member_id"),
        Field("claimed_position", BigInteger(), exposed=False),
        Field("claimed_at", UtcDateTime()),
        Field("ended_at", UtcDateTime(), nullable=True),
        Field(
            "end_reason",
            String(20),
            nullable=True,
            description="released | post_retired, once ended",
        ),
    ),
)


def claim_ref(post_id: str, member_id: str, claimed_position: int) -> str:
    """A claim's id (its record in ``history``): the post, the member, and the log
    position at which the member claimed it (a member may claim a post again later)."""
    return f"{post_id}/{member_id}/{claimed_position}"


SERVICE_LOGS = Record(
    "rm_service_logs",
    keys=("member_id", "log_id"),
    fields=(
        key("member_id", exposed=False),
        key("log_id", exposed_as="id"),
        key("post_id"),
        Field("served_on", Date()),
        Field("hours", String(12), description="exact decimal hours"),
        Field("what", Text()),
        Field("status", String(20), description="pending | confirmed | rejected"),
        Field("reject_reason", Text(), nullable=True),
        Field("position", BigInteger(), exposed=False),
    ),
)

YEAR_REVIEWS = Record(
    "rm_year_reviews",
    keys=("member_id", "year"),
    fields=(
        key("member_id", exposed=False),
        Field("year", Integer()),
        Field("rating", String(20), labels=ReviewRating),
        Field(
            "feedback",
            Text(),
            personal=Personal(Masking.WITHHELD, owner="member_id"),
            description=f"the note fed back to the member's work unit ({SHOWN_TO_READERS_WHO_MAY})",
        ),
        Field("position", BigInteger(), exposed=False),
    ),
)

ACTIVITIES = Record(
    "rm_activities",
    keys=("activity_id",),
    fields=(
        key("activity_id", exposed_as="id"),
        Field("title", Text()),
        Field("held_on", Date()),
        Field("participant_ids", JSON(), python=list[str]),
        Field("created_position", BigInteger(), exposed=False),
    ),
)

RUBRICS = Record(
    "rm_rubrics",
    keys=("rubric_id",),
    fields=(
        key("rubric_id", exposed_as="id"),
        Field("name", Text()),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer(), exposed=False),
    ),
)

RUBRIC_REVISIONS = Record(
    "rm_rubric_revisions",
    keys=("rubric_id", "revision"),
    fields=(
        key("rubric_id", exposed=False),
        Field("revision", Integer()),
        Field("structure", JSON(), exposed=False),
        Field("published", Boolean()),
    ),
)

EVALUATIONS = Record(
    "rm_evaluations",
    keys=("evaluation_id",),
    fields=(
        key("evaluation_id", exposed_as="id"),
        Field("subject_kind", String(20), labels=SubjectKind),
        key("subject_id"),
        Field("period", String(10)),
        key("rubric_id"),
        Field("revision", Integer()),
        Field("structure", JSON(), exposed=False),
        Field("sources", JSON()),
        Field("status", String(20), labels=EvaluationStatus),
        Field("source_totals", JSON(), nullable=True, exposed=False),
        Field(
            "weighted_total",
            String(40),
            nullable=True,
            description="Σ source weight × source total, exact; set when finalised",
        ),
        Field("finalised_at", UtcDateTime(), nullable=True, exposed=False),
        # Per tenant, the log position its indicator figures were read at when finalised.
        Field("evidence_at", JSON(), nullable=True, exposed=False),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

SCORES = Record(
    "rm_scores",
    keys=("evaluation_id", "item_id", "source_id"),
    fields=(
        key("evaluation_id", exposed=False),
        key("item_id", exposed=False),
        key("source_id"),
        Field("points", String(20)),
        Field("evidence", Text()),
        Field("revisions", Integer(), description="how often it was re-scored (see history)"),
        Field("position", BigInteger(), exposed=False),
    ),
)

RECTIFICATIONS = Record(
    "rm_rectifications",
    keys=("evaluation_id", "rectification_id"),
    fields=(
        key("evaluation_id"),
        key("rectification_id", exposed_as="id"),
        Field("problem", Text()),
        Field("responsible", Text()),
        Field("deadline", Date()),
        Field(
            "status",
            String(20),
            labels=RectificationStatus,
            description="open → reported (by the subject) → closed (verified by the evaluator)",
        ),
        Field("closed", Boolean(), description="verified and closed by the evaluator"),
        Field(
            "report",
            Text(),
            nullable=True,
            description="the subject's evidence that it is done (latest report)",
        ),
        files_field("report_files", " to the latest report"),
        Field("reported_at", UtcDateTime(), nullable=True),
        Field("evidence", Text(), nullable=True, description="what the evaluator verified"),
        files_field("evidence_files", " to the closure"),
        Field("closed_at", UtcDateTime(), nullable=True, exposed=False),
    ),
)

commitments = COMMITMENTS.table
milestones = MILESTONES.table
ratings = RATINGS.table
members = MEMBERS.table
posts = POSTS.table
claims = CLAIMS.table
service_logs = SERVICE_LOGS.table
year_reviews = YEAR_REVIEWS.table
activities = ACTIVITIES.table
rubrics = RUBRICS.table
rubric_revisions = RUBRIC_REVISIONS.table
evaluations = EVALUATIONS.table
scores = SCORES.table
rectifications = RECTIFICATIONS.table

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

"""The read record of commendations: who was nominated for what, from which
evaluation, and where the commendation stands."""

from __future__ import annotations

from sqlalchemy import BigInteger, Date, Integer, String, Text

from domain.commendations import CommendationKind, CommendationStatus, PublicationChannel
from projections.records import TENANT, Field, Record, UtcDateTime, key

COMMENDATIONS = Record(
    "rm_commendations",
    keys=("commendation_id",),
    fields=(
        key("commendation_id", exposed_as="id"),
        Field("kind", String(40), labels=CommendationKind),
        key(
            "nominee_tenant",
            TENANT,
            description="the community (or this tenant) the nominee belongs to",
        ),
        key("nominee_id", description="a party member id, a member unit id, or a community id"),
        Field("period", String(10)),
        key(
            "evaluation_tenant",
            TENANT,
            nullable=True,
            description="the tenant whose evaluation it came from (null: nominated directly)",
        ),
        key("evaluation_id", nullable=True, description="null: nominated directly, with a reason"),
        Field("grounds", Text(), nullable=True, description="the reason given when nominated"),
        Field("status", String(20), labels=CommendationStatus),
        Field("nominated_at", UtcDateTime()),
        Field("decided_at", UtcDateTime(), nullable=True),
        Field("decision_reason", Text(), nullable=True),
        Field("published_on", Date(), nullable=True),
        Field("channel", String(20), nullable=True, labels=PublicationChannel),
        Field("revoked_at", UtcDateTime(), nullable=True),
        Field("revocation_reason", Text(), nullable=True),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

commendations = COMMENDATIONS.table

COMMENDATION_TABLES = [commendations]

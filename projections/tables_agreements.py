"""Read records of co-construction agreements and their line items, per term."""

from __future__ import annotations

from sqlalchemy import BigInteger, Date, Integer, String, Text

from domain.agreements import AgreementStatus, Fulfilment, Party
from projections.records import Field, Record, key

AGREEMENTS = Record(
    "rm_agreements",
    keys=("agreement_id",),
    fields=(
        key("agreement_id", exposed_as="id"),
        key("unit_id"),
        Field("title", Text()),
        Field("term", Integer(), description="the running term: 1 when signed, +1 per renewal"),
        Field("starts_on", Date(), description="the running term's first day"),
        Field("ends_on", Date(), description="the running term's last day"),
        Field("status", String(20), labels=AgreementStatus),
        Field("ended_reason", Text(), nullable=True),
        Field("created_position", BigInteger(), exposed=False),
        Field("version", Integer()),
    ),
)

AGREEMENT_LINES = Record(
    "rm_agreement_lines",
    keys=("agreement_id", "term", "line_id"),
    fields=(
        key("agreement_id", exposed=False),
        Field("term", Integer(), description="the term this line was undertaken for"),
        key("line_id", exposed_as="id"),
        Field("seq", Integer(), exposed=False),
        Field("party", String(20), labels=Party, description="who undertakes it"),
        Field("text", Text()),
        Field(
            "fulfilment",
            String(20),
            nullable=True,
            labels=Fulfilment,
            description="the term's review of this line (null until reviewed)",
        ),
        Field("note", Text(), nullable=True, description="the review's note on this line"),
    ),
)

agreements = AGREEMENTS.table
agreement_lines = AGREEMENT_LINES.table

AGREEMENT_TABLES = [agreements, agreement_lines]

"""A read record is declared once: its table and its GraphQL fields follow from it."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from sqlalchemy import BigInteger, Boolean, MetaData, String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from api.graphql.records import record_fields
from api.graphql.schema import schema
from domain.meetings import MeetingKind
from projections import (
    tables,
    tables_commendations,
    tables_engagement,
    tables_evidence,
    tables_upward_reports,
    tables_webhooks,
)
from projections.records import Field, Masking, Personal, Record, UtcDateTime, key
from tenants.pipeline.identity import Principal, Role

# Each GraphQL type that wraps a read record, and its record.
TYPES = {
    "Tenant": tables.TENANTS,
    "MemberUnit": tables.UNITS,
    "Meeting": tables.MEETINGS,
    "AgendaItem": tables.AGENDA_ITEMS,
    "Attendance": tables.ATTENDANCE,
    "Opinion": tables.OPINIONS,
    "UnitPosition": tables.POSITIONS,
    "Resolution": tables.RESOLUTIONS,
    "ExecutionReport": tables.EXECUTION_REPORTS,
    "Event": tables.EVENTS,
    "Commitment": tables_engagement.COMMITMENTS,
    "Milestone": tables_engagement.MILESTONES,
    "Rating": tables_engagement.RATINGS,
    "PartyMember": tables_engagement.MEMBERS,
    "ServicePost": tables_engagement.POSTS,
    "Claim": tables_engagement.CLAIMS,
    "ServiceLog": tables_engagement.SERVICE_LOGS,
    "YearReview": tables_engagement.YEAR_REVIEWS,
    "CollectiveActivity": tables_engagement.ACTIVITIES,
    "Rubric": tables_engagement.RUBRICS,
    "RubricRevision": tables_engagement.RUBRIC_REVISIONS,
    "Evaluation": tables_engagement.EVALUATIONS,
    "Score": tables_engagement.SCORES,
    "Rectification": tables_engagement.RECTIFICATIONS,
    "Webhook": tables_webhooks.WEBHOOKS,
    "Commendation": tables_commendations.COMMENDATIONS,
    "EvidenceFile": tables_evidence.EVIDENCE_FILES,
    "EvidenceAttachment": tables_evidence.EVIDENCE_ATTACHMENTS,
    "UpwardReport": tables_upward_reports.UPWARD_REPORTS,
    "UpwardReportRevision": tables_upward_reports.UPWARD_REPORT_REVISIONS,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_every_shown_column_and_label_is_a_field_of_its_type(type_name: str) -> None:
    record = TYPES[type_name]
    fields = schema.get_type_by_name(type_name).fields  # type: ignore[union-attr]
    names = {f.graphql_name or _camel(f.python_name) for f in fields}
    for declared in record.exposed():
        assert declared.name in record.table.c
        if declared.exposed:
            assert _camel(declared.shown_name) in names
        if declared.labels is not None:
            assert _camel(declared.shown_name) + "Label" in names
    hidden = {_camel(f.shown_name) for f in record.fields if not f.exposed} - {"id"}
    assert not hidden & names, f"{type_name} shows columns declared hidden"


def test_the_table_is_the_declaration() -> None:
    record = Record(
        "rm_example",
        keys=("example_id",),
        fields=(key("example_id", exposed_as="id"), Field("at", UtcDateTime(), nullable=True)),
        metadata=MetaData(),
    )
    table = record.table
    assert [c.name for c in table.columns] == [
        "tenant_id",
        "example_id",
        "at",
        "valid_from",
        "valid_to",
    ]
    assert [c.name for c in table.primary_key.columns] == ["tenant_id", "example_id", "valid_from"]
    assert "TIMESTAMP WITH TIME ZONE" in str(
        CreateTable(table).compile(dialect=postgresql.dialect())
    )
    assert "DATETIME" in str(CreateTable(table).compile(dialect=sqlite.dialect()))


def test_a_naive_moment_read_back_is_utc() -> None:
    read = UtcDateTime().process_result_value(datetime(2025, 1, 2, 3, 4), sqlite.dialect())
    assert read == datetime(2025, 1, 2, 3, 4, tzinfo=UTC)


# A record that exists only here: declaring its fields is all its GraphQL type needs.
GADGETS = Record(
    "rm_gadgets",
    keys=("gadget_id",),
    fields=(
        key("gadget_id", exposed_as="id"),
        Field("kind", String(20), labels=MeetingKind, description="what kind"),
        Field("owner_name", Text(), personal=Personal(Masking.SURNAME, owner="owner_id")),
        key("owner_id", exposed=False),
        Field("note", Text(), personal=Personal(Masking.WITHHELD, owner="owner_id")),
        Field("seen_at", UtcDateTime(), nullable=True),
        Field("count", BigInteger()),
        Field("secret", Boolean(), exposed=False),
    ),
    metadata=MetaData(),
)


@strawberry.type
@record_fields(GADGETS)
class Gadget:
    row: strawberry.Private[Any]

    @strawberry.field
    def doubled(self) -> int:
        return int(self.row.count) * 2


@strawberry.type
class GadgetQuery:
    @strawberry.field
    def gadget(self) -> Gadget:
        return Gadget(
            row=SimpleNamespace(
                gadget_id="g1",
                kind="plenary",
                owner_name="王小明",
                owner_id="m1",
                note="private",
                seen_at=None,
                count=21,
                secret=True,
            )
        )


class _Context:
    def __init__(self, principal: Principal | None) -> None:
        self.principal = principal

    def sees_personal(self, owner: str | None = None) -> bool:
        from api.graphql import personal

        return personal.sees_personal(self.principal, owner)


def _gadget(principal: Principal | None) -> dict[str, Any]:
    gadgets = strawberry.Schema(query=GadgetQuery)
    result = gadgets.execute_sync(
        "{ gadget { id kind kindLabel ownerName note seenAt count doubled } }",
        context_value=_Context(principal),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return dict(result.data["gadget"])


def test_a_declared_field_is_all_the_graphql_type_needs() -> None:
    gadgets = strawberry.Schema(query=GadgetQuery)
    sdl = gadgets.as_str()
    assert '"""what kind"""\n  kind: String!' in sdl
    assert "seenAt: DateTime\n" in sdl
    assert "note: String\n" in sdl  # withheld from some readers: nullable
    assert "secret" not in sdl
    secretary = Principal("u", Role.COMMUNITY_SECRETARY, "t")
    assert _gadget(secretary) == {
        "id": "g1",
        "kind": "plenary",
        "kindLabel": MeetingKind.PLENARY.label,
        "ownerName": "王小明",
        "note": "private",
        "seenAt": None,
        "count": 21,
        "doubled": 42,
    }


def test_declared_personal_data_is_masked_by_its_rule() -> None:
    integrator = Principal("i", Role.INTEGRATOR, "t")
    shown = _gadget(integrator)
    assert shown["ownerName"] == "王**"
    assert shown["note"] is None

"""Typed enums for GraphQL list filters, one per domain enum (the values are the
domain's, so a filter can only name a status or kind that exists)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from domain.affairs import AffairStatus
from domain.agreements import AgreementStatus
from domain.commendations import CommendationKind, CommendationStatus
from domain.commitments import CommitmentStatus
from domain.evaluations import SubjectKind
from domain.meetings import MeetingStatus
from domain.members import MemberClass
from domain.plenary_business import WorkDocumentKind
from domain.resolutions import ResolutionStatus
from domain.tenants import TenantKind
from domain.upward_reports import ReportStatus


def _mirror(domain: type[Enum], name: str) -> Any:
    """A GraphQL enum with the domain enum's members (NAME → value)."""
    mirrored = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(mirrored, description=f"Values of {domain.__name__} to filter by.")


MeetingStatusFilter = _mirror(MeetingStatus, "MeetingStatus")
ResolutionStatusFilter = _mirror(ResolutionStatus, "ResolutionStatus")
CommitmentStatusFilter = _mirror(CommitmentStatus, "CommitmentStatus")
MemberClassFilter = _mirror(MemberClass, "MemberClass")
TenantKindFilter = _mirror(TenantKind, "TenantKind")
SubjectKindFilter = _mirror(SubjectKind, "SubjectKind")
AgreementStatusFilter = _mirror(AgreementStatus, "AgreementStatus")
AffairStatusFilter = _mirror(AffairStatus, "AffairStatus")
CommendationKindFilter = _mirror(CommendationKind, "CommendationKind")
CommendationStatusFilter = _mirror(CommendationStatus, "CommendationStatus")
WorkDocumentKindFilter = _mirror(WorkDocumentKind, "WorkDocumentKind")
UpwardReportStatusFilter = _mirror(ReportStatus, "UpwardReportStatus")


def value(member: Enum | None) -> Any:
    """The domain value a filter names (None: no filter)."""
    return None if member is None else member.value

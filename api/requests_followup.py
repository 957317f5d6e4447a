"""Request models for commitments, members, posts, activities, rubrics and evaluations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.requests import CommandAccepted, CommandBody, ItemId, Name, Text
from domain.commitments import Channel, MakerKind
from domain.evaluations import SubjectKind
from domain.members import MemberClass, ReviewRating
from domain.posts import PostCategory

Period = Annotated[str, Field(pattern=r"^\d{4}(H[12]|Q[1-4])?$", examples=["2026H1"])]
Evidence = list[Annotated[str, Field(max_length=500)]]


class Milestone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    title: Name
    due: date


class MakeCommitment(CommandBody):
    maker_kind: MakerKind
    maker_id: Annotated[
        str, Field(min_length=1, max_length=64, description="unit id, member id, or the tenant id")
    ]
    text: Text
    category: Name
    due: date
    milestones: list[Milestone] = Field(default_factory=list, max_length=50)


class PublishCommitment(CommandBody):
    channel: Channel
    published_on: date


class ReportProgress(CommandBody):
    milestone_id: ItemId
    percent: int = Field(ge=0, le=100)
    evidence: Evidence = Field(default_factory=list, max_length=50)


class RateCommitment(CommandBody):
    resident_id: Annotated[str, Field(min_length=1, max_length=64)]
    period: Period
    rating: int = Field(ge=1, le=5)
    comment: Annotated[str, Field(max_length=2000)] = ""


class CloseCommitment(CommandBody):
    pass


class RegisterMember(CommandBody):
    name: Name
    member_class: MemberClass
    work_unit: Name | None = None


class ReportResidence(CommandBody):
    reported_on: date


class ChangeClass(CommandBody):
    member_class: MemberClass
    work_unit: Name | None = None


class TransferMember(CommandBody):
    to_tenant_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


class ResumeTransfer(CommandBody):
    pass


class DefinePost(CommandBody):
    title: Name
    category: PostCategory
    capacity: int = Field(ge=1, le=1000)
    description: Annotated[str, Field(max_length=2000)] = ""


class RetirePost(CommandBody):
    pass


class ClaimPost(CommandBody):
    post_id: UUID


class LogService(CommandBody):
    post_id: UUID
    served_on: date
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)
    what: Text


class ReviewServiceLog(CommandBody):
    confirmed: bool


class ReviewYear(CommandBody):
    year: int = Field(ge=2000, le=2100)
    rating: ReviewRating
    feedback: Text


class HoldActivity(CommandBody):
    title: Name
    held_on: date
    participant_ids: list[UUID] = Field(default_factory=list, max_length=500)


class ItemBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    label_zh: Name
    label_en: Annotated[str, Field(max_length=200)] = ""
    max_points: Decimal = Field(ge=0, le=1000, decimal_places=2)
    indicator: (
        Literal[
            "meeting_attendance_rate",
            "resolutions_on_time",
            "commitment_satisfaction",
            "post_participation",
        ]
        | None
    ) = None


class CategoryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    label_zh: Name
    label_en: Annotated[str, Field(max_length=200)] = ""
    weight: Decimal = Field(ge=0, le=1000, decimal_places=2)
    items: list[ItemBody] = Field(min_length=1, max_length=100)


class StructureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total: Decimal = Field(gt=0, le=10000, decimal_places=2)
    categories: list[CategoryBody] = Field(min_length=1, max_length=50)

    def plain(self) -> dict[str, Any]:
        """As the domain reads it."""
        return self.model_dump(mode="json")


class DraftRubric(CommandBody):
    name: Name
    template: Literal["six_in_one"] | None = Field(None, description="start from a built-in")
    structure: StructureBody | None = None


class ReviseRubric(CommandBody):
    structure: StructureBody


class PublishRubric(CommandBody):
    revision: int = Field(ge=1)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    label: Name
    weight: Decimal = Field(gt=0, le=1, decimal_places=4)


class OpenEvaluation(CommandBody):
    subject_kind: SubjectKind
    subject_id: Annotated[str, Field(min_length=1, max_length=64)]
    period: Period
    rubric_id: UUID
    revision: int = Field(ge=1)
    sources: list[Source] = Field(min_length=1, max_length=10)


class ScoreItem(CommandBody):
    item_id: ItemId
    source_id: ItemId
    points: Decimal = Field(ge=0, le=1000, decimal_places=2)
    evidence: Annotated[str, Field(max_length=2000)] = ""


class FinaliseEvaluation(CommandBody):
    pass


class AppealEvaluation(CommandBody):
    pass


class ResolveAppeal(CommandBody):
    outcome: Literal["upheld", "reopened"]


class RequireRectification(CommandBody):
    rectification_id: ItemId | None = None
    problem: Text
    responsible: Name
    deadline: date


class CloseRectification(CommandBody):
    evidence: Text


class TransferAccepted(BaseModel):
    transfer_id: str
    source_member_id: str
    target_tenant_id: str
    target_member_id: str
    source_position: int
    target_position: int


class WithRevision(CommandAccepted):
    revision: int


class WithTotal(CommandAccepted):
    weighted_total: str = Field(description="exact decimal, as a string")


class WithLogId(CommandAccepted):
    log_id: str


class WithRectificationId(CommandAccepted):
    rectification_id: str

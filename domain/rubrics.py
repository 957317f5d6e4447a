"""Rubrics (考评细则): weighted categories of items with maximum points, versioned."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.stamp import Stamp


@labelled(
    {
        "meeting_attendance_rate": "联席会议出席率",
        "resolutions_on_time": "决议按期落实率",
        "commitment_satisfaction": "承诺群众满意率",
        "post_participation": "党员岗位参与率",
    }
)
class Indicator(LabelledEnum):
    """A figure the platform computes from its own records, shown beside an item."""

    MEETING_ATTENDANCE_RATE = "meeting_attendance_rate"
    RESOLUTIONS_ON_TIME = "resolutions_on_time"
    COMMITMENT_SATISFACTION = "commitment_satisfaction"
    POST_PARTICIPATION = "post_participation"


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise errors.InvalidValue(f"{what} is not a number: {value!r}") from error
    if not number.is_finite() or number < 0:
        raise errors.InvalidValue(f"{what} must be a non-negative number")
    return number


@dataclass(frozen=True)
class RubricItem:
    id: str
    label_zh: str
    label_en: str
    max_points: Decimal
    indicator: Indicator | None = None


@dataclass(frozen=True)
class RubricCategory:
    id: str
    label_zh: str
    label_en: str
    weight: Decimal
    items: tuple[RubricItem, ...]


@dataclass(frozen=True)
class RubricStructure:
    """Categories with weights and items with maximum points, summing to a total."""

    total: Decimal
    categories: tuple[RubricCategory, ...]

    def items(self) -> Iterator[RubricItem]:
        """Every item, in order."""
        for category in self.categories:
            yield from category.items

    def item(self, item_id: str) -> RubricItem:
        """The item with this id."""
        for item in self.items():
            if item.id == item_id:
                return item
        raise errors.UnknownRubricItem(f"no rubric item {item_id}")

    def problems(self) -> list[str]:
        """Why the rubric cannot be published (empty when consistent)."""
        found = []
        ids = [i.id for i in self.items()] + [c.id for c in self.categories]
        if len(ids) != len(set(ids)):
            found.append("category and item ids must be unique")
        for category in self.categories:
            points = sum((i.max_points for i in category.items), Decimal(0))
            if points != category.weight:
                found.append(f"items of {category.id} sum to {points}, not {category.weight}")
        weights = sum((c.weight for c in self.categories), Decimal(0))
        if weights != self.total:
            found.append(f"categories sum to {weights}, not the total {self.total}")
        return found

    def as_dict(self) -> dict[str, Any]:
        """Encode as plain data for an event."""
        return {
            "total": str(self.total),
            "categories": [
                {
                    "id": c.id,
                    "label_zh": c.label_zh,
                    "label_en": c.label_en,
                    "weight": str(c.weight),
                    "items": [
                        {
                            "id": i.id,
                            "label_zh": i.label_zh,
                            "label_en": i.label_en,
                            "max_points": str(i.max_points),
                            "indicator": i.indicator.value if i.indicator else None,
                        }
                        for i in c.items
                    ],
                }
                for c in self.categories
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RubricStructure:
        """Decode (and type-check) plain data."""
        try:
            categories = tuple(
                RubricCategory(
                    c["id"],
                    c["label_zh"],
                    c.get("label_en", ""),
                    _decimal(c["weight"], "a weight"),
                    tuple(
                        RubricItem(
                            i["id"],
                            i["label_zh"],
                            i.get("label_en", ""),
                            _decimal(i["max_points"], "max points"),
                            Indicator(i["indicator"]) if i.get("indicator") else None,
                        )
                        for i in c["items"]
                    ),
                )
                for c in data["categories"]
            )
        except (KeyError, TypeError, ValueError) as error:
            raise errors.InvalidValue(f"invalid rubric structure: {error}") from error
        if not categories:
            raise errors.InvalidValue("a rubric needs at least one category")
        return cls(_decimal(data["total"], "the total"), categories)


class Rubric(Aggregate):
    """A named rubric whose revisions are drafted, then published and never changed."""

    TOPIC = "gongjian.Rubric"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Rubric.Created"

    @event("Drafted", topic="gongjian.Rubric.Drafted")
    def __init__(self, id: UUID, stamp: Stamp, name: str, structure: dict[str, Any]) -> None:
        self.tenant_id = stamp.tenant_id
        self.name = name
        self.revisions: list[dict[str, Any]] = [structure]
        self.published: set[int] = set()

    @classmethod
    def draft(
        cls, stamp: Stamp, *, rubric_id: UUID, name: str, structure: RubricStructure
    ) -> Rubric:
        """Draft revision 1 of a rubric."""
        if not name.strip():
            raise errors.InvalidValue("a rubric needs a name")
        return cls(id=rubric_id, stamp=stamp, name=name.strip(), structure=structure.as_dict())

    @property
    def latest_revision(self) -> int:
        return len(self.revisions)

    def revise(self, stamp: Stamp, structure: RubricStructure) -> int:
        """Draft a new revision (reason required); evaluations keep theirs."""
        stamp.require_reason("revising a rubric")
        self._revised(stamp, self.latest_revision + 1, structure.as_dict())
        return self.latest_revision

    def publish(self, stamp: Stamp, revision: int) -> None:
        """Publish a revision, refused unless items and categories add up."""
        structure = self.structure(revision)
        problems = structure.problems()
        if problems:
            raise errors.RubricInconsistent("; ".join(problems))
        self._published(stamp, revision)

    def structure(self, revision: int) -> RubricStructure:
        """The structure of one revision."""
        if not 1 <= revision <= self.latest_revision:
            raise errors.NotFound(f"rubric {self.id} has no revision {revision}")
        return RubricStructure.from_dict(self.revisions[revision - 1])

    def published_structure(self, revision: int) -> RubricStructure:
        """A published revision's structure (what evaluations are opened with)."""
        if revision not in self.published:
            raise errors.RubricNotPublished(f"revision {revision} is not published")
        return self.structure(revision)

    @event("Revised", topic="gongjian.Rubric.Revised")
    def _revised(self, stamp: Stamp, revision: int, structure: dict[str, Any]) -> None:
        self.revisions.append(structure)

    @event("Published", topic="gongjian.Rubric.Published")
    def _published(self, stamp: Stamp, revision: int) -> None:
        self.published.add(revision)

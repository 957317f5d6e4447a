"""GraphQL types for rubrics, evaluations, scores, rectifications and rankings."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from sqlalchemy import Row

from api.graphql.attached_files import AttachedFile, attached_files
from api.graphql.figures import Share
from api.graphql.nodes import Node
from api.graphql.records import record_fields
from api.graphql.types import Ctx, Event, history_of
from domain.evaluations import is_rectification_overdue
from domain.periods import Period
from domain.rubrics import Indicator, RubricStructure
from projections import indicators
from projections import tables_engagement as f


@strawberry.type
class RubricItem:
    id: strawberry.ID
    label_zh: str
    label_en: str
    max_points: str
    indicator: str | None
    indicator_label: str | None


@strawberry.type
class RubricCategory:
    id: strawberry.ID
    label_zh: str
    label_en: str
    weight: str
    items: list[RubricItem]


def categories_of(structure: dict[str, Any]) -> list[RubricCategory]:
    """GraphQL categories from a stored rubric structure."""
    parsed = RubricStructure.from_dict(structure)
    return [
        RubricCategory(
            id=strawberry.ID(c.id),
            label_zh=c.label_zh,
            label_en=c.label_en,
            weight=str(c.weight),
            items=[
                RubricItem(
                    id=strawberry.ID(i.id),
                    label_zh=i.label_zh,
                    label_en=i.label_en,
                    max_points=str(i.max_points),
                    indicator=i.indicator.value if i.indicator else None,
                    indicator_label=i.indicator.label if i.indicator else None,
                )
                for i in c.items
            ],
        )
        for c in parsed.categories
    ]


@strawberry.type
@record_fields(f.RUBRIC_REVISIONS)
class RubricRevision:
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def total(self) -> str:
        return str(self.row.structure["total"])

    @strawberry.field
    def categories(self) -> list[RubricCategory]:
        return categories_of(self.row.structure)


@strawberry.type
@record_fields(f.RUBRICS)
class Rubric(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    async def revisions(self, info: Ctx) -> list[RubricRevision]:
        rows = await info.context.loaders.revisions.load(
            info.context.key(info, self.row.tenant_id, self.row.rubric_id)
        )
        return [RubricRevision(row=r) for r in rows]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.rubric_id)


@strawberry.type
@record_fields(f.SCORES)
class Score:
    row: strawberry.Private[Row[Any]]


@strawberry.type
class EvaluationItem:
    id: strawberry.ID
    category_id: str
    label_zh: str
    label_en: str
    max_points: str
    scores: list[Score]
    indicator: str | None = strawberry.field(description="a recorded figure shown as evidence")
    indicator_label: str | None
    indicator_figure: Share | None = strawberry.field(
        description="computed from the platform's records for the subject and period; not a score"
    )


@strawberry.type
class SourceTotal:
    source_id: str
    label: str
    weight: str
    total: str | None


@strawberry.type
@record_fields(f.RECTIFICATIONS)
class Rectification(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field(description="uploaded evidence files attached to the latest report")
    def report_files(self) -> list[AttachedFile]:
        return attached_files(self.row.tenant_id, self.row.report_files)

    @strawberry.field(description="uploaded evidence files attached to the closure")
    def evidence_files(self) -> list[AttachedFile]:
        return attached_files(self.row.tenant_id, self.row.evidence_files)

    @strawberry.field(description="open past its deadline (derived)")
    async def overdue(self, info: Ctx) -> bool:
        today = await info.context.today(self.row.tenant_id)
        return is_rectification_overdue(self.row.deadline, self.row.closed, today)

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        ref = f"{self.row.evaluation_id}/{self.row.rectification_id}"
        return await history_of(info, self.row.tenant_id, ref)


@strawberry.type
@record_fields(f.EVALUATIONS)
class Evaluation(Node):
    row: strawberry.Private[Row[Any]]

    @strawberry.field
    def sources(self) -> list[SourceTotal]:
        totals = self.row.source_totals or {}
        return [
            SourceTotal(
                source_id=s["id"], label=s["label"], weight=s["weight"], total=totals.get(s["id"])
            )
            for s in self.row.sources
        ]

    @strawberry.field
    async def items(self, info: Ctx) -> list[EvaluationItem]:
        key = info.context.key(info, self.row.tenant_id, self.row.evaluation_id)
        by_item: dict[str, list[Score]] = {}
        for r in await info.context.loaders.scores.load(key):
            by_item.setdefault(r.item_id, []).append(Score(row=r))
        # Finalised: the figures known then. Open: as of the moment this request reads.
        positions = dict(self.row.evidence_at or info.context.positions(info))
        figures = await asyncio.to_thread(self._figures, info.context.reads, positions)
        structure = RubricStructure.from_dict(self.row.structure)
        return [
            EvaluationItem(
                id=strawberry.ID(i.id),
                category_id=c.id,
                label_zh=i.label_zh,
                label_en=i.label_en,
                max_points=str(i.max_points),
                scores=by_item.get(i.id, []),
                indicator=i.indicator.value if i.indicator else None,
                indicator_label=i.indicator.label if i.indicator else None,
                indicator_figure=figures.get(i.indicator) if i.indicator else None,
            )
            for c in structure.categories
            for i in c.items
        ]

    def _figures(self, engine: Any, positions: dict[str, int]) -> dict[Indicator, Share | None]:
        period = Period.parse(self.row.period)
        result: dict[Indicator, Share | None] = {}
        for indicator in Indicator:
            figure = indicators.figure_for(
                engine,
                indicator,
                self.row.subject_kind,
                self.row.subject_id,
                self.row.tenant_id,
                period,
                positions,
            )
            result[indicator] = Share.of(figure) if figure else None
        return result

    @strawberry.field
    async def rectifications(self, info: Ctx) -> list[Rectification]:
        key = info.context.key(info, self.row.tenant_id, self.row.evaluation_id)
        return [Rectification(row=r) for r in await info.context.loaders.rectifications.load(key)]

    @strawberry.field
    async def history(self, info: Ctx) -> list[Event]:
        return await history_of(info, self.row.tenant_id, self.row.evaluation_id)


@strawberry.type
class RankingEntry:
    rank: int
    subject_id: str
    subject_name: str | None
    weighted_total: str
    evaluation_id: str

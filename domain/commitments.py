"""Public commitments (公开承诺): made, published, progressed, rated by residents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.evidence_files import FileRef, attached
from domain.periods import Period
from domain.stamp import Stamp


@labelled(
    {
        "unit_party_organisation": "成员单位党组织",
        "community_party_organisation": "社区党组织",
        "party_member": "党员",
    }
)
class MakerKind(LabelledEnum):
    UNIT_PARTY_ORGANISATION = "unit_party_organisation"
    COMMUNITY_PARTY_ORGANISATION = "community_party_organisation"
    PARTY_MEMBER = "party_member"


@labelled({"meeting": "会议", "document": "文件", "notice_board": "党务公开栏"})
class Channel(LabelledEnum):
    MEETING = "meeting"
    DOCUMENT = "document"
    NOTICE_BOARD = "notice_board"


@labelled({"made": "已作出", "published": "已公开", "fulfilled": "已兑现", "withdrawn": "已撤回"})
class CommitmentStatus(LabelledEnum):
    MADE = "made"
    PUBLISHED = "published"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


C = CommitmentStatus

CLOSED_STATUSES = frozenset({C.FULFILLED, C.WITHDRAWN})
"""A commitment in one of these is settled: it changes no more and never lapses."""

SATISFIED_FROM = 4
"""A rating of at least this (out of 5) counts as satisfied."""


def is_lapsed(due: date, status: str, today: date) -> bool:
    """Past due and neither fulfilled nor withdrawn (derived)."""
    return today > due and status not in CLOSED_STATUSES


def satisfaction(ratings: Iterable[int]) -> tuple[int, int]:
    """(ratings of 4 or 5, all ratings) of the current ratings given."""
    counted = list(ratings)
    return sum(1 for r in counted if r >= SATISFIED_FROM), len(counted)


def is_milestone_overdue(due: date, percent: int, today: date) -> bool:
    """A milestone past due and not at 100% (derived)."""
    return today > due and percent < 100


class Commitment(Aggregate):
    """A promise to residents, with a schedule of milestones (履诺进度表)."""

    TOPIC = "gongjian.Commitment"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.Commitment.Created"

    @event("Made", topic="gongjian.Commitment.Made")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        maker_kind: str,
        maker_id: str,
        text: str,
        category: str,
        due: date,
        milestones: list[dict[str, Any]],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.maker_kind = MakerKind(maker_kind)
        self.maker_id = maker_id
        self.text = text
        self.category = category
        self.due = due
        self.milestones = {m["id"]: dict(m, percent=0) for m in milestones}
        self.status = C.MADE
        self.ratings: dict[tuple[str, str], int] = {}

    @classmethod
    def make(
        cls,
        stamp: Stamp,
        *,
        commitment_id: UUID,
        maker_kind: MakerKind,
        maker_id: str,
        text: str,
        category: str,
        due: date,
        milestones: list[tuple[str, str, date]],
    ) -> Commitment:
        """Make a commitment; milestones are (id, title, due) and fall due by its own date."""
        if not text.strip() or not category.strip():
            raise errors.InvalidValue("a commitment needs text and a category")
        if len({m[0] for m in milestones}) != len(milestones):
            raise errors.InvalidValue("milestone ids must be unique")
        late = [m[0] for m in milestones if m[2] > due]
        if late:
            raise errors.InvalidValue(f"milestones due after the commitment: {', '.join(late)}")
        schedule = [{"id": m[0], "title": m[1], "due": m[2].isoformat()} for m in milestones]
        return cls(
            id=commitment_id,
            stamp=stamp,
            maker_kind=maker_kind.value,
            maker_id=maker_id,
            text=text.strip(),
            category=category.strip(),
            due=due,
            milestones=schedule,
        )

    def publish(self, stamp: Stamp, channel: Channel, published_on: date) -> None:
        """Publish through a meeting, a document or the notice board."""
        self._check_open()
        if self.status is not C.MADE:
            raise errors.AlreadyPublished("the commitment is already published")
        self._published(stamp, channel.value, published_on)

    def report_progress(
        self,
        stamp: Stamp,
        milestone_id: str,
        percent: int,
        evidence: list[str],
        files: tuple[FileRef, ...] = (),
    ) -> None:
        """Report a milestone's progress, with evidence (text and uploaded files);
        going backwards needs a reason."""
        self._check_published()
        milestone = self.milestones.get(milestone_id)
        if milestone is None:
            raise errors.UnknownMilestone(f"no milestone {milestone_id}")
        if not 0 <= percent <= 100:
            raise errors.InvalidValue("progress is a percentage between 0 and 100")
        if percent < milestone["percent"]:
            stamp.require_reason("lowering reported progress")
        self._progress_reported(stamp, milestone_id, percent, evidence, attached(files))

    def rate(
        self,
        stamp: Stamp,
        resident_id: str,
        period: str,
        rating: int,
        comment: str,
        *,
        today: date,
    ) -> None:
        """A resident's satisfaction rating; a later one replaces theirs for the period.
        A fulfilled commitment is still rated for the period running on ``today`` (the
        tenant's date): residents judge the fulfilment through its rating period."""
        rated = Period.parse(period)
        if self.status is CommitmentStatus.FULFILLED:
            if today not in rated:
                raise errors.CommitmentClosed(
                    f"the commitment is fulfilled: it is rated only for the running period, "
                    f"not {period}"
                )
        else:
            self._check_published()
        if not 1 <= rating <= 5:
            raise errors.InvalidValue("a rating is between 1 and 5")
        if not resident_id.strip():
            raise errors.InvalidValue("a rating names its resident")
        self._rated(stamp, resident_id.strip(), period, rating, comment.strip())

    def fulfil(self, stamp: Stamp) -> None:
        """Declare the commitment fulfilled; with a milestone short of 100%, only with
        a reason."""
        self._check_published()
        short = [m for m, v in self.milestones.items() if v["percent"] < 100]
        if short:
            stamp.require_reason(f"fulfilment with milestones below 100% ({', '.join(short)})")
        self._fulfilled(stamp)

    def withdraw(self, stamp: Stamp) -> None:
        """Withdraw the commitment, with a reason."""
        self._check_open()
        stamp.require_reason("withdrawing a commitment")
        self._withdrawn(stamp)

    def satisfaction(self) -> tuple[int, int]:
        """(ratings of 4 or 5, all current ratings)."""
        return satisfaction(self.ratings.values())

    def is_lapsed(self, today: date) -> bool:
        """Past due and neither fulfilled nor withdrawn (derived)."""
        return is_lapsed(self.due, self.status, today)

    def _check_open(self) -> None:
        if self.status in CLOSED_STATUSES:
            raise errors.CommitmentClosed(f"the commitment is {self.status.value}")

    def _check_published(self) -> None:
        self._check_open()
        if self.status is not C.PUBLISHED:
            raise errors.CommitmentNotPublished("publish the commitment first")

    @event("Published", topic="gongjian.Commitment.Published")
    def _published(self, stamp: Stamp, channel: str, published_on: date) -> None:
        self.status = C.PUBLISHED

    class ProgressReported(Aggregate.Event):
        """A milestone's progress was reported. Version 2 carries the uploaded files
        attached (``FileRef``s); reports stored as version 1 had none."""

        TOPIC = "gongjian.Commitment.ProgressReported"
        class_version = 2
        stamp: Stamp
        milestone_id: str
        percent: int
        evidence: list[str]
        files: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["files"] = []

    @event(ProgressReported)
    def _progress_reported(
        self,
        stamp: Stamp,
        milestone_id: str,
        percent: int,
        evidence: list[str],
        files: list[dict[str, Any]],
    ) -> None:
        self.milestones[milestone_id]["percent"] = percent

    @event("Rated", topic="gongjian.Commitment.Rated")
    def _rated(
        self, stamp: Stamp, resident_id: str, period: str, rating: int, comment: str
    ) -> None:
        self.ratings[(resident_id, period)] = rating

    @event("Fulfilled", topic="gongjian.Commitment.Fulfilled")
    def _fulfilled(self, stamp: Stamp) -> None:
        self.status = C.FULFILLED

    @event("Withdrawn", topic="gongjian.Commitment.Withdrawn")
    def _withdrawn(self, stamp: Stamp) -> None:
        self.status = C.WITHDRAWN

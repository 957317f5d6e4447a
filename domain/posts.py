"""Service posts (服务岗位) that party members claim, and collective service activities."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.stamp import Stamp


@labelled(
    {
        "publicity_education": "宣传教育",
        "rights_protection": "维权服务",
        "assistance": "帮扶救助",
        "environment": "环境保护",
        "public_safety_patrol": "治安巡逻",
        "culture_sports": "文体活动",
        "elderly_care": "为老服务",
        "sanitation_supervision": "环境卫生监督",
        "facility_maintenance": "设施维护",
        "greening": "绿化养护",
        "other": "其他",
    }
)
class PostCategory(LabelledEnum):
    PUBLICITY_EDUCATION = "publicity_education"
    RIGHTS_PROTECTION = "rights_protection"
    ASSISTANCE = "assistance"
    ENVIRONMENT = "environment"
    PUBLIC_SAFETY_PATROL = "public_safety_patrol"
    CULTURE_SPORTS = "culture_sports"
    ELDERLY_CARE = "elderly_care"
    SANITATION_SUPERVISION = "sanitation_supervision"
    FACILITY_MAINTENANCE = "facility_maintenance"
    GREENING = "greening"
    OTHER = "other"


class ServicePost(Aggregate):
    """A post with a capacity; members hold it by claiming it."""

    TOPIC = "gongjian.ServicePost"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.ServicePost.Created"

    @event("Defined", topic="gongjian.ServicePost.Defined")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        title: str,
        category: str,
        capacity: int,
        description: str,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.title = title
        self.category = PostCategory(category)
        self.capacity = capacity
        self.holders: list[str] = []
        self.retired = False

    @classmethod
    def define(
        cls,
        stamp: Stamp,
        *,
        post_id: UUID,
        title: str,
        category: PostCategory,
        capacity: int,
        description: str = "",
    ) -> ServicePost:
        """Define a post in a category with room for ``capacity`` members."""
        if not title.strip():
            raise errors.InvalidValue("a post needs a title")
        if not 1 <= capacity <= 1000:
            raise errors.InvalidValue("capacity is between 1 and 1000")
        return cls(
            id=post_id,
            stamp=stamp,
            title=title.strip(),
            category=category.value,
            capacity=capacity,
            description=description.strip(),
        )

    def claim(self, stamp: Stamp, member_id: str) -> None:
        """Give the member a place, refused when retired or full."""
        self._check_active()
        if member_id in self.holders:
            raise errors.AlreadyClaimed(f"member {member_id} already holds this post")
        if len(self.holders) >= self.capacity:
            raise errors.PostFull(f"all {self.capacity} places are taken")
        self._claimed(stamp, member_id)

    def release(self, stamp: Stamp, member_id: str) -> None:
        """The member gives the post up."""
        if member_id not in self.holders:
            raise errors.NotHoldingPost(f"member {member_id} does not hold this post")
        self._released(stamp, member_id)

    def retire(self, stamp: Stamp) -> list[str]:
        """Retire the post (reason required); returns the members whose claims end."""
        self._check_active()
        stamp.require_reason("retiring a post")
        ended = list(self.holders)
        self._retired(stamp, ended)
        return ended

    def _check_active(self) -> None:
        if self.retired:
            raise errors.PostRetired("the post is retired")

    @event("Claimed", topic="gongjian.ServicePost.Claimed")
    def _claimed(self, stamp: Stamp, member_id: str) -> None:
        self.holders.append(member_id)

    @event("Released", topic="gongjian.ServicePost.Released")
    def _released(self, stamp: Stamp, member_id: str) -> None:
        self.holders.remove(member_id)

    @event("Retired", topic="gongjian.ServicePost.Retired")
    def _retired(self, stamp: Stamp, ended_claims: list[str]) -> None:
        self.retired = True
        self.holders = []


class CollectiveActivity(Aggregate):
    """A collective service activity (集中服务活动); the rubric wants one every two months."""

    TOPIC = "gongjian.CollectiveActivity"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.CollectiveActivity.Created"

    @event("Held", topic="gongjian.CollectiveActivity.Held")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        title: str,
        held_on: date,
        participant_ids: list[str],
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.title = title
        self.held_on = held_on
        self.participant_ids = participant_ids

    @classmethod
    def hold(
        cls,
        stamp: Stamp,
        *,
        activity_id: UUID,
        title: str,
        held_on: date,
        participant_ids: list[str],
    ) -> CollectiveActivity:
        """Record a collective activity and who took part."""
        if not title.strip():
            raise errors.InvalidValue("an activity needs a title")
        return cls(
            id=activity_id,
            stamp=stamp,
            title=title.strip(),
            held_on=held_on,
            participant_ids=sorted(set(participant_ids)),
        )

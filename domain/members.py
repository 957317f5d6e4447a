"""Party members (党员): registration, class, transfers, post claims, service record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.charters import LabelledEnum, labelled
from domain.stamp import Stamp


@labelled(
    {
        "directly_managed": "直管党员",
        "in_service": "在职党员",
        "floating": "流动党员",
        "retired": "离退休党员",
    }
)
class MemberClass(LabelledEnum):
    DIRECTLY_MANAGED = "directly_managed"
    IN_SERVICE = "in_service"
    FLOATING = "floating"
    RETIRED = "retired"


@labelled({"active": "在册", "transfer_pending": "转出中", "transferred_out": "已转出"})
class MemberStatus(LabelledEnum):
    ACTIVE = "active"
    TRANSFER_PENDING = "transfer_pending"
    TRANSFERRED_OUT = "transferred_out"


@labelled({"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"})
class ReviewRating(LabelledEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class LogStatus(StrEnum):
    """Where a service log stands: logged, then confirmed or rejected."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def confirmed_hours(logs: Iterable[tuple[str, str]]) -> Decimal:
    """Hours of confirmed service, exactly, from each log's (hours, status)."""
    return sum(
        (Decimal(hours) for hours, status in logs if status == LogStatus.CONFIRMED), Decimal(0)
    )


DAY_HOURS = Decimal(24)
"""A member's service logs for one day, across all posts, add up to at most this."""


def _work_unit(member_class: MemberClass, work_unit: str | None) -> str | None:
    if member_class is MemberClass.IN_SERVICE and not (work_unit and work_unit.strip()):
        raise errors.InvalidValue("an in-service member names their work unit")
    return work_unit.strip() if work_unit else None


class PartyMember(Aggregate):
    """A party member registered at a community, with their service record."""

    TOPIC = "gongjian.PartyMember"

    class Created(Aggregate.Created):
        TOPIC = "gongjian.PartyMember.Created"

    @event("Registered", topic="gongjian.PartyMember.Registered")
    def __init__(
        self,
        id: UUID,
        stamp: Stamp,
        name: str,
        member_class: str,
        work_unit: str | None,
        transferred_from: str | None,
    ) -> None:
        self.tenant_id = stamp.tenant_id
        self.name = name
        self.member_class = MemberClass(member_class)
        self.work_unit = work_unit
        self.status = MemberStatus.ACTIVE
        self.reported_on: date | None = None
        self.claims: list[str] = []
        self.logs: dict[str, dict[str, Any]] = {}
        self.transfer: dict[str, str] | None = None
        self.reviewed_years: list[int] = []

    @classmethod
    def register(
        cls,
        stamp: Stamp,
        *,
        member_id: UUID,
        name: str,
        member_class: MemberClass,
        work_unit: str | None = None,
        transferred_from: str | None = None,
    ) -> PartyMember:
        """Register a member at this community."""
        if not name.strip():
            raise errors.InvalidValue("a member needs a name")
        unit = _work_unit(member_class, work_unit)
        return cls(
            id=member_id,
            stamp=stamp,
            name=name.strip(),
            member_class=member_class.value,
            work_unit=unit,
            transferred_from=transferred_from,
        )

    @property
    def membership_here(self) -> bool:
        """Whether the member's organisational relation is in this community."""
        return self.member_class is not MemberClass.IN_SERVICE

    def report_at_residence(self, stamp: Stamp, reported_on: date) -> None:
        """An in-service member reports (报到) to this, their residential, community."""
        self._check_active()
        if self.member_class is not MemberClass.IN_SERVICE:
            raise errors.NotInService("only in-service members report at their residence")
        self._residence_reported(stamp, reported_on)

    def change_class(self, stamp: Stamp, member_class: MemberClass, work_unit: str | None) -> None:
        """Change the member's class, with a reason."""
        self._check_active()
        stamp.require_reason("changing a member's class")
        self._class_changed(stamp, member_class.value, _work_unit(member_class, work_unit))

    # -- claims and service ---------------------------------------------------

    def claim(self, stamp: Stamp, post_id: str, limit: int) -> None:
        """Claim a post, within the charter's limit of active claims."""
        self._check_active()
        if self.member_class is MemberClass.IN_SERVICE and self.reported_on is None:
            raise errors.NotReportedAtResidence("report at the residential community first")
        if post_id in self.claims:
            raise errors.AlreadyClaimed("the member already holds this post")
        if len(self.claims) >= limit:
            raise errors.ClaimLimitReached(f"a member holds at most {limit} posts")
        self._post_claimed(stamp, post_id)

    def release(self, stamp: Stamp, post_id: str) -> None:
        """Give up a post."""
        self._holding(post_id)
        self._post_released(stamp, post_id)

    def end_claim(self, stamp: Stamp, post_id: str) -> None:
        """The post was retired: the claim ends without the member's doing."""
        self._holding(post_id)
        self._claim_ended(stamp, post_id)

    def log_service(
        self,
        stamp: Stamp,
        log_id: str,
        post_id: str,
        served_on: date,
        hours: Decimal,
        what: str,
        *,
        today: date,
    ) -> None:
        """Record service on a held post (the activity record card), on a day that has
        come (``today`` is the tenant's date)."""
        self._check_active()
        if served_on > today:
            raise errors.InvalidValue(
                f"service cannot be logged for {served_on}: the tenant's date is {today}"
            )
        self._holding(post_id)
        if not Decimal(0) < hours <= DAY_HOURS:
            raise errors.InvalidValue("hours of service are more than 0 and at most 24")
        if not what.strip():
            raise errors.InvalidValue("say what was done")
        if log_id in self.logs:
            raise errors.InvalidValue(f"service log {log_id} already exists")
        logged = self.hours_served_on(served_on)
        if logged + hours > DAY_HOURS:
            raise errors.ServiceHoursExceedDay(
                f"{logged} hours are already logged on {served_on}; "
                f"{hours} more would exceed {DAY_HOURS}"
            )
        self._service_logged(stamp, log_id, post_id, served_on, str(hours), what.strip())

    def review_log(self, stamp: Stamp, log_id: str, confirmed: bool) -> None:
        """The community confirms a service log, or rejects it with a reason."""
        log = self.logs.get(log_id)
        if log is None:
            raise errors.UnknownServiceLog(f"no service log {log_id}")
        if log["status"] != LogStatus.PENDING:
            raise errors.ServiceLogAlreadyReviewed(f"service log {log_id} is {log['status']}")
        if confirmed:
            self._log_confirmed(stamp, log_id)
        else:
            stamp.require_reason("rejecting a service log")
            self._log_rejected(stamp, log_id)

    def hours_served_on(self, served_on: date) -> Decimal:
        """Hours logged for one day, on every post; rejected logs do not count."""
        return sum(
            (
                Decimal(v["hours"])
                for v in self.logs.values()
                if v["served_on"] == served_on and v["status"] != LogStatus.REJECTED
            ),
            Decimal(0),
        )

    def confirmed_hours(self) -> Decimal:
        """Hours of confirmed service."""
        return confirmed_hours((v["hours"], v["status"]) for v in self.logs.values())

    def review_year(self, stamp: Stamp, year: int, rating: ReviewRating, feedback: str) -> None:
        """Year-end review, with a feedback note for the member's work unit; a year
        already reviewed is revised only with a reason (the first stays in history)."""
        if not 2000 <= year <= 2100:
            raise errors.InvalidValue("year out of range")
        if not feedback.strip():
            raise errors.InvalidValue("the review needs a feedback note")
        if year in self.reviewed_years:
            stamp.require_reason(f"revising the {year} review")
        self._year_reviewed(stamp, year, rating.value, feedback.strip())

    # -- transfers --------------------------------------------------------------

    def start_transfer(self, stamp: Stamp, transfer_id: str, to_tenant: str) -> None:
        """Begin a transfer out (reason required); visible as pending until the other
        side records it."""
        self._check_active()
        if self.claims:
            raise errors.ClaimsActive("release the member's posts before a transfer")
        stamp.require_reason("transferring a member")
        self._transfer_started(stamp, transfer_id, to_tenant)

    def transfer_out_of_platform(self, stamp: Stamp, organisation: str) -> None:
        """Outflow registration (流出登记): the member's membership moves to an
        organisation outside the platform (reason required); done in one step."""
        self._check_active()
        if self.claims:
            raise errors.ClaimsActive("release the member's posts before a transfer")
        stamp.require_reason("transferring a member")
        if not organisation.strip():
            raise errors.InvalidValue("name the organisation the member transfers to")
        self._transferred_out(stamp, organisation.strip())

    def complete_transfer(
        self, stamp: Stamp, transfer_id: str, completed_by: str | None = None
    ) -> None:
        """The receiving community has recorded the member: the transfer is done.

        ``completed_by`` names the request that completed it (a resume has its own),
        so a retry of that request answers as the first time.
        """
        if self.transfer is None or self.transfer["transfer_id"] != transfer_id:
            raise errors.NoTransferPending(f"no pending transfer {transfer_id}")
        self._transfer_completed(stamp, transfer_id, completed_by)

    def _check_active(self) -> None:
        if self.status is MemberStatus.TRANSFER_PENDING:
            raise errors.TransferPending("the member is being transferred")
        if self.status is not MemberStatus.ACTIVE:
            raise errors.MemberNotActive(f"the member is {self.status.value}")

    def _holding(self, post_id: str) -> None:
        if post_id not in self.claims:
            raise errors.NotHoldingPost(f"the member does not hold post {post_id}")

    @event("ResidenceReported", topic="gongjian.PartyMember.ResidenceReported")
    def _residence_reported(self, stamp: Stamp, reported_on: date) -> None:
        self.reported_on = reported_on

    @event("ClassChanged", topic="gongjian.PartyMember.ClassChanged")
    def _class_changed(self, stamp: Stamp, member_class: str, work_unit: str | None) -> None:
        self.member_class = MemberClass(member_class)
        self.work_unit = work_unit

    @event("PostClaimed", topic="gongjian.PartyMember.PostClaimed")
    def _post_claimed(self, stamp: Stamp, post_id: str) -> None:
        self.claims.append(post_id)

    @event("PostReleased", topic="gongjian.PartyMember.PostReleased")
    def _post_released(self, stamp: Stamp, post_id: str) -> None:
        self.claims.remove(post_id)

    @event("ClaimEnded", topic="gongjian.PartyMember.ClaimEnded")
    def _claim_ended(self, stamp: Stamp, post_id: str) -> None:
        self.claims.remove(post_id)

    @event("ServiceLogged", topic="gongjian.PartyMember.ServiceLogged")
    def _service_logged(
        self, stamp: Stamp, log_id: str, post_id: str, served_on: date, hours: str, what: str
    ) -> None:
        self.logs[log_id] = {
            "post_id": post_id,
            "served_on": served_on,
            "hours": hours,
            "status": LogStatus.PENDING.value,
        }

    @event("ServiceLogConfirmed", topic="gongjian.PartyMember.ServiceLogConfirmed")
    def _log_confirmed(self, stamp: Stamp, log_id: str) -> None:
        self.logs[log_id]["status"] = LogStatus.CONFIRMED.value

    @event("ServiceLogRejected", topic="gongjian.PartyMember.ServiceLogRejected")
    def _log_rejected(self, stamp: Stamp, log_id: str) -> None:
        self.logs[log_id]["status"] = LogStatus.REJECTED.value

    @event("YearReviewed", topic="gongjian.PartyMember.YearReviewed")
    def _year_reviewed(self, stamp: Stamp, year: int, rating: str, feedback: str) -> None:
        self.reviewed_years = [*self.reviewed_years, year]

    @event("TransferStarted", topic="gongjian.PartyMember.TransferStarted")
    def _transfer_started(self, stamp: Stamp, transfer_id: str, to_tenant: str) -> None:
        self.status = MemberStatus.TRANSFER_PENDING
        self.transfer = {"transfer_id": transfer_id, "to_tenant": to_tenant}

    @event("TransferredOut", topic="gongjian.PartyMember.TransferredOut")
    def _transferred_out(self, stamp: Stamp, organisation: str) -> None:
        self.status = MemberStatus.TRANSFERRED_OUT
        self.transfer = {"to_organisation": organisation}

    @event("TransferCompleted", topic="gongjian.PartyMember.TransferCompleted")
    def _transfer_completed(
        self, stamp: Stamp, transfer_id: str, completed_by: str | None = None
    ) -> None:
        self.status = MemberStatus.TRANSFERRED_OUT
        if self.transfer is not None and completed_by is not None:
            self.transfer = {**self.transfer, "completed_by": completed_by}

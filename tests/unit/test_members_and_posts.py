"""Party members, service posts and their claims, as behaviours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain import errors
from domain.members import MemberClass, MemberStatus, PartyMember, ReviewRating
from domain.posts import PostCategory, ServicePost
from tests.unit.builders import stamp

TODAY = date(2026, 12, 31)


def member(member_class: MemberClass = MemberClass.RETIRED) -> PartyMember:
    unit = "区税务局" if member_class is MemberClass.IN_SERVICE else None
    return PartyMember.register(
        stamp(), member_id=uuid4(), name="张伟", member_class=member_class, work_unit=unit
    )


def post(capacity: int = 2) -> ServicePost:
    return ServicePost.define(
        stamp(),
        post_id=uuid4(),
        title="楼道巡查",
        category=PostCategory.PUBLIC_SAFETY_PATROL,
        capacity=capacity,
    )


def test_in_service_members_name_their_work_unit_and_report_before_claiming() -> None:
    with pytest.raises(errors.InvalidValue):
        PartyMember.register(
            stamp(), member_id=uuid4(), name="李", member_class=MemberClass.IN_SERVICE
        )
    worker = member(MemberClass.IN_SERVICE)
    assert not worker.membership_here
    with pytest.raises(errors.NotReportedAtResidence):
        worker.claim(stamp(), "p1", limit=2)
    worker.report_at_residence(stamp(), date(2026, 3, 1))
    worker.claim(stamp(), "p1", limit=2)
    with pytest.raises(errors.NotInService):
        member(MemberClass.RETIRED).report_at_residence(stamp(), date(2026, 3, 1))


def test_a_member_holds_at_most_the_charters_number_of_posts() -> None:
    retired = member()
    retired.claim(stamp(), "p1", limit=2)
    retired.claim(stamp(), "p2", limit=2)
    with pytest.raises(errors.ClaimLimitReached):
        retired.claim(stamp(), "p3", limit=2)
    with pytest.raises(errors.AlreadyClaimed):
        retired.claim(stamp(), "p1", limit=5)


def test_a_post_refuses_claims_over_capacity() -> None:
    patrol = post(capacity=1)
    patrol.claim(stamp(), "m1")
    with pytest.raises(errors.PostFull):
        patrol.claim(stamp(), "m2")
    patrol.release(stamp(), "m1")
    patrol.claim(stamp(), "m2")


def test_retiring_a_post_needs_a_reason_and_ends_its_claims() -> None:
    patrol = post()
    patrol.claim(stamp(), "m1")
    with pytest.raises(errors.ReasonRequired):
        patrol.retire(stamp())
    assert patrol.retire(stamp("小区改造完成")) == ["m1"]
    with pytest.raises(errors.PostRetired):
        patrol.claim(stamp(), "m2")


def test_service_is_logged_on_a_held_post_within_a_day() -> None:
    retired = member()
    with pytest.raises(errors.NotHoldingPost):
        retired.log_service(stamp(), "l1", "p1", date(2026, 5, 1), Decimal(2), "巡查", today=TODAY)
    retired.claim(stamp(), "p1", limit=2)
    for hours in (Decimal(0), Decimal("24.5")):
        with pytest.raises(errors.InvalidValue):
            retired.log_service(stamp(), "l1", "p1", date(2026, 5, 1), hours, "巡查", today=TODAY)
    retired.log_service(
        stamp(), "l1", "p1", date(2026, 5, 1), Decimal("2.5"), "楼道巡查", today=TODAY
    )
    retired.log_service(stamp(), "l2", "p1", date(2026, 5, 8), Decimal(24), "通宵值守", today=TODAY)


def test_service_is_not_logged_for_a_day_that_has_not_come() -> None:
    retired = member()
    retired.claim(stamp(), "p1", limit=2)
    with pytest.raises(errors.InvalidValue, match="2026-05-02"):
        retired.log_service(stamp(), "l1", "p1", date(2026, 5, 2), Decimal(2), "巡查",
                            today=date(2026, 5, 1))  # fmt: skip
    assert retired.logs == {}
    retired.log_service(stamp(), "l1", "p1", date(2026, 5, 1), Decimal(2), "巡查",
                        today=date(2026, 5, 1))  # fmt: skip
    assert set(retired.logs) == {"l1"}


def test_a_member_serves_at_most_24_hours_a_day_across_all_posts() -> None:
    retired = member()
    retired.claim(stamp(), "p1", limit=2)
    retired.claim(stamp(), "p2", limit=2)
    day = date(2026, 5, 1)
    retired.log_service(stamp(), "l1", "p1", day, Decimal(20), "值守", today=TODAY)
    retired.log_service(stamp(), "l2", "p2", day, Decimal(4), "助老", today=TODAY)
    with pytest.raises(errors.ServiceHoursExceedDay) as refused:
        retired.log_service(stamp(), "l3", "p1", day, Decimal("0.5"), "巡查", today=TODAY)
    assert refused.value.code == "service-hours-exceed-day"
    assert isinstance(refused.value, errors.RuleViolation)
    assert set(retired.logs) == {"l1", "l2"}
    # The same hours on other days are accepted.
    retired.log_service(stamp(), "l3", "p1", date(2026, 5, 2), Decimal(24), "通宵值守", today=TODAY)
    retired.log_service(
        stamp(), "l4", "p2", date(2026, 4, 30), Decimal(24), "通宵值守", today=TODAY
    )


def test_the_day_limit_adds_exact_decimals_and_counts_reviewed_logs_unless_rejected() -> None:
    retired = member()
    retired.claim(stamp(), "p1", limit=2)
    day = date(2026, 5, 1)
    for n in range(3):
        retired.log_service(stamp(), f"l{n}", "p1", day, Decimal("7.9"), "巡查", today=TODAY)
    retired.log_service(stamp(), "l3", "p1", day, Decimal("0.3"), "巡查", today=TODAY)  # exactly 24
    with pytest.raises(errors.ServiceHoursExceedDay):
        retired.log_service(stamp(), "l4", "p1", day, Decimal("0.01"), "巡查", today=TODAY)
    retired.review_log(stamp(), "l0", confirmed=True)
    with pytest.raises(errors.ServiceHoursExceedDay):
        retired.log_service(stamp(), "l4", "p1", day, Decimal("0.01"), "巡查", today=TODAY)
    retired.review_log(stamp("重复登记"), "l1", confirmed=False)
    retired.log_service(stamp(), "l4", "p1", day, Decimal("7.9"), "补登", today=TODAY)
    with pytest.raises(errors.ServiceHoursExceedDay):
        retired.log_service(stamp(), "l5", "p1", day, Decimal("0.01"), "巡查", today=TODAY)


def test_the_community_confirms_or_rejects_with_a_reason_each_log_once() -> None:
    retired = member()
    retired.claim(stamp(), "p1", limit=2)
    retired.log_service(stamp(), "l1", "p1", date(2026, 5, 1), Decimal("2.5"), "巡查", today=TODAY)
    retired.log_service(stamp(), "l2", "p1", date(2026, 5, 2), Decimal(3), "巡查", today=TODAY)
    retired.review_log(stamp(), "l1", confirmed=True)
    with pytest.raises(errors.ReasonRequired):
        retired.review_log(stamp(), "l2", confirmed=False)
    retired.review_log(stamp("无签到记录"), "l2", confirmed=False)
    with pytest.raises(errors.ServiceLogAlreadyReviewed):
        retired.review_log(stamp(), "l1", confirmed=True)
    assert retired.confirmed_hours() == Decimal("2.5")


def test_a_transfer_is_pending_until_completed_and_needs_posts_released() -> None:
    retired = member()
    retired.claim(stamp(), "p1", limit=2)
    with pytest.raises(errors.ClaimsActive):
        retired.start_transfer(stamp("迁居"), "tr1", "other")
    retired.release(stamp(), "p1")
    with pytest.raises(errors.ReasonRequired):
        retired.start_transfer(stamp(), "tr1", "other")
    retired.start_transfer(stamp("迁居"), "tr1", "other")
    assert retired.status is MemberStatus.TRANSFER_PENDING
    with pytest.raises(errors.TransferPending):
        retired.claim(stamp(), "p2", limit=2)
    with pytest.raises(errors.NoTransferPending):
        retired.complete_transfer(stamp(), "tr-other")
    retired.complete_transfer(stamp(), "tr1")
    assert retired.status.value == "transferred_out"


def test_an_outflow_to_an_organisation_off_the_platform_is_one_step_with_a_reason() -> None:
    retired = member()
    with pytest.raises(errors.ReasonRequired):
        retired.transfer_out_of_platform(stamp(), "上海市某街道党工委")
    with pytest.raises(errors.InvalidValue):
        retired.transfer_out_of_platform(stamp("迁居外省"), " ")
    retired.transfer_out_of_platform(stamp("迁居外省"), "上海市某街道党工委")
    assert retired.status is MemberStatus.TRANSFERRED_OUT
    assert retired.transfer == {"to_organisation": "上海市某街道党工委"}
    with pytest.raises(errors.MemberNotActive):
        retired.transfer_out_of_platform(stamp("再次"), "别处")


def test_a_class_change_needs_a_reason_and_the_year_review_a_note() -> None:
    retired = member()
    with pytest.raises(errors.ReasonRequired):
        retired.change_class(stamp(), MemberClass.FLOATING, None)
    retired.change_class(stamp("外出务工"), MemberClass.FLOATING, None)
    with pytest.raises(errors.InvalidValue):
        retired.review_year(stamp(), 2026, ReviewRating.GOOD, " ")
    retired.review_year(stamp(), 2026, ReviewRating.EXCELLENT, "全年服务48小时，表现突出")
    # A second review of the same year is a revision: only with a reason.
    with pytest.raises(errors.ReasonRequired, match="2026"):
        retired.review_year(stamp(), 2026, ReviewRating.GOOD, "改评")
    retired.review_year(stamp("补录服务记录后复核"), 2026, ReviewRating.GOOD, "改评")
    retired.review_year(stamp(), 2025, ReviewRating.GOOD, "上年")
    assert ReviewRating.EXCELLENT.label == "优秀"
    assert PostCategory.ELDERLY_CARE.label == "为老服务"
    # The categories the product card names, beyond the seven of the 2011 report.
    assert [PostCategory(c).label for c in ("sanitation_supervision", "facility_maintenance",
                                            "greening")] == ["环境卫生监督", "设施维护", "绿化养护"]  # fmt: skip

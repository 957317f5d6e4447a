"""Commands on party members, service posts, service logs and collective activities."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from domain.members import MemberClass, PartyMember, ReviewRating
from domain.posts import CollectiveActivity, PostCategory, ServicePost
from domain.stamp import Stamp
from tenants.ledger import CommandResult, LedgerBase
from tenants.store.recorder import IdempotentCommand

Idem = IdempotentCommand | None


class MemberCommands(LedgerBase):
    """The member's side of the community's records."""

    def register_member(
        self,
        stamp: Stamp,
        member_id: UUID,
        name: str,
        member_class: MemberClass,
        work_unit: str | None,
        transferred_from: str | None = None,
        idem: Idem = None,
    ) -> CommandResult:
        """Register a party member at this community."""
        self.tenant()
        member = PartyMember.register(
            stamp,
            member_id=member_id,
            name=name,
            member_class=member_class,
            work_unit=work_unit,
            transferred_from=transferred_from,
        )
        return self.commit(member, idempotent=idem)

    def report_residence(
        self,
        stamp: Stamp,
        member_id: UUID,
        reported_on: date,
        idem: Idem = None,
    ) -> CommandResult:
        """An in-service member reports (报到) here."""
        member = self.load(PartyMember, member_id)
        member.report_at_residence(stamp, reported_on)
        return self.commit(member, idempotent=idem)

    def change_member_class(
        self,
        stamp: Stamp,
        member_id: UUID,
        member_class: MemberClass,
        work_unit: str | None,
        idem: Idem = None,
    ) -> CommandResult:
        """Change a member's class."""
        member = self.load(PartyMember, member_id)
        member.change_class(stamp, member_class, work_unit)
        return self.commit(member, idempotent=idem)

    def define_post(
        self,
        stamp: Stamp,
        post_id: UUID,
        title: str,
        category: PostCategory,
        capacity: int,
        description: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Define a service post."""
        self.tenant()
        post = ServicePost.define(
            stamp,
            post_id=post_id,
            title=title,
            category=category,
            capacity=capacity,
            description=description,
        )
        return self.commit(post, idempotent=idem)

    def retire_post(self, stamp: Stamp, post_id: UUID, idem: Idem = None) -> CommandResult:
        """Retire a post; its holders' claims end in the same transaction."""
        post = self.load(ServicePost, post_id)
        holders = [self.load(PartyMember, UUID(m)) for m in post.retire(stamp)]
        for member in holders:
            member.end_claim(stamp, str(post_id))
        return self.commit(post, *holders, idempotent=idem)

    def claim_post(
        self, stamp: Stamp, member_id: UUID, post_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """A member claims a post: the member's limit and the post's capacity both hold."""
        limit = self.tenant().charter.max_active_claims
        member = self.load(PartyMember, member_id)
        post = self.load(ServicePost, post_id)
        member.claim(stamp, str(post_id), limit)
        post.claim(stamp, str(member_id))
        return self.commit(member, post, idempotent=idem)

    def release_post(
        self, stamp: Stamp, member_id: UUID, post_id: UUID, idem: Idem = None
    ) -> CommandResult:
        """A member gives up a post."""
        member = self.load(PartyMember, member_id)
        post = self.load(ServicePost, post_id)
        member.release(stamp, str(post_id))
        post.release(stamp, str(member_id))
        return self.commit(member, post, idempotent=idem)

    def log_service(
        self,
        stamp: Stamp,
        member_id: UUID,
        log_id: str,
        post_id: UUID,
        served_on: date,
        hours: Decimal,
        what: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Record a member's service on a held post."""
        member = self.load(PartyMember, member_id)
        today = self.tenant().charter.today(datetime.now(UTC))
        member.log_service(stamp, log_id, str(post_id), served_on, hours, what, today=today)
        return self.commit(member, idempotent=idem, extra={"log_id": log_id})

    def review_service_log(
        self, stamp: Stamp, member_id: UUID, log_id: str, confirmed: bool, idem: Idem = None
    ) -> CommandResult:
        """Confirm a service log, or reject it with a reason."""
        member = self.load(PartyMember, member_id)
        member.review_log(stamp, log_id, confirmed)
        return self.commit(member, idempotent=idem)

    def review_member_year(
        self,
        stamp: Stamp,
        member_id: UUID,
        year: int,
        rating: ReviewRating,
        feedback: str,
        idem: Idem = None,
    ) -> CommandResult:
        """Year-end review with feedback for the member's work unit."""
        member = self.load(PartyMember, member_id)
        member.review_year(stamp, year, rating, feedback)
        return self.commit(member, idempotent=idem)

    def hold_activity(
        self,
        stamp: Stamp,
        activity_id: UUID,
        title: str,
        held_on: date,
        participant_ids: list[UUID],
        idem: Idem = None,
    ) -> CommandResult:
        """Record a collective service activity with its (registered) participants."""
        for member_id in participant_ids:
            self.load(PartyMember, member_id)
        activity = CollectiveActivity.hold(
            stamp,
            activity_id=activity_id,
            title=title,
            held_on=held_on,
            participant_ids=[str(m) for m in participant_ids],
        )
        return self.commit(activity, idempotent=idem)

    def transfer_out_of_platform(
        self, stamp: Stamp, member_id: UUID, organisation: str, idem: Idem = None
    ) -> CommandResult:
        """Register the member's outflow to an organisation outside the platform."""
        member = self.load(PartyMember, member_id)
        member.transfer_out_of_platform(stamp, organisation)
        # The answer a transfer gives (its position is filled in by the commit).
        extra = {"source_member_id": str(member_id), "to_organisation": organisation.strip()}
        return self.commit(member, idempotent=idem, extra=extra)

    def start_transfer(
        self, stamp: Stamp, member_id: UUID, transfer_id: str, to_tenant: str, idem: Idem = None
    ) -> CommandResult:
        """Record this side of a transfer out; pending until completed."""
        member = self.load(PartyMember, member_id)
        member.start_transfer(stamp, transfer_id, to_tenant)
        return self.commit(member, idempotent=idem)

    def complete_transfer(
        self, stamp: Stamp, member_id: UUID, transfer_id: str, completed_by: str | None = None
    ) -> CommandResult:
        """Record that the receiving community has the member."""
        member = self.load(PartyMember, member_id)
        member.complete_transfer(stamp, transfer_id, completed_by)
        return self.commit(member)

"""Projecting party members, service posts, claims, service logs and activities."""

from __future__ import annotations

from typing import Any

from projections.context import Applied, Handler
from projections.tables_engagement import (
    activities,
    claim_ref,
    claims,
    members,
    posts,
    service_logs,
    year_reviews,
)
from projections.temporal import add, change, current_rows, put, set_record


def _set_member(a: Applied, **values: Any) -> None:
    set_record(a, members, "member_id", **values)


def _set_post(a: Applied, **values: Any) -> None:
    set_record(a, posts, "post_id", **values)


def _end_claims(a: Applied, member_id: str | None, post_id: str, reason: str) -> list[str]:
    """End the open claims of the post (of one member, if named); return their ids."""
    open_claims = {"tenant_id": a.tenant_id, "post_id": post_id, "ended_at": None}
    if member_id is not None:
        open_claims["member_id"] = member_id
    ended = [
        claim_ref(post_id, row["member_id"], row["claimed_position"])
        for row in current_rows(a, claims, open_claims)
    ]
    change(a, claims, open_claims, ended_at=a.occurred_at, end_reason=reason)
    return ended


def registered(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        members,
        tenant_id=a.tenant_id,
        member_id=a.record_id,
        name=e.name,
        member_class=e.member_class,
        work_unit=e.work_unit,
        status="active",
        transferred_from=e.transferred_from,
        registered_at=a.occurred_at,
        created_position=a.position,
        version=a.version,
    )
    return []


def residence_reported(a: Applied) -> list[str]:
    _set_member(a, reported_on=a.event.reported_on)
    return []


def class_changed(a: Applied) -> list[str]:
    _set_member(a, member_class=a.event.member_class, work_unit=a.event.work_unit)
    return []


def member_touched(a: Applied) -> list[str]:
    """Claims are projected from the post's events; the member's only bump its version."""
    _set_member(a)
    return [a.event.post_id]


def service_logged(a: Applied) -> list[str]:
    e = a.event
    _set_member(a)
    add(
        a,
        service_logs,
        tenant_id=a.tenant_id,
        member_id=a.record_id,
        log_id=e.log_id,
        post_id=e.post_id,
        served_on=e.served_on,
        hours=e.hours,
        what=e.what,
        status="pending",
        position=a.position,
    )
    return [f"{a.record_id}/{e.log_id}", e.post_id]


def log_reviewed(status: str) -> Handler:
    def handler(a: Applied) -> list[str]:
        _set_member(a)
        reason = a.stamp.reason if status == "rejected" else None
        log = {"tenant_id": a.tenant_id, "member_id": a.record_id, "log_id": a.event.log_id}
        change(
            a,
            service_logs,
            log,
            status=status,
            reject_reason=reason,
        )
        return [f"{a.record_id}/{a.event.log_id}"]

    return handler


def year_reviewed(a: Applied) -> list[str]:
    e = a.event
    _set_member(a)
    key = {"tenant_id": a.tenant_id, "member_id": a.record_id, "year": e.year}
    put(a, year_reviews, key, rating=e.rating, feedback=e.feedback, position=a.position)
    return []


def transfer_started(a: Applied) -> list[str]:
    _set_member(
        a, status="transfer_pending", transfer_id=a.event.transfer_id, transfer_to=a.event.to_tenant
    )
    return []


def transferred_out(a: Applied) -> list[str]:
    _set_member(a, status="transferred_out", transferred_to=a.event.organisation)
    return []


def transfer_completed(a: Applied) -> list[str]:
    _set_member(a, status="transferred_out")
    return []


def post_defined(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        posts,
        tenant_id=a.tenant_id,
        post_id=a.record_id,
        title=e.title,
        category=e.category,
        capacity=e.capacity,
        description=e.description,
        retired=False,
        created_position=a.position,
        version=a.version,
    )
    return []


def post_claimed(a: Applied) -> list[str]:
    _set_post(a)
    add(
        a,
        claims,
        tenant_id=a.tenant_id,
        post_id=a.record_id,
        member_id=a.event.member_id,
        claimed_position=a.position,
        claimed_at=a.occurred_at,
    )
    return [a.event.member_id, claim_ref(a.record_id, a.event.member_id, a.position)]


def post_released(a: Applied) -> list[str]:
    _set_post(a)
    ended = _end_claims(a, a.event.member_id, a.record_id, "released")
    return [a.event.member_id, *ended]


def post_retired(a: Applied) -> list[str]:
    _set_post(a, retired=True)
    ended = _end_claims(a, None, a.record_id, "post_retired")
    return [*a.event.ended_claims, *ended]


def activity_held(a: Applied) -> list[str]:
    e = a.event
    add(
        a,
        activities,
        tenant_id=a.tenant_id,
        activity_id=a.record_id,
        title=e.title,
        held_on=e.held_on,
        participant_ids=list(e.participant_ids),
        created_position=a.position,
    )
    return list(e.participant_ids)


HANDLERS: dict[str, Handler] = {
    "gongjian.PartyMember.Registered": registered,
    "gongjian.PartyMember.ResidenceReported": residence_reported,
    "gongjian.PartyMember.ClassChanged": class_changed,
    "gongjian.PartyMember.PostClaimed": member_touched,
    "gongjian.PartyMember.PostReleased": member_touched,
    "gongjian.PartyMember.ClaimEnded": member_touched,
    "gongjian.PartyMember.ServiceLogged": service_logged,
    "gongjian.PartyMember.ServiceLogConfirmed": log_reviewed("confirmed"),
    "gongjian.PartyMember.ServiceLogRejected": log_reviewed("rejected"),
    "gongjian.PartyMember.YearReviewed": year_reviewed,
    "gongjian.PartyMember.TransferStarted": transfer_started,
    "gongjian.PartyMember.TransferCompleted": transfer_completed,
    "gongjian.PartyMember.TransferredOut": transferred_out,
    "gongjian.ServicePost.Defined": post_defined,
    "gongjian.ServicePost.Claimed": post_claimed,
    "gongjian.ServicePost.Released": post_released,
    "gongjian.ServicePost.Retired": post_retired,
    "gongjian.CollectiveActivity.Held": activity_held,
}

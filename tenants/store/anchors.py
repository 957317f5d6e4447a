"""Community checkpoints anchored in their street's log.

When a community's log is signed, its street records the checkpoint as an event of
its own (``gongjian.Tenant.CheckpointAnchored``). The street's chain and its own
checkpoints then vouch for what the community's log was: someone who rewrites a
community's log and deletes its checkpoint rows still leaves the street's record of
the signed checkpoints, which the rewritten log no longer matches.

This module reads the anchors straight from the stored rows (plain JSON), without
the domain's decoding, as ``gongjian verify`` reads everything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from tenants.store.checkpoints import Checkpoint
from tenants.store.schema import events

ANCHOR_TOPIC = "gongjian.Tenant.CheckpointAnchored"
REGISTERED_TOPIC = "gongjian.Tenant.Registered"


class AnchorUnreadable(Exception):
    """A street's anchor event does not hold a well-formed checkpoint."""


@dataclass(frozen=True)
class Anchor:
    """A community's checkpoint as recorded at ``position`` of its street's log."""

    street_id: str
    position: int
    checkpoint: Checkpoint


def _state(raw: Any) -> dict[str, Any]:
    data = json.loads(bytes(raw))
    if not isinstance(data, dict):
        raise AnchorUnreadable("the event's state is not an object")
    return data


def street_of(conn: Connection, tenant_id: str) -> str | None:
    """The street a community was registered under (None for a street, or a tenant
    whose first event is not its registration)."""
    row = conn.execute(
        select(events.c.topic, events.c.state).where(
            events.c.tenant_id == tenant_id, events.c.position == 1
        )
    ).first()
    if row is None or row.topic != REGISTERED_TOPIC:
        return None
    try:
        parent = _state(row.state).get("parent_id")
    except (ValueError, AnchorUnreadable):
        return None
    return parent if isinstance(parent, str) else None


def anchored(conn: Connection, street_id: str, community_id: str | None = None) -> list[Anchor]:
    """The checkpoints recorded in the street's log (of one community, if named),
    in log order. Raises ``AnchorUnreadable`` for a malformed anchor event."""
    rows = conn.execute(
        select(events.c.position, events.c.state)
        .where(events.c.tenant_id == street_id, events.c.topic == ANCHOR_TOPIC)
        .order_by(events.c.position)
    )
    found = []
    for row in rows:
        try:
            data = _state(row.state)
            community = data["community_id"]
            if community_id is not None and community != community_id:
                continue
            checkpoint = Checkpoint.from_anchor(community, data["checkpoint"])
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorUnreadable(
                f"the anchor at {street_id} position {row.position} is unreadable: {error}"
            ) from None
        found.append(Anchor(street_id, int(row.position), checkpoint))
    return found


def anchors_of(conn: Connection, community_id: str) -> list[Anchor]:
    """The community's checkpoints recorded in its street's log (none for a street)."""
    street = street_of(conn, community_id)
    return [] if street is None else anchored(conn, street, community_id)

"""The bulk append chains its rows exactly as ``tenants.store.chain`` defines the chain
(it lays the canonical bytes out itself, for speed)."""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from tenants.store.bulk_append import Head, chained_rows
from tenants.store.chain import GENESIS, canonical_bytes, link


def test_bulk_rows_carry_the_hashes_the_chain_defines() -> None:
    logs = {
        "社区-一": [
            StoredEvent(uuid4(), n, f"gongjian.议题{n % 3}", b"x" * n) for n in range(1, 9)
        ],
        "t": [StoredEvent(str(uuid4()), 1, "gongjian.Tenant.Registered", b"")],
    }
    heads: dict[str, Head] = {"社区-一": (41, bytes(range(32))), "t": (0, GENESIS)}
    moved: dict[str, Head] = {}
    rows = list(chained_rows(logs, heads, moved))
    expected = []
    for tenant, stored_events in logs.items():
        position, previous = heads[tenant]
        for stored in stored_events:
            position += 1
            row = canonical_bytes(
                tenant,
                position,
                UUID(str(stored.originator_id)),
                stored.originator_version,
                stored.topic,
                stored.state,
            )
            previous = link(previous, row)
            expected.append((tenant, position, previous))
        assert moved[tenant] == (position, previous)
    assert [(row[0], row[1], row[6]) for row in rows] == expected

"""A tenant's person keys travel beside its export: readable persons with their keys,
forgotten and storage-only persons without (an export never carries restricted data)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from tenants.store import person_key_transfer as transfer
from tenants.store.database import write_transaction
from tenants.store.schema import person_keys


def _rows(tenant_id: str) -> list[dict[str, object]]:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    return [
        {"tenant_id": tenant_id, "person_id": "member:a", "key": os.urandom(32),
         "created_at": now, "erased_at": None, "restricted_at": None, "reason": None},
        {"tenant_id": tenant_id, "person_id": "member:b", "key": None,
         "created_at": now, "erased_at": now, "restricted_at": None, "reason": "本人申请"},
        {"tenant_id": tenant_id, "person_id": "resident:c", "key": os.urandom(32),
         "created_at": now, "erased_at": None, "restricted_at": now, "reason": "档案法要求保存"},
    ]  # fmt: skip


def test_keys_travel_but_never_a_restricted_persons(engine: Engine, tenant_id: str) -> None:
    source = _rows(tenant_id)
    with write_transaction(engine) as conn:
        conn.execute(person_keys.insert(), source)
    with engine.connect() as conn:
        document = transfer.dump(conn, tenant_id)
    by_person = {p["person"]: p for p in document["persons"]}
    assert by_person["member:a"]["key"] is not None
    assert by_person["member:b"]["key"] is None and by_person["member:b"]["erased_at"]
    assert by_person["resident:c"]["key"] is None, "storage-only data never leaves"
    assert by_person["resident:c"]["restricted_at"] is not None

    moved = f"{tenant_id}-moved"
    text = json.dumps(document).replace(tenant_id, moved)
    rows = transfer.parse(moved, text)
    with write_transaction(engine) as conn:
        assert transfer.store(conn, moved, rows) == 3
    with engine.connect() as conn:
        stored = {r.person_id: r for r in conn.execute(
            select(person_keys).where(person_keys.c.tenant_id == moved))}  # fmt: skip
    assert bytes(stored["member:a"].key) == source[0]["key"]
    assert stored["member:b"].key is None and stored["member:b"].erased_at is not None
    assert stored["resident:c"].key is None and stored["resident:c"].restricted_at is not None
    with write_transaction(engine) as conn, pytest.raises(transfer.PersonKeysRefused):
        transfer.store(conn, moved, rows)  # the tenant holds keys already


@pytest.mark.parametrize(
    "text, problem",
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not gongjian-person-keys/v1"),
        ('{"format": "gongjian-person-keys/v1", "tenant": "elsewhere", "persons": []}', "for 'elsewhere'"),
        ('{"format": "gongjian-person-keys/v1", "tenant": "T", "persons": [{"person": "m", "key": "AAAA", "created_at": "2026-01-01T00:00:00+00:00"}]}', "not 32 bytes"),
        ('{"format": "gongjian-person-keys/v1", "tenant": "T", "persons": [{"person": "m", "key": null, "created_at": "2026-01-01T00:00:00+00:00"}]}', "not withheld"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_this_tenants_keys_is_refused(text: str, problem: str) -> None:
    with pytest.raises(transfer.PersonKeysRefused, match=problem):
        transfer.parse("T", text)

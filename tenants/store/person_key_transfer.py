"""A tenant's person keys, carried beside its export when the tenant moves to another
deployment (``gongjian export --person-keys FILE``, ``gongjian import --person-keys``).

The export itself never holds a key: it is evidence for auditors, and its events carry
personal data only as ciphertext. Without the keys an imported log reads every
personal field as erased. This file is the other half, and is as sensitive as the
personal data it opens: hand it over apart from the export, and destroy it after the
import. It holds:

- each readable person's key;
- each forgotten person, without a key (they stay forgotten where the tenant goes);
- each person marked storage only, without a key (the data is kept only where it was:
  an export never carries it), with the mark, so they read as restricted.

Format (UTF-8 JSON)::

    {"format": "gongjian-person-keys/v1", "tenant": "<tenant id>",
     "persons": [{"person": "<person id>", "key": "<base64 of 32 bytes>" | null,
                  "created_at": "<ISO 8601>", "erased_at": … | null,
                  "restricted_at": … | null, "reason": … | null}, …]}
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tenants.store.schema import person_keys

FORMAT = "gongjian-person-keys/v1"
KEY_BYTES = 32


class PersonKeysRefused(Exception):
    """The person-keys file cannot be used for this import."""


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def dump(conn: Connection, tenant_id: str) -> dict[str, Any]:
    """The tenant's person keys as the file holds them (restricted persons' keys left out)."""
    rows = conn.execute(
        select(person_keys)
        .where(person_keys.c.tenant_id == tenant_id)
        .order_by(person_keys.c.person_id)
    )
    persons = []
    for row in rows:
        withheld = row.key is None or row.restricted_at is not None
        persons.append(
            {
                "person": row.person_id,
                "key": None if withheld else base64.b64encode(bytes(row.key)).decode(),
                "created_at": _moment(row.created_at),
                "erased_at": _moment(row.erased_at),
                "restricted_at": _moment(row.restricted_at),
                "reason": row.reason,
            }
        )
    return {"format": FORMAT, "tenant": tenant_id, "persons": persons}


def _when(entry: dict[str, Any], name: str, required: bool = False) -> datetime | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise PersonKeysRefused(f"person {entry.get('person')!r}: {name} is not a time") from None


def _row(tenant_id: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("person"), str):
        raise PersonKeysRefused("every person entry names its person")
    key = entry.get("key")
    raw = None
    if key is not None:
        try:
            raw = base64.b64decode(str(key), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != KEY_BYTES:
            raise PersonKeysRefused(f"person {entry['person']!r}: the key is not 32 bytes")
    erased_at = _when(entry, "erased_at")
    if raw is None and erased_at is None and entry.get("restricted_at") is None:
        raise PersonKeysRefused(f"person {entry['person']!r} has no key, yet is not withheld")
    return {
        "tenant_id": tenant_id,
        "person_id": entry["person"],
        "key": raw,
        "created_at": _when(entry, "created_at", required=True),
        "erased_at": erased_at,
        "restricted_at": _when(entry, "restricted_at"),
        "reason": entry.get("reason"),
    }


def parse(tenant_id: str, text: str) -> list[dict[str, Any]]:
    """The file's persons as rows for the tenant (PersonKeysRefused if the file is not
    a person-keys file of that tenant)."""
    try:
        document = json.loads(text)
    except ValueError:
        raise PersonKeysRefused("the person-keys file is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PersonKeysRefused(f"the person-keys file is not {FORMAT}")
    if document.get("tenant") != tenant_id:
        raise PersonKeysRefused(
            f"the person-keys file is for {document.get('tenant')!r}, not {tenant_id}"
        )
    persons = document.get("persons")
    if not isinstance(persons, list):
        raise PersonKeysRefused("the person-keys file lists no persons")
    return [_row(tenant_id, entry) for entry in persons]


def store(conn: Connection, tenant_id: str, rows: list[dict[str, Any]]) -> int:
    """Store parsed persons for the tenant, which must have none yet; return how many."""
    held = conn.execute(
        select(person_keys.c.person_id).where(person_keys.c.tenant_id == tenant_id).limit(1)
    ).first()
    if held is not None:
        raise PersonKeysRefused(f"{tenant_id} already holds person keys here")
    if rows:
        conn.execute(person_keys.insert(), rows)
    return len(rows)

"""Personal data in reads: in full for the roles that work with people by name,
masked for everyone else.

Street admins, community secretaries and auditors see names, telephone numbers,
residents' ids and comments, year-review feedback and who recorded each event. A
party member sees its own record, a unit liaison its own unit's people, a resident
its own ratings. Every other reader (integrators, other members, other units) gets
names with only the surname (王*), telephone numbers with only the last four
digits, and no residents' ids, comments, feedback or user ids. The same holds in
each event's ``data`` and ``actor``, so history never says what the fields hide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.records import Masking
from tenants.pipeline.identity import Principal, Role

PERSONAL_DATA_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_SECRETARY, Role.AUDITOR})
HIDDEN = "***"

# Per record type, the keys of its events' data that hold personal data.
_EVENT_KEYS: dict[str, frozenset[str]] = {
    "PartyMember": frozenset({"name", "work_unit", "feedback"}),
    "MemberUnit": frozenset({"person"}),
    "Meeting": frozenset({"attendee"}),
    "Commitment": frozenset({"resident_id", "comment"}),
    # Not personal, but a URL may hold an integrator's own token: staff only.
    "Webhook": frozenset({"url"}),
}


def sees_personal(principal: Principal | None, owner: str | None = None) -> bool:
    """Whether ``principal`` sees personal data of the record ``owner`` (a member,
    unit or resident id) in full."""
    if principal is None:
        return False
    if principal.role in PERSONAL_DATA_ROLES:
        return True
    return owner is not None and principal.binding == owner


def name(value: str) -> str:
    """A person's name with only its first character (the surname) shown."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else value


def phone(value: str | None) -> str | None:
    """A telephone number with only its last four digits shown."""
    if not value:
        return value
    hidden = max(sum(ch.isdigit() for ch in value) - 4, 0)
    shown, digits = [], 0
    for ch in value:
        digits += ch.isdigit()
        shown.append("*" if ch.isdigit() and digits <= hidden else ch)
    return "".join(shown)


def person(data: dict[str, Any]) -> dict[str, Any]:
    """A unit's representative or liaison, masked."""
    return {**data, "name": name(data.get("name") or ""), "phone": phone(data.get("phone"))}


MASKS: dict[Masking, Callable[[Any], Any]] = {
    Masking.SURNAME: name,
    Masking.WITHHELD: lambda value: None,
    Masking.HIDDEN: lambda value: HIDDEN,
    Masking.PERSON: person,
}
"""How each masking rule a read record declares shows a value to other readers."""


def event_data(record_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """An event's data with its personal fields masked."""
    keys = _EVENT_KEYS.get(record_type, frozenset())
    masked = dict(data)
    for key in keys & data.keys():
        value = data[key]
        if value is None:
            continue
        if key == "name":
            masked[key] = name(value)
        elif key == "person":
            masked[key] = person(value)
        else:
            masked[key] = HIDDEN
    return masked

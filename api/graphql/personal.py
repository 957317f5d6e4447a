"""Personal data in reads: in full for the roles that work with people by name,
masked for everyone else.

Street admins, community secretaries and auditors see names, telephone numbers,
residents' ids and comments, year-review feedback and who recorded each event. A
party member sees its own record, a unit liaison its own unit's people, a resident
its own ratings. Every other reader (integrators, other members, other units) gets
names with only the surname (王*), telephone numbers with only the last four
digits, and no residents' ids, comments, feedback or user ids. The same holds in
each event's ``data`` and ``actor``, so history never says what the fields hide.
Which fields of events are personal is declared once, in ``domain.personal_data``.
Data that no one may read (its person forgotten, or marked storage only) reads as
the redaction marker for every reader, and masking shows the marker as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain import personal_data
from domain.personal_data import Kind
from projections.records import Masking
from tenants.pipeline.identity import Principal, Role

PERSONAL_DATA_ROLES = frozenset({Role.STREET_ADMIN, Role.COMMUNITY_SECRETARY, Role.AUDITOR})
HIDDEN = "***"

# Not personal data, but a webhook's URL may hold an integrator's own token: shown in
# event data to staff only.
_STAFF_ONLY: dict[str, frozenset[str]] = {"Webhook": frozenset({"url"})}


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
    if personal_data.is_redacted(data):
        return data
    return {**data, "name": name(data.get("name") or ""), "phone": phone(data.get("phone"))}


def _unless_redacted(mask: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # A redaction hides nothing more from one reader than from another.
    return lambda value: value if personal_data.is_redacted(value) else mask(value)


MASKS: dict[Masking, Callable[[Any], Any]] = {
    Masking.SURNAME: _unless_redacted(name),
    Masking.WITHHELD: _unless_redacted(lambda value: None),
    Masking.HIDDEN: _unless_redacted(lambda value: HIDDEN),
    Masking.PERSON: _unless_redacted(person),
}
"""How each masking rule a read record declares shows a value to other readers."""

_EVENT_MASKS: dict[Kind, Callable[[Any], Any]] = {
    Kind.NAME: MASKS[Masking.SURNAME],
    Kind.CONTACT: MASKS[Masking.PERSON],
    Kind.TEXT: MASKS[Masking.HIDDEN],
    Kind.ID: MASKS[Masking.HIDDEN],
}


def event_data(record_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """An event's data with its personal fields masked."""
    masked = dict(data)
    for key, kind in personal_data.fields_of_record_type(record_type).items():
        if masked.get(key) is not None:
            masked[key] = _EVENT_MASKS[kind](masked[key])
    for key in _STAFF_ONLY.get(record_type, frozenset()):
        if masked.get(key) is not None:
            masked[key] = HIDDEN
    return masked

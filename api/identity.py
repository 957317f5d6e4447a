"""Who is calling. A development bearer token until the security issue lands.

Token format: ``dev:<user_id>:<role>[:<unit_id>]``.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header

from api.problems import ApiProblem
from domain.stamp import Actor

ROLES = {
    "platform_admin",
    "street_admin",
    "community_secretary",
    "unit_liaison",
    "party_member",
    "auditor",
    "integrator",
}
READ_ONLY_ROLES = {"auditor", "integrator"}
_PART = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def current_actor(authorization: Annotated[str | None, Header()] = None) -> Actor:
    """Authenticate the request and return its actor."""
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiProblem(401, "unauthenticated", "send 'Authorization: Bearer <token>'")
    parts = authorization.removeprefix("Bearer ").split(":")
    if parts[0] != "dev" or len(parts) not in (3, 4) or not all(_PART.match(p) for p in parts):
        raise ApiProblem(401, "unauthenticated", "the token is not valid")
    if parts[2] not in ROLES:
        raise ApiProblem(401, "unauthenticated", f"unknown role {parts[2]}")
    return Actor(user_id=parts[1], role=parts[2], unit_id=parts[3] if len(parts) == 4 else None)


def commanding_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    """An actor allowed to change records (auditors and integrators only read)."""
    if actor.role in READ_ONLY_ROLES:
        raise ApiProblem(403, "forbidden", f"role {actor.role} is read-only")
    return actor


CommandingActor = Annotated[Actor, Depends(commanding_actor)]

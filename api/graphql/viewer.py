"""Who is reading (``viewer``): the token's user, role, tenant and the record a bound
role acts for, whether it sees personal data, and which commands it may send to a
tenant, so that a client (the console) offers only the forms the role may use."""

from __future__ import annotations

import asyncio

import strawberry

from api.graphql.personal import PERSONAL_DATA_ROLES
from api.graphql.types import Ctx
from domain.errors import NotFound
from tenants.messages import COMMANDS
from tenants.pipeline.identity import Principal
from tenants.pipeline.policy import POLICY, Policy


@strawberry.type(description="A command the viewer may send, and its REST route.")
class PermittedCommand:
    name: str = strawberry.field(description="the command's name, as in docs/errors.md")
    path: str = strawberry.field(
        description="its POST path after /tenants/{tenant_id}, with {placeholders}"
    )
    bound: bool = strawberry.field(
        description="only for the viewer's own record (its unit, member record or "
        "resident id): the API refuses it for another one"
    )


def permitted(policy: Policy, principal: Principal, tenant_id: str) -> list[PermittedCommand]:
    """The tenant's commands some grant of the policy lets ``principal`` send (none
    for a tenant that does not exist). A community's secretary may not read its
    street, yet appeals the street's evaluation of it there: that is listed."""
    try:
        relation = policy.relation(principal, tenant_id)
    except NotFound:
        return []
    found = []
    for name, message in sorted(COMMANDS.items()):
        if message.route.platform:
            continue
        grants = [g for g in POLICY[name] if g.role is principal.role and relation in g.relations]
        if grants:
            bound = all(g.bound for g in grants)
            found.append(PermittedCommand(name=name, path=message.route.path, bound=bound))
    return found


@strawberry.type(description="Who is reading: the caller the token names.")
class Viewer:
    principal: strawberry.Private[Principal]

    @strawberry.field(description="the token's user")
    def user_id(self) -> str:
        return self.principal.user_id

    @strawberry.field(description="the role it acts in (docs/security.md)")
    def role(self) -> str:
        return self.principal.role.value

    @strawberry.field(description="its tenant (null for the platform administrator)")
    def tenant_id(self) -> str | None:
        return self.principal.tenant_id

    @strawberry.field(
        description="the one record a bound role acts for: a liaison's unit, a party "
        "member's member record, a resident's own id (null for other roles)"
    )
    def binding(self) -> str | None:
        return self.principal.binding or None

    @strawberry.field(
        description="whether it sees personal data in full (otherwise names are masked "
        "and contacts withheld, except on its own record)"
    )
    def sees_personal_data(self) -> bool:
        return self.principal.role in PERSONAL_DATA_ROLES

    @strawberry.field(
        description="The commands it may send to `tenant` (empty for a tenant it may "
        "not read). Row-level rules (a bound grant, the record's state) are still the "
        "API's to judge when the command is sent."
    )
    async def commands(self, info: Ctx, tenant: strawberry.ID) -> list[PermittedCommand]:
        policy = info.context.platform.pipeline.policy
        return await asyncio.to_thread(permitted, policy, self.principal, str(tenant))


def viewer_of(info: Ctx) -> Viewer | None:
    """The viewer, or null for a request without a principal."""
    principal = info.context.principal
    return None if principal is None else Viewer(principal=principal)

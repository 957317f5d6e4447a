"""Who may make which read beyond GraphQL's: one table, one row per read.

GraphQL reads are scoped by ``Policy.may_read`` (a principal reads its own tenant, a
street's principals its communities, the platform admin every tenant). A read listed
here is narrower: a row names the roles that may make it and the relations, between
the caller's tenant and the tenant read, under which they may. As for commands, a
caller without a grant gets 403 where it may read the tenant, and 404, exactly as for
a tenant that does not exist, where it may not.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from tenants.pipeline.errors import Forbidden
from tenants.pipeline.identity import Principal, Role
from tenants.pipeline.policy import Policy, Relation


@dataclass(frozen=True)
class ReadGrant:
    """A role that may make a read under some relations."""

    role: Role
    relations: frozenset[Relation]


R = Role
AUDITED = frozenset({Relation.OWN, Relation.STREET_OF})
READERS = frozenset({Relation.OWN, Relation.STREET_OF})

READS: dict[str, tuple[ReadGrant, ...]] = {
    # A tenant's whole log, checkpoints and keys as one file: for those who audit it.
    "export_tenant": (
        ReadGrant(R.AUDITOR, AUDITED),
        ReadGrant(R.STREET_ADMIN, AUDITED),
        ReadGrant(R.PLATFORM_ADMIN, frozenset({Relation.PLATFORM})),
    ),
    # An evidence file: whoever reads the tenant (as GraphQL); the route then serves a
    # file attached only to residents' affairs, or to nothing yet, only to readers who
    # see personal data (and an unattached one to its uploader).
    "download_evidence_file": (
        *(ReadGrant(role, READERS) for role in Role if role not in (R.PLATFORM_ADMIN, R.PUBLIC)),
        ReadGrant(R.PLATFORM_ADMIN, frozenset({Relation.PLATFORM})),
    ),
    # An official document (PDF): whoever reads the tenant (as GraphQL); attendees'
    # names on a sign-in sheet are printed only for readers who see personal data.
    "download_document": (
        *(ReadGrant(role, READERS) for role in Role if role not in (R.PLATFORM_ADMIN, R.PUBLIC)),
        ReadGrant(R.PLATFORM_ADMIN, frozenset({Relation.PLATFORM})),
    ),
}


def authorise_read(policy: Policy, principal: Principal, read: str, tenant_id: str) -> None:
    """Allow the read, or raise Forbidden (403) or NotFound (404, as if unknown)."""
    try:
        relation = policy.relation(principal, tenant_id)
    except NotFound:
        raise NotFound(f"no tenant {tenant_id}") from None
    if any(g.role is principal.role and relation in g.relations for g in READS[read]):
        return
    if not policy.may_read(principal, tenant_id):
        raise NotFound(f"no tenant {tenant_id}")
    raise Forbidden(f"a {principal.role.value} may not {read.replace('_', ' ')} here")

"""Who may send which command where: one table, one row per command.

A row lists grants. A grant names a role and the relations between the caller's
tenant and the command's tenant under which that role may act; a *bound* grant
also requires the command to be for the caller's own unit, member record or
resident id. A caller with no grant gets 403 when it may read the tenant, and
404, exactly as for a tenant that does not exist, when it may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import NotFound
from tenants.messages import COMMANDS
from tenants.messages.base import Message
from tenants.pipeline.errors import Forbidden
from tenants.pipeline.identity import Principal, Role
from tenants.registry import TenantDirectory, TenantPlace


class Relation(StrEnum):
    """How the caller's tenant stands to the tenant a command or read is for."""

    OWN = "own tenant"
    STREET_OF = "street of the community"
    COMMUNITY_OF = "community of the street"
    SIBLING = "sibling community"
    UNRELATED = "unrelated tenant"
    PLATFORM = "platform"


@dataclass(frozen=True)
class Grant:
    """A role that may act under some relations, possibly only for its own record."""

    role: Role
    relations: frozenset[Relation] = frozenset({Relation.OWN})
    bound: bool = False

    def allows(self, principal: Principal, relation: Relation, message: Message) -> bool:
        """Tell whether this grant lets ``principal`` send ``message``."""
        if principal.role is not self.role or relation not in self.relations:
            return False
        return not self.bound or message.bound_value(principal.role) == principal.binding


R = Role
MANAGER = (Grant(R.STREET_ADMIN), Grant(R.COMMUNITY_SECRETARY))
LIAISON = (Grant(R.UNIT_LIAISON, bound=True),)
MEMBER = (Grant(R.PARTY_MEMBER, bound=True),)
RESIDENT = (Grant(R.RESIDENT, bound=True),)
# An integrator manages the webhooks it registers (the handler checks which are its own).
WEBHOOK_MANAGERS = (*MANAGER, Grant(R.INTEGRATOR))
ISSUERS = (
    Grant(R.PLATFORM_ADMIN, frozenset({Relation.PLATFORM})),
    Grant(R.STREET_ADMIN, frozenset({Relation.OWN, Relation.STREET_OF})),
    Grant(R.COMMUNITY_SECRETARY),
)

POLICY: dict[str, tuple[Grant, ...]] = {
    # tenants and units
    "register_tenant": (
        Grant(R.PLATFORM_ADMIN, frozenset({Relation.PLATFORM})),
        Grant(R.STREET_ADMIN),  # a community under its own street
    ),
    # the plenary's business: recorded by the manager, citing the plenary's resolution
    "amend_charter": MANAGER,
    "confirm_council": MANAGER,
    "adopt_work_document": MANAGER,
    "join_unit": MANAGER,
    "appoint_representative": MANAGER,
    "appoint_liaison": MANAGER,
    "leave_unit": MANAGER,
    # meetings
    "schedule_meeting": MANAGER,
    "add_agenda_item": MANAGER,
    "withdraw_agenda_item": MANAGER,
    "issue_notice": MANAGER,
    "solicit_opinions": MANAGER,
    "submit_opinion": MANAGER + LIAISON,
    "request_leave": MANAGER + LIAISON,
    "decide_leave": MANAGER,  # the chair or the secretary; never the unit itself
    "sign_in": MANAGER + LIAISON,
    "open_meeting": MANAGER,
    "record_position": MANAGER,
    "decide_item": MANAGER,
    "close_meeting": MANAGER,
    "issue_minutes": MANAGER,
    "acknowledge_minutes": MANAGER + LIAISON,
    "correct_minutes": MANAGER,
    "postpone_meeting": MANAGER,
    "cancel_meeting": MANAGER,
    # resolutions: units report, the convener (never the reporting unit) verifies
    "notify_resolution": MANAGER,
    "report_execution": MANAGER + LIAISON,
    "verify_resolution": MANAGER,
    "return_report": MANAGER,
    "supersede_resolution": MANAGER,
    # commitments (progress: the handler checks that the commitment is the caller's)
    "make_commitment": MANAGER + LIAISON + MEMBER,
    "publish_commitment": MANAGER,
    "report_progress": (*MANAGER, Grant(R.UNIT_LIAISON), Grant(R.PARTY_MEMBER)),
    "rate_commitment": MANAGER + RESIDENT,
    "fulfil_commitment": MANAGER,
    "withdraw_commitment": MANAGER,
    # members, posts, activities
    "register_member": (*MANAGER, Grant(R.PARTY_MEMBER)),  # a member registers itself
    "report_residence": MANAGER + MEMBER,
    "change_class": MANAGER,
    "transfer_member": MANAGER,
    "resume_transfer": MANAGER,
    "claim_post": MANAGER + MEMBER,
    "release_post": MANAGER + MEMBER,
    "log_service": MANAGER + MEMBER,
    "review_service_log": MANAGER,
    "review_year": MANAGER,
    "define_post": MANAGER,
    "retire_post": MANAGER,
    "hold_activity": MANAGER,
    # rubrics and evaluations: the evaluator's staff score; only the subject appeals
    "draft_rubric": MANAGER,
    "revise_rubric": MANAGER,
    "publish_rubric": MANAGER,
    "open_evaluation": MANAGER,
    "score_item": MANAGER,
    "finalise_evaluation": MANAGER,
    "appeal_evaluation": (
        Grant(R.COMMUNITY_SECRETARY, frozenset({Relation.COMMUNITY_OF})),
        Grant(R.UNIT_LIAISON),
    ),
    "resolve_appeal": MANAGER,
    "require_rectification": MANAGER,
    # the subject reports a rectification done; the evaluator verifies or returns it
    "report_rectification": (
        Grant(R.COMMUNITY_SECRETARY, frozenset({Relation.COMMUNITY_OF})),
        Grant(R.UNIT_LIAISON),
    ),
    "return_rectification": MANAGER,
    "close_rectification": MANAGER,
    # co-construction agreements: the community signs, reviews, renews and ends them
    "sign_agreement": MANAGER,
    "review_agreement": MANAGER,
    "renew_agreement": MANAGER,
    "end_agreement": MANAGER,
    # resident affairs (result: the handler checks that the affair is the caller's)
    "receive_affair": MANAGER,
    "assign_affair": MANAGER,
    "report_affair_result": (*MANAGER, Grant(R.UNIT_LIAISON), Grant(R.PARTY_MEMBER)),
    "give_affair_feedback": MANAGER,
    # commendations: the awarding tenant's manager nominates and decides; a community
    # secretary also nominates its own community, members and units to its street
    "nominate_commendation": (
        *MANAGER,
        Grant(R.COMMUNITY_SECRETARY, frozenset({Relation.COMMUNITY_OF})),
    ),
    "decide_commendation": MANAGER,
    "publish_commendation": MANAGER,
    "revoke_commendation": MANAGER,
    # evidence files: whoever reports with evidence uploads it to the tenant whose log
    # holds the record (a community's secretary, to its street, for a rectification)
    "upload_evidence_file": (
        *MANAGER,
        Grant(R.UNIT_LIAISON),
        Grant(R.PARTY_MEMBER),
        Grant(R.COMMUNITY_SECRETARY, frozenset({Relation.COMMUNITY_OF})),
    ),
    # reports upward: the community's secretary files its own; the street decides
    "file_upward_report": (Grant(R.COMMUNITY_SECRETARY),),
    "acknowledge_upward_report": MANAGER,
    "return_upward_report": MANAGER,
    # access tokens (the handler also checks which roles each issuer may grant)
    "issue_token": ISSUERS,
    "revoke_token": ISSUERS,
    # calendar feeds (a liaison: its own unit's feed; revoking, the handler checks the unit)
    "issue_calendar_feed": MANAGER + LIAISON,
    "revoke_calendar_feed": (*MANAGER, Grant(R.UNIT_LIAISON)),
    # webhooks (docs/webhooks.md)
    "register_webhook": WEBHOOK_MANAGERS,
    "change_webhook": WEBHOOK_MANAGERS,
    "pause_webhook": WEBHOOK_MANAGERS,
    "resume_webhook": WEBHOOK_MANAGERS,
    "rotate_webhook_secret": WEBHOOK_MANAGERS,
    "retry_webhook_deliveries": WEBHOOK_MANAGERS,
    "remove_webhook": WEBHOOK_MANAGERS,
}

# Which roles each issuer may grant, and where.
ISSUABLE: dict[Role, frozenset[Role]] = {
    R.PLATFORM_ADMIN: frozenset(Role),
    R.STREET_ADMIN: frozenset(
        {R.COMMUNITY_SECRETARY, R.UNIT_LIAISON, R.PARTY_MEMBER, R.RESIDENT, R.AUDITOR}
        | {R.INTEGRATOR}
    ),
    R.COMMUNITY_SECRETARY: frozenset({R.UNIT_LIAISON, R.PARTY_MEMBER, R.RESIDENT}),
}


def relation(own: TenantPlace | None, place: TenantPlace | None) -> Relation:
    """How the caller's tenant ``own`` stands to ``place`` (None: the platform itself)."""
    if place is None:
        return Relation.PLATFORM
    if own is None:
        return Relation.UNRELATED
    if own.tenant_id == place.tenant_id:
        return Relation.OWN
    if place.parent_id == own.tenant_id:
        return Relation.STREET_OF
    if own.parent_id == place.tenant_id:
        return Relation.COMMUNITY_OF
    if place.parent_id is not None and own.parent_id == place.parent_id:
        return Relation.SIBLING
    return Relation.UNRELATED


class Policy:
    """Decide, for each command and read, whether a principal may."""

    def __init__(self, directory: TenantDirectory) -> None:
        self.directory = directory

    def relation(self, principal: Principal, tenant_id: str | None) -> Relation:
        """The principal's relation to a tenant (NotFound when it does not exist)."""
        place = None if tenant_id is None else self.directory.require(tenant_id)
        if principal.role is Role.PLATFORM_ADMIN and principal.tenant_id is None:
            return Relation.PLATFORM
        own = self.directory.find(principal.tenant_id) if principal.tenant_id else None
        return relation(own, place)

    def may_read(self, principal: Principal, tenant_id: str) -> bool:
        """Tell whether the principal reads this tenant: its own, or a community of its street."""
        if principal.role is Role.PUBLIC:
            return False  # the public page is its one read, and reads nothing through here
        try:
            rel = self.relation(principal, tenant_id)
        except NotFound:
            return False
        return rel in (Relation.OWN, Relation.STREET_OF, Relation.PLATFORM)

    def authorise(self, principal: Principal, message: Message, tenant_id: str | None) -> None:
        """Allow the command, or raise Forbidden (403) or NotFound (404, as if unknown)."""
        grants = POLICY[message.command_name]
        try:
            rel = self.relation(principal, tenant_id)
        except NotFound:
            raise NotFound(f"no tenant {tenant_id}") from None
        if any(grant.allows(principal, rel, message) for grant in grants):
            return
        if tenant_id is not None and not self.may_read(principal, tenant_id):
            raise NotFound(f"no tenant {tenant_id}")
        raise Forbidden(
            f"a {principal.role.value} may not {message.command_name.replace('_', ' ')} here"
        )


def check_policy_complete() -> list[str]:
    """Commands without a policy row, and rows without a command (both must be empty)."""
    return sorted(set(COMMANDS) ^ set(POLICY))

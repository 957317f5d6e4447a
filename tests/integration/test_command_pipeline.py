"""Every command through the one pipeline: policy rows, expected versions, refusals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine

from api.platform import Platform
from domain.errors import NotFound
from tenants.ledger import VersionConflict
from tenants.messages import COMMANDS, Message, RecordCommand
from tenants.messages.base import PLATFORM_LOG
from tenants.pipeline.errors import Forbidden
from tenants.pipeline.identity import SYSTEM, Principal, Role
from tenants.pipeline.policy import POLICY, Relation, check_policy_complete
from tests.integration.world import World, build_world, manager

ON_STREET = {  # records in the street's log
    "rubric_id",
    "evaluation_id",
    "commendation_id",
    "received_report_id",
}
RECORD_COMMANDS = sorted(n for n, c in COMMANDS.items() if issubclass(c, RecordCommand))


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(Platform(engine, embedded=False))


def _targeted(world: World, name: str, **fields: Any) -> tuple[Message, str | None]:
    """A message naming existing records (other fields unset: the pipeline refuses first)."""
    cls = COMMANDS[name]
    if name == "register_tenant":
        body = {"tenant_id": "zz-new", "kind": "community", "name": "x", "parent_id": world.street}
        return cls.model_validate(body), None
    values: dict[str, Any] = dict(fields)
    tenant = world.a
    for path_field in cls.route.path_fields():
        raw = world.ids.get(path_field, "x1")
        values[path_field] = UUID(raw) if cls.model_fields[path_field].annotation is UUID else raw
        tenant = world.street if path_field in ON_STREET else tenant
    if name == "amend_charter":
        tenant = world.a
    return cls.model_construct(**values), tenant


def _heads(world: World) -> list[int]:
    tenants = [world.street, world.a, world.b, world.other_street, world.c, PLATFORM_LOG]
    return [world.head(t) for t in tenants]


def test_every_command_has_exactly_one_policy_row() -> None:
    assert check_policy_complete() == []
    assert len(COMMANDS) == len(POLICY) >= 58


@pytest.mark.parametrize("name", RECORD_COMMANDS)
def test_a_stale_expected_version_is_409_and_appends_nothing(world: World, name: str) -> None:
    message, tenant = _targeted(world, name, expected_version=999)
    assert tenant is not None
    principals = [manager(tenant, tenant == world.street), SYSTEM, manager(world.a, False)]
    allowed = [p for p in principals if _allowed(world, p, message, tenant)]
    assert allowed, f"no principal may send {name}"
    before = _heads(world)
    with pytest.raises(VersionConflict):
        world.platform.pipeline.handle(allowed[0], message, tenant)
    assert _heads(world) == before


def _allowed(world: World, principal: Principal, message: Message, tenant: str) -> bool:
    try:
        world.platform.pipeline.policy.authorise(principal, message, tenant)
    except (Forbidden, NotFound):
        return False
    return True


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_read_only_and_foreign_principals_are_refused_and_append_nothing(
    world: World, name: str
) -> None:
    message, tenant = _targeted(world, name, expected_version=None)
    intruders = [
        Principal("aud", Role.AUDITOR, world.a),
        Principal("int", Role.INTEGRATOR, world.street),
        Principal("sec-c", Role.COMMUNITY_SECRETARY, world.c),
        Principal("adm-2", Role.STREET_ADMIN, world.other_street),
    ]
    before = _heads(world)
    for principal in intruders:
        # A tenant the caller may read refuses with 403; any other answers as unknown.
        authority = message.authority_tenant(tenant)
        readable = authority is None or world.platform.pipeline.policy.may_read(
            principal, authority
        )
        expected: type[Exception] = Forbidden if readable else NotFound
        with pytest.raises(expected):
            world.platform.pipeline.handle(principal, message, tenant)
    assert _heads(world) == before


def test_a_command_on_an_unregistered_tenant_is_404_and_starts_no_log(world: World) -> None:
    ghost = "never-registered"
    who = Principal("x", Role.COMMUNITY_SECRETARY, ghost)
    with pytest.raises(NotFound):
        world.run(who, "join_unit", ghost, name="单位", kind="enterprise")
    assert world.head(ghost) == 0


def test_a_liaison_acts_only_for_its_own_unit(world: World) -> None:
    meeting = world.ids["meeting_id"]
    liaison = Principal("l", Role.UNIT_LIAISON, world.a, unit_id=world.ids["other_unit"])
    before = _heads(world)
    with pytest.raises(Forbidden):
        world.run(liaison, "request_leave", world.a, meeting_id=meeting,
                  unit_id=world.ids["unit_id"], reason="出差")  # fmt: skip
    assert _heads(world) == before


def test_the_policy_holds_its_invariants_for_every_command_role_and_relation(
    world: World,
) -> None:
    """Read-only roles, siblings and unrelated tenants may never command (an integrator
    only manages its own tenant's webhooks); a street's staff command in its
    communities only to issue tokens; a community commands in its street only as the
    subject of its own evaluation (appeal, report a rectification done, upload the
    files that report attaches) and to nominate its own community, members and units
    for a commendation; residents only rate."""
    from tenants.pipeline.policy import Grant

    probes = 0
    for name, grants in POLICY.items():
        for role in Role:
            for rel in Relation:
                allowed = any(g.role is role and rel in g.relations for g in grants)
                probes += 1
                if role is Role.AUDITOR:
                    assert not allowed, (name, role)
                if role is Role.INTEGRATOR and allowed:
                    assert name.endswith(("_webhook", "_webhook_secret", "_webhook_deliveries"))
                    assert rel is Relation.OWN, (name, rel)
                if rel in (Relation.SIBLING, Relation.UNRELATED):
                    assert not allowed, (name, role, rel)
                if rel is Relation.STREET_OF and allowed:
                    assert name in ("issue_token", "revoke_token"), (name, role)
                if rel is Relation.COMMUNITY_OF and allowed:
                    assert name in (
                        "appeal_evaluation",
                        "report_rectification",
                        "upload_evidence_file",
                        "nominate_commendation",
                    ), (name, role)
                if role is Role.RESIDENT and allowed:
                    assert name == "rate_commitment", name
                if role is Role.PLATFORM_ADMIN and allowed:
                    assert name in ("register_tenant", "issue_token", "revoke_token"), name
    assert probes == len(POLICY) * len(Role) * len(Relation)
    assert all(isinstance(g, Grant) for grants in POLICY.values() for g in grants)
    # The convener verifies execution; the reporting unit never does.
    assert {g.role for g in POLICY["verify_resolution"]} == {
        Role.STREET_ADMIN,
        Role.COMMUNITY_SECRETARY,
    }
    # An appellant never resolves its own appeal: neither the evaluated community
    # (acting in its street) nor a unit liaison may resolve one.
    resolving = POLICY["resolve_appeal"]
    assert all(Relation.COMMUNITY_OF not in g.relations for g in resolving)
    assert Role.UNIT_LIAISON not in {g.role for g in resolving}
    # A community files its report upward; only its street decides on it.
    for deciding in ("acknowledge_upward_report", "return_upward_report"):
        assert all(Relation.COMMUNITY_OF not in g.relations for g in POLICY[deciding])


def test_the_published_policy_table_matches_the_code() -> None:
    import importlib.util
    from pathlib import Path

    root = Path(__file__).parents[2]
    spec = importlib.util.spec_from_file_location("gen_docs", root / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    gen_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_docs)
    published = (root / "docs" / "security.md").read_text()
    assert published == gen_docs.security_markdown(), "regenerate with scripts/gen_docs.py"

"""Personal fields sealed per person, on SQLite and PostgreSQL: a ciphertext opens
only for its own tenant, person and field; events stored before sealing are
forgotten too; a projection that read a key since destroyed writes nothing; and the
application's role may seal and forget, never remove a key's row."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url

from api.cli import main
from api.platform import Platform, migrate
from domain.charters import Charter
from domain.members import MemberClass, PartyMember
from domain.personal_data import ERASED
from domain.stamp import Actor, Stamp
from domain.tenants import TenantKind
from projections.erasure import forget
from projections.runner import Projector
from projections.tables_engagement import members
from tenants.commands.ledger import Ledger
from tenants.store import person_keys
from tenants.store.database import make_engine, write_transaction
from tenants.store.schema import events
from tenants.store.sealing import open_sealed, seal
from tenants.store.verify import verify_tenant

STAMP_ACTOR = Actor("sec", "community_secretary")


def _community(engine: Engine, tenant_id: str) -> Ledger:
    ledger = Ledger(engine, tenant_id)
    ledger.register(Stamp(tenant_id, STAMP_ACTOR), TenantKind.STREET, "枫林街道", Charter(), None)
    return ledger


def _register(ledger: Ledger, name: str) -> UUID:
    member_id = uuid4()
    stamp = Stamp(ledger.tenant_id, STAMP_ACTOR)
    ledger.register_member(stamp, member_id, name, MemberClass.RETIRED, None)
    return member_id


def _stored(engine: Engine, tenant_id: str, record_id: UUID) -> StoredEvent:
    with engine.connect() as conn:
        row = conn.execute(
            select(events).where(
                events.c.tenant_id == tenant_id, events.c.originator_id == record_id
            )
        ).one()
    return StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))


def _name(ledger: Ledger, stored: StoredEvent) -> Any:
    return vars(ledger.sealing.to_domain_event(stored))["name"]


def _shown_name(engine: Engine, tenant_id: str, member_id: UUID) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            select(members.c.name).where(
                members.c.tenant_id == tenant_id,
                members.c.member_id == str(member_id),
                members.c.valid_to.is_(None),
            )
        ).scalar()


def test_a_sealed_field_opens_only_for_its_own_tenant_person_and_field(
    engine: Engine, tenant_id: str
) -> None:
    ledger, elsewhere = _community(engine, tenant_id), _community(engine, f"{tenant_id}-b")
    a, b = _register(ledger, "张三"), _register(ledger, "李四")
    keys = person_keys.for_engine(engine)
    key_a = keys.sealing_key(tenant_id, f"member:{a}")
    key_b = keys.sealing_key(tenant_id, f"member:{b}")
    key_there = keys.sealing_key(elsewhere.tenant_id, f"member:{a}")
    assert key_a and key_b and key_there and len({key_a, key_b, key_there}) == 3
    sealed = seal(key_a, tenant_id, f"member:{a}", "name", "张三")
    assert open_sealed(key_a, tenant_id, "name", sealed) == "张三"
    as_b = {**sealed, "sealed": f"member:{b}"}
    for key, tenant, field, moved in [
        (key_b, tenant_id, "name", as_b),  # to another person
        (key_there, elsewhere.tenant_id, "name", sealed),  # to another tenant
        (key_a, tenant_id, "work_unit", sealed),  # to another field
    ]:
        with pytest.raises(ValueError, match="does not open"):
            open_sealed(key, tenant, field, moved)

    # In the store: A's sealed name put in B's event, or A's event in another tenant's
    # log, reads as erased; A's own event reads as written.
    stored_a, stored_b = _stored(engine, tenant_id, a), _stored(engine, tenant_id, b)
    state_b = json.loads(stored_b.state)
    state_b["name"] = {**json.loads(stored_a.state)["name"], "sealed": f"member:{b}"}
    forged = StoredEvent(b, 1, stored_b.topic, json.dumps(state_b).encode())
    assert _name(ledger, forged) == ERASED
    assert _name(elsewhere, stored_a) == ERASED
    assert _name(ledger, stored_a) == "张三"
    assert "张三".encode() not in stored_a.state


def test_events_stored_before_sealing_read_as_before_until_their_person_is_forgotten(
    engine: Engine, tenant_id: str
) -> None:
    ledger = _community(engine, tenant_id)
    member = PartyMember.register(
        Stamp(tenant_id, STAMP_ACTOR),
        member_id=uuid4(),
        name="王五",
        member_class=MemberClass.RETIRED,
    )
    # As the code before sealing stored it: the library's own mapper, plaintext.
    plain = Mapper[UUID](ledger.sealing.transcoder)
    ledger.recorder.insert_events([plain.to_stored_event(e) for e in member.collect_events()])
    projector = Platform(engine, embedded=False).projector
    projector.catch_up(tenant_id)
    assert _shown_name(engine, tenant_id, member.id) == "王五"
    assert ledger.load(PartyMember, member.id).name == "王五"

    done = forget(projector, tenant_id, f"member:{member.id}", None)
    assert (done.events, done.fields, done.already) == (1, 1, False)
    assert _shown_name(engine, tenant_id, member.id) == ERASED
    assert Ledger(engine, tenant_id).load(PartyMember, member.id).name == ERASED
    # The log is never rewritten: the plaintext stays in its event, which still verifies.
    assert "王五".encode() in _stored(engine, tenant_id, member.id).state
    assert verify_tenant(engine, tenant_id) is None


class _ForgetsWhileFolding(Projector):
    """A projector during whose fold of a tenant another process forgets a person."""

    person = ""

    def _fold_log(self, fold: Any, writes: Any) -> bool:
        folded = super()._fold_log(fold, writes)
        with write_transaction(self.engine) as conn:
            person_keys.erase(conn, fold.tenant_id, self.person, None)
        return folded


def test_a_projection_that_read_a_key_since_destroyed_writes_nothing(
    engine: Engine, tenant_id: str
) -> None:
    ledger = _community(engine, tenant_id)
    member = _register(ledger, "赵七")
    person = f"member:{member}"
    # A batch: its keys were read, then the person was forgotten.
    access = ledger.sealing.reading(tenant_id)
    assert isinstance(access.key(person), bytes)
    folding = _ForgetsWhileFolding(engine, ledger.sealing)
    folding.person = person
    with pytest.raises(person_keys.KeysChanged):
        folding.fold_tenants([tenant_id])
    with engine.connect() as conn, pytest.raises(person_keys.KeysChanged):
        access.check(conn)
    assert folding.position(tenant_id) == 0
    assert _shown_name(engine, tenant_id, member) is None, "nothing of the fold was written"
    Projector(engine, ledger.sealing).catch_up(tenant_id)
    assert _shown_name(engine, tenant_id, member) == ERASED


def test_an_older_database_gains_the_keys_table_by_migrating(
    private_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with private_engine.begin() as conn:
        conn.execute(text("DROP TABLE es_person_keys"))
    monkeypatch.setenv(
        "GONGJIAN_DATABASE_URL", private_engine.url.render_as_string(hide_password=False)
    )
    assert main(["project", "--once"]) == 1
    assert "needs upgrading: run 'gongjian migrate'" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    assert inspect(private_engine).has_table("es_person_keys")
    assert main(["project", "--once"]) == 0


def _database_bytes(engine: Engine) -> bytes:
    """What the database holds of ``es_person_keys``, as stored: on SQLite the file
    and its WAL, on PostgreSQL the pages (``pageinspect``, a superuser's) of the table
    or, partitioned, of each of its partitions."""
    if engine.dialect.name == "sqlite":
        path = str(engine.url.database)
        names = (Path(path), Path(f"{path}-wal"))
        return b"".join(name.read_bytes() for name in names if name.exists())
    pages = text(
        "SELECT relid::text, pg_relation_size(relid) / current_setting('block_size')::int"
        " FROM pg_partition_tree('es_person_keys') WHERE isleaf"
    )
    with engine.connect() as conn:
        return b"".join(
            bytes(
                conn.execute(
                    text("SELECT get_raw_page(:relation, :n)"), {"relation": relation, "n": n}
                ).scalar_one()
            )
            for relation, count in conn.execute(pages).all()
            for n in range(count)
        )


def test_a_forgotten_key_is_gone_from_the_database_itself(engine: Engine, tenant_id: str) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            if not conn.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar():
                pytest.skip("reading a table's pages takes a superuser")
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    ledger = _community(engine, tenant_id)
    member = _register(ledger, "周九")
    projector = Platform(engine, embedded=False).projector
    projector.catch_up(tenant_id)
    with engine.connect() as conn:
        key = bytes(
            conn.execute(
                text("SELECT key FROM es_person_keys WHERE tenant_id = :t"), {"t": tenant_id}
            ).scalar_one()
        )
    assert key in _database_bytes(engine)
    # Run as the tables' owner, forgetting also purges the old row version (the table
    # rewritten on PostgreSQL; on SQLite, zeroed free space and an emptied WAL).
    done = forget(projector, tenant_id, f"member:{member}", None)
    if engine.dialect.name == "postgresql" and not done.purged:
        pytest.skip("a transaction older than the erasure outlasted the wait (shared server)")
    assert done.purged
    assert key not in _database_bytes(engine)


@pytest.fixture(scope="module")
def app_url(postgres_url: str, postgres_engine: Engine) -> Iterator[str]:
    """The test database as a role that owns nothing, granted the tables by migrate."""
    role = f"gongjian_sealing_{os.getpid()}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN")
    migrate(postgres_engine, app_role=role)
    yield make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


@pytest.mark.postgres
def test_the_application_role_seals_and_forgets_but_never_removes_a_key(
    app_url: str, tenant_id: str
) -> None:
    engine = make_engine(app_url, pool_size=2)
    try:
        ledger = _community(engine, tenant_id)
        member = _register(ledger, "孙八")
        projector = Platform(engine, embedded=False).projector
        projector.catch_up(tenant_id)
        forget(projector, tenant_id, f"member:{member}", "本人申请")
        assert _shown_name(engine, tenant_id, member) == ERASED
    finally:
        engine.dispose()
    with psycopg.connect(app_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("SELECT set_config('gongjian.tenants', '*', false)")
        for statement in (
            "DELETE FROM es_person_keys WHERE tenant_id = %(t)s",
            "TRUNCATE es_person_keys",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, {"t": tenant_id})
        erased = conn.execute(
            "SELECT key IS NULL FROM es_person_keys WHERE tenant_id = %(t)s", {"t": tenant_id}
        ).fetchall()
    assert erased == [(True,)]

"""Row-level security on PostgreSQL: a second barrier behind the tenant scoping of
every read.

Every table with a ``tenant_id`` gets one policy: a row is visible (and writable)
only when its tenant is in the transaction's ``gongjian.tenants`` setting, a
comma-separated list, or when that setting is ``*``. The application connects
as a role that does not own the tables (owners and superusers bypass row
security), every new connection starts at ``*`` (trusted paths: commands,
projection), and a GraphQL request narrows each of its transactions to the
tenants its principal may read (``reading_only``). A resolver that forgot the
scoping still cannot see another tenant's rows; an ad-hoc session by the
application role that never set the list sees nothing at all. Partitioned tables
carry the policy on their parent; their partitions are not the role's to use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, text

SETTING = "gongjian.tenants"
EVERY_TENANT = "*"
POLICY = "gongjian_tenant_scope"
APPEND_ONLY = "es_events, es_tenant_heads"
# Checkpoints and the Merkle nodes they store are added by the application (it takes
# them) but never changed or removed by it.
INSERT_ONLY = "es_checkpoints, es_merkle_nodes"
# Persons' keys are made, erased (key set to NULL) and marked by the application, but
# their rows are never removed: each erased row keeps the person forgotten.
KEPT_ROWS = "es_person_keys"
# The tenants this context reads (None: not narrowed, the connection's default).
_narrowed: ContextVar[str | None] = ContextVar("gongjian_tenants", default=None)


def enable(conn: Connection, tables: Iterable[Table]) -> None:
    """Turn on row security with the tenant policy on every table with a tenant_id."""
    allowed = (
        f"current_setting('{SETTING}', true) = '{EVERY_TENANT}' OR tenant_id = "
        f"ANY (string_to_array(current_setting('{SETTING}', true), ','))"
    )
    for table in tables:
        if "tenant_id" not in table.c:
            continue
        name = conn.dialect.identifier_preparer.quote(table.name)
        conn.execute(text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
        conn.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {name}"))
        conn.execute(
            text(f"CREATE POLICY {POLICY} ON {name} USING ({allowed}) WITH CHECK ({allowed})")
        )


def grant(conn: Connection, role: str) -> None:
    """Let ``role`` (the application's, not the tables' owner) use the database."""
    quoted = conn.dialect.identifier_preparer.quote(role)
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    conn.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    conn.execute(text(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {quoted}"))
    # The log and its heads are append-only for the application: it reads them, and
    # appends through gongjian_append() (which runs as the owner); no row of them can
    # be changed or removed with its rights.
    conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {APPEND_ONLY} FROM {quoted}"))
    conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {INSERT_ONLY} FROM {quoted}"))
    conn.execute(text(f"REVOKE DELETE, TRUNCATE ON {KEPT_ROWS} FROM {quoted}"))
    # A partition is read and written through its parent, whose policy and rights then
    # apply; reached directly it would bypass both, so the role gets no right on it.
    names = [conn.dialect.identifier_preparer.quote(name) for name in partitions_in(conn)]
    if names:
        conn.execute(text(f"REVOKE ALL ON {', '.join(names)} FROM {quoted}"))


def partitions_in(conn: Connection) -> list[str]:
    """Every partition in this schema (used only through its parent table)."""
    query = text(
        "SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r'"
        " AND relnamespace = current_schema()::regnamespace ORDER BY relname"
    )
    return list(conn.execute(query).scalars())


def install(engine: Engine) -> None:
    """Start each connection at every tenant, and narrow each transaction begun
    inside ``reading_only`` to its tenants (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _every_tenant(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET {SETTING} = '{EVERY_TENANT}'")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def _narrow(conn: Connection) -> None:
        tenants = _narrowed.get()
        if tenants is not None:
            conn.exec_driver_sql("SELECT set_config(%s, %s, true)", (SETTING, tenants))


@contextmanager
def reading_only(tenants: Iterable[str] | None) -> Iterator[None]:
    """Narrow the transactions begun in this context to ``tenants`` (None: every
    tenant). Threads started with the context (``asyncio.to_thread``) inherit it."""
    value = EVERY_TENANT if tenants is None else ",".join(sorted(set(tenants)))
    token = _narrowed.set(value)
    try:
        yield
    finally:
        _narrowed.reset(token)


def narrow(tenants: Iterable[str] | None) -> None:
    """Narrow every transaction begun from now on in this context to ``tenants`` (a
    websocket's: the operations it starts inherit its context, for as long as it lives)."""
    _narrowed.set(EVERY_TENANT if tenants is None else ",".join(sorted(set(tenants))))

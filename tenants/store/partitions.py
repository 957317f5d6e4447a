"""Hash partitions by tenant on PostgreSQL: the layout of every per-tenant table.

Every table with a ``tenant_id`` (the log, its heads, tracking, the read models...)
is hash-partitioned by ``tenant_id`` into the same number of partitions, named
``<table>_p<remainder>``, so that a statement that names one tenant reads and
writes one partition of each table it touches. The number is chosen at migrate
time (``gongjian migrate --partitions N`` or ``GONGJIAN_PARTITIONS``; 0: plain
tables) and kept by the catalog itself: a store's layout is what its tables are.
Changing it (an unpartitioned store to N partitions, or N to M) rebuilds the
tables, each in one transaction: the old one is moved aside into a schema of its
own, the new one created under the same name, every row copied, the old one
dropped, and its row security enabled again. SQLite keeps plain tables.
docs/decisions/0015-hash-partitions-by-tenant.md says why.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, event, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.compiler import DDLCompiler

from tenants.store import row_security

PARTITIONS_SETTING = "GONGJIAN_PARTITIONS"
# A new PostgreSQL store's partitions when none are asked for (docs/deployment.md):
# hash partitions cannot be split in place, so the count is sized for growth (2,000
# tenants and 10 million events give each partition of the log about 600,000 rows),
# while every per-tenant table times this count stays a catalog of a few thousand
# relations that migrates in seconds.
DEFAULT_PARTITIONS = 16
PARTITION_KEY = "tenant_id"
# A table's ``info`` key marking a table with a tenant_id that is nonetheless read
# across tenants by design, and so kept whole.
SHARED = "gongjian_shared"
# Where the tables being rebuilt wait, inside the rebuilding transaction.
_ASIDE = "gongjian_relayout"
# The partition count the tables created in this context get (0: plain tables).
_creating: ContextVar[int] = ContextVar("gongjian_partitions", default=0)


class PartitionsError(ValueError):
    """A partition count that cannot be used."""


def configured(requested: int | None = None) -> int | None:
    """The partition count asked for: ``requested``, else the setting, else None."""
    if requested is None:
        value = os.environ.get(PARTITIONS_SETTING, "").strip()
        if not value:
            return None
        try:
            requested = int(value)
        except ValueError:
            raise PartitionsError(f"{PARTITIONS_SETTING}={value!r} is not a number") from None
    if not 0 <= requested <= 1024:
        raise PartitionsError(f"partitions must be 0 (none) to 1024, not {requested}")
    return requested


def is_per_tenant(table: Table) -> bool:
    """Whether the table's rows each belong to one tenant and are read tenant by
    tenant (it is partitioned)."""
    return PARTITION_KEY in table.c and not table.info.get(SHARED, False)


@contextmanager
def creating(partitions: int) -> Iterator[None]:
    """Create the per-tenant tables made in this context with ``partitions`` hash
    partitions (PostgreSQL; 0: plain tables)."""
    token = _creating.set(partitions)
    try:
        yield
    finally:
        _creating.reset(token)


@compiles(CreateTable, "postgresql")
def _create_table(create: CreateTable, compiler: DDLCompiler, **kw: Any) -> str:
    statement: str = compiler.visit_create_table(create, **kw)  # type: ignore[no-untyped-call]
    if _creating.get() and is_per_tenant(create.element):
        return f"{statement.rstrip()} PARTITION BY HASH ({PARTITION_KEY})\n\n"
    return statement


@event.listens_for(Table, "after_create")
def _create_partitions(table: Table, connection: Connection, **_: Any) -> None:
    count = _creating.get()
    if connection.dialect.name != "postgresql" or not count or not is_per_tenant(table):
        return
    quote = connection.dialect.identifier_preparer.quote
    for remainder in range(count):
        connection.exec_driver_sql(
            f"CREATE TABLE {quote(partition_name(table.name, remainder))} "
            f"PARTITION OF {quote(table.name)} "
            f"FOR VALUES WITH (MODULUS {count}, REMAINDER {remainder})"
        )


def partition_name(table: str, remainder: int) -> str:
    """The name of one partition of a table."""
    return f"{table}_p{remainder}"


def layouts(conn: Connection) -> dict[str, int]:
    """How many hash partitions each table of this schema has (0: a plain table), in
    one query (readiness asks on every probe)."""
    rows = conn.execute(
        text(
            "SELECT c.relname, CASE WHEN c.relkind = 'p' THEN (SELECT count(*) FROM pg_inherits"
            " i WHERE i.inhparent = c.oid) ELSE 0 END FROM pg_class c"
            " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
    )
    return {str(name): int(count) for name, count in rows}


def store_partitions(conn: Connection) -> int | None:
    """The partition count of the store (its log's; None: no store yet)."""
    return layouts(conn).get("es_events")


def mismatched(conn: Connection, tables: Iterable[Table], partitions: int) -> list[Table]:
    """The existing per-tenant tables whose layout is not ``partitions``."""
    present = layouts(conn)
    return [
        table
        for table in tables
        if is_per_tenant(table) and present.get(table.name, partitions) != partitions
    ]


def create_tables(engine: Engine, metadata: MetaData, partitions: int) -> None:
    """Create the metadata's tables that do not exist yet, the per-tenant ones with
    ``partitions`` partitions, one table to a transaction: a transaction locks every
    relation it creates, and all of them at once would exceed PostgreSQL's lock table
    (``max_locks_per_transaction``) at 64 partitions."""
    for table in metadata.sorted_tables:
        with engine.begin() as conn, creating(partitions):
            table.create(conn, checkfirst=True)


def relayout(engine: Engine, metadata: MetaData, partitions: int) -> list[str]:
    """Rebuild the metadata's per-tenant tables whose layout is not ``partitions``,
    keeping every row and their row security; return their names. Each table is
    rebuilt in a transaction of its own (see ``create_tables``), so a run that stops
    part-way leaves each table whole, in one layout or the other, and running it
    again finishes the rest. The roles that had been granted the old tables are
    granted the new ones."""
    with engine.connect() as conn:
        rebuilt = mismatched(conn, metadata.sorted_tables, partitions)
        roles = _grantees(conn, [table.name for table in rebuilt]) if rebuilt else []
    for table in rebuilt:  # sorted: a referenced table is rebuilt before its referrers
        with engine.begin() as conn:
            _rebuild(conn, table, partitions)
    if roles:
        with engine.begin() as conn:
            for role in roles:
                row_security.grant(conn, role)
    return [table.name for table in rebuilt]


def _rebuild(conn: Connection, table: Table, partitions: int) -> None:
    """Move the table aside, create it anew, copy its rows, drop the old one. A foreign
    key to it from a table not yet rebuilt goes with the old one; that table's own
    rebuild (it comes later) declares it again."""
    quote = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"CREATE SCHEMA {_ASIDE}")
    for name in [table.name, *_partitions_of(conn, table.name)]:
        conn.exec_driver_sql(f"ALTER TABLE {quote(name)} SET SCHEMA {_ASIDE}")
    with creating(partitions):
        table.create(conn)
    columns = ", ".join(quote(column.name) for column in table.c)
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({columns}) "
        f"SELECT {columns} FROM {_ASIDE}.{quote(table.name)}"
    )
    conn.exec_driver_sql(f"DROP SCHEMA {_ASIDE} CASCADE")
    row_security.enable(conn, [table])
    conn.exec_driver_sql(f"ANALYZE {quote(table.name)}")


def _partitions_of(conn: Connection, table: str) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = (SELECT oid FROM pg_class WHERE relname = :name"
                " AND relnamespace = current_schema()::regnamespace)"
            ),
            {"name": table},
        ).scalars()
    )


def _grantees(conn: Connection, tables: list[str]) -> list[str]:
    """The roles other than the owner granted any of these tables."""
    return list(
        conn.execute(
            text(
                "SELECT DISTINCT grantee FROM information_schema.role_table_grants"
                " WHERE table_schema = current_schema() AND table_name = ANY(:tables)"
                " AND grantee <> 'PUBLIC' AND grantee <> ("
                "  SELECT tableowner FROM pg_tables WHERE schemaname = current_schema()"
                "  AND tablename = :first) ORDER BY grantee"
            ),
            {"tables": tables, "first": tables[0]},
        ).scalars()
    )

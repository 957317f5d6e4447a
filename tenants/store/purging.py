"""Removing a destroyed key's old bytes from the database's own files.

Setting a key to NULL leaves its bytes behind: SQLite keeps the old page in its WAL
(the erasing connection zeroes freed space, ``secure_delete``), and PostgreSQL keeps
the old row version, which a plain VACUUM frees without overwriting. Here SQLite's WAL
is copied back and emptied, and PostgreSQL's table is rewritten (``VACUUM FULL``),
which drops the old version only once no transaction anywhere on the server is older
than the erasure: so that is waited for first, a few seconds at most. Backups, WAL
archives and replicas are beyond reach (docs/security.md).
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from tenants.store.database import is_sqlite

WAIT = 10.0  # seconds to wait for transactions older than the erasure to end
LOCK_WAIT = "5s"  # how long the rewrite waits for the table's exclusive lock
_POLL = 0.1
_OWNS_KEYS = text(
    "SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables"
    " WHERE schemaname = current_schema() AND tablename = 'es_person_keys'"
)
# Whether every transaction, snapshot (as far as this role may see them) and slot
# that could still see the row version the erasure replaced has ended.
_PAST_ERASURE = text(
    "SELECT txid_snapshot_xmin(txid_current_snapshot()) > :erased"
    " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity"
    "  WHERE (datname = current_database() OR datname IS NULL)"
    "  AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
    "  AND age(backend_xmin) >= age(CAST(CAST(:erased % 4294967296 AS text) AS xid)))"
    " AND NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE xmin IS NOT NULL"
    "  AND age(xmin) >= age(CAST(CAST(:erased % 4294967296 AS text) AS xid)))"
)


def purge(engine: Engine, erased: int | None) -> bool:
    """Remove the bytes of keys destroyed by the transaction ``erased`` (PostgreSQL's
    id; None on SQLite) from the database files, where this role may; True if done
    (another role than the tables' owner, a transaction older than the erasure still
    running after ``WAIT`` seconds, or a busy WAL leave it undone)."""
    if is_sqlite(engine):
        pooled = engine.raw_connection()  # outside any transaction, as the pragma needs
        try:
            busy = pooled.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            pooled.close()
        return busy is not None and busy[0] == 0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if erased is None or not conn.execute(_OWNS_KEYS).scalar():
            return False
        if not _wait_past(conn, erased):
            return False
        conn.exec_driver_sql(f"SET lock_timeout = '{LOCK_WAIT}'")
        try:
            conn.exec_driver_sql("VACUUM FULL es_person_keys")
        except OperationalError:  # the lock was not granted in time
            return False
        finally:
            conn.exec_driver_sql("RESET lock_timeout")
        return True


def _wait_past(conn: Connection, erased: int) -> bool:
    deadline = time.monotonic() + WAIT
    while not conn.execute(_PAST_ERASURE, {"erased": erased}).scalar():
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL)
    return True

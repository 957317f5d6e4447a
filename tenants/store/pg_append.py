"""The PostgreSQL append path: one round trip per command.

A plpgsql function locks the tenant's head row, computes each event's chain
hash with PostgreSQL's own ``sha256`` over exactly the canonical bytes that
``tenants.store.chain`` defines (verification recomputes them in Python, so any
drift between the two fails ``gongjian verify`` and the tests), inserts the
rows, moves the head and records the idempotency key, all in the single
transaction of one ``SELECT``. It runs with its owner's rights (SECURITY DEFINER):
the application's role may not insert, update or delete event or head rows
(``tenants.store.row_security.grant``), so it can add to a log only through here,
and never change or remove what is there.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection

APPEND_FUNCTION = r"""
CREATE OR REPLACE FUNCTION gongjian_append(
    p_tenant text, p_ids uuid[], p_versions bigint[], p_topics text[], p_states bytea[],
    p_key text, p_request_hash text, p_response text
) RETURNS bigint LANGUAGE plpgsql
-- Runs as the tables' owner: the application role may read the log but not write
-- it, so an append is this function or nothing.
SECURITY DEFINER SET search_path = public, pg_temp
AS $fn$
DECLARE
    v_position bigint;
    v_hash bytea;
    v_first bigint;
    v_tenant bytea := convert_to(p_tenant, 'UTF8');
    v_topic bytea;
BEGIN
    SELECT position, hash INTO v_position, v_hash
        FROM es_tenant_heads WHERE tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO es_tenant_heads (tenant_id, position, hash)
            VALUES (p_tenant, 0, decode(repeat('00', 32), 'hex'))
            ON CONFLICT (tenant_id) DO NOTHING;
        SELECT position, hash INTO v_position, v_hash
            FROM es_tenant_heads WHERE tenant_id = p_tenant FOR UPDATE;
    END IF;
    v_first := v_position + 1;
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        v_position := v_position + 1;
        v_topic := convert_to(p_topics[i], 'UTF8');
        v_hash := sha256(
            v_hash
            || int8send(octet_length(v_tenant)) || v_tenant
            || int8send(v_position)
            || uuid_send(p_ids[i])
            || int8send(p_versions[i])
            || int8send(octet_length(v_topic)) || v_topic
            || int8send(octet_length(p_states[i])) || p_states[i]
        );
        INSERT INTO es_events
            (tenant_id, position, originator_id, originator_version, topic, state, hash)
            VALUES (p_tenant, v_position, p_ids[i], p_versions[i], p_topics[i],
                    p_states[i], v_hash);
    END LOOP;
    UPDATE es_tenant_heads SET position = v_position, hash = v_hash
        WHERE tenant_id = p_tenant;
    IF p_key IS NOT NULL THEN
        INSERT INTO es_idempotency_keys
            (tenant_id, key, request_hash, response, first_position, event_count)
            VALUES (p_tenant, p_key, p_request_hash, p_response, v_first,
                    v_position - v_first + 1);
    END IF;
    RETURN v_first;
END
$fn$;
"""

APPEND_SQL = "SELECT gongjian_append(%s, %s, %s, %s, %s, %s, %s, %s)"


def create_append_function(conn: Connection) -> None:
    """Install (or replace) the append function; run by ``gongjian migrate``."""
    conn.exec_driver_sql(APPEND_FUNCTION)


def append_function_current(conn: Connection) -> bool:
    """Whether the database's append function is the one ``create_append_function``
    installs (False when it is missing or an older version)."""
    installed = conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = 'gongjian_append'"
    ).scalar()
    body = re.search(r"\$fn\$(.*)\$fn\$", APPEND_FUNCTION, re.DOTALL)
    if installed is None or body is None:
        return installed is not None
    return bool(installed == body[1])

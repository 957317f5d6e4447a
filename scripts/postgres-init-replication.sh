#!/bin/sh
# Run once by the postgres image when its data directory is created (after
# postgres-init.sql): the role a streaming replica copies and follows the primary as,
# and the pg_hba.conf line that lets it in (docker-compose.yml's postgres-replica).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replicator'"
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"

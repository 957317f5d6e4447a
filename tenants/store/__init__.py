"""The tenant-keyed event store: recorder, chain, schema, migration, verification."""

"""Multi-tenant event store, tenant ledgers and their registry."""

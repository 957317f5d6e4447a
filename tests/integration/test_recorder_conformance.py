"""The eventsourcing library's own recorder conformance tests, on both databases."""

from __future__ import annotations

import uuid

import eventsourcing.tests.persistence as conformance
import pytest
from sqlalchemy import Engine

from tenants.store.recorder import TenantRecorder
from tenants.store.tracking import TenantTrackingRecorder


class _OnSQLite:
    engine: Engine

    @pytest.fixture(autouse=True)
    def _use_engine(self, sqlite_engine: Engine) -> None:
        self.engine = sqlite_engine


class _OnPostgres:
    engine: Engine

    @pytest.fixture(autouse=True)
    def _use_engine(self, postgres_engine: Engine) -> None:
        self.engine = postgres_engine


class _ApplicationRecorderCase(conformance.ApplicationRecorderTestCase[TenantRecorder]):
    engine: Engine

    def create_recorder(self) -> TenantRecorder:
        # A fresh tenant gives every test an empty log in a shared database.
        return TenantRecorder(self.engine, f"conformance-{uuid.uuid4().hex[:10]}")


class _TrackingRecorderCase(conformance.TrackingRecorderTestCase):
    engine: Engine

    def create_recorder(self) -> TenantTrackingRecorder:
        return TenantTrackingRecorder(self.engine, f"p-{uuid.uuid4().hex[:10]}")


class TestApplicationRecorderOnSQLite(_OnSQLite, _ApplicationRecorderCase):
    pass


@pytest.mark.postgres
class TestApplicationRecorderOnPostgres(_OnPostgres, _ApplicationRecorderCase):
    pass


class TestTrackingRecorderOnSQLite(_OnSQLite, _TrackingRecorderCase):
    pass


@pytest.mark.postgres
class TestTrackingRecorderOnPostgres(_OnPostgres, _TrackingRecorderCase):
    pass


# The bases are not tests themselves: keep pytest from collecting them.
del _ApplicationRecorderCase, _TrackingRecorderCase

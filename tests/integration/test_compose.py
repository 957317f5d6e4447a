"""docker-compose.yml wires the deployment as documented (no Docker engine runs here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def test_postgres_is_healthchecked_and_migrate_runs_once_after_it() -> None:
    services = _services()
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    migrate = services["migrate"]
    assert migrate["command"] == ["gongjian", "migrate", "--app-role", "gongjian_app"]
    assert migrate["restart"] == "no"
    # The owner migrates; the role the application uses was created at database init.
    assert "//gongjian:" in migrate["environment"]["GONGJIAN_DATABASE_URL"]
    init = (COMPOSE.parent / "scripts" / "postgres-init.sql").read_text()
    assert "CREATE ROLE gongjian_app LOGIN" in init
    mounted = " ".join(services["postgres"]["volumes"])
    assert "scripts/postgres-init.sql:/docker-entrypoint-initdb.d/" in mounted
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_api_and_projectors_start_after_a_successful_migration_on_postgres() -> None:
    services = _services()
    for name, command in (("api", "serve"), ("projector-1", "project"), ("projector-2", "project")):
        service = services[name]
        assert service["command"][:2] == ["gongjian", command]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        url = service["environment"]["GONGJIAN_DATABASE_URL"]
        assert url.startswith("postgresql://gongjian_app:"), "not as the tables' owner"
        assert "@postgres:" in url, "commands and projection go to the primary"
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])


def test_the_api_runs_two_workers_and_reads_from_a_streaming_replica() -> None:
    services = _services()
    api, replica = services["api"], services["postgres-replica"]
    command = api["command"]
    assert command[command.index("--workers") + 1] == "2"
    read = api["environment"]["GONGJIAN_READ_DATABASE_URL"]
    assert read.startswith("postgresql://gongjian_app:") and "@postgres-replica:" in read
    assert api["depends_on"]["postgres-replica"]["condition"] == "service_healthy"
    # The replica is copied from the primary and follows it as a standby.
    script = " ".join(replica["command"])
    assert "pg_basebackup -h postgres -U replicator" in script
    assert "--write-recovery-conf" in script
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    init = (COMPOSE.parent / "scripts" / "postgres-init-replication.sh").read_text()
    assert "CREATE ROLE replicator WITH REPLICATION" in init
    assert "host replication replicator" in init
    mounted = " ".join(services["postgres"]["volumes"])
    assert "scripts/postgres-init-replication.sh:/docker-entrypoint-initdb.d/" in mounted

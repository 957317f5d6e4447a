"""schemathesis against a running `gongjian serve`, through its served /openapi.json,
with a real token, on both databases: no 5xx, and every answer as the schema says
(status code, content type, headers, body)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.platform import Platform
from tenants.messages import COMMANDS
from tenants.pipeline.identity import SYSTEM
from tests.integration.servers import running_server, script
from tests.integration.world import World, build_world

ROOT = Path(__file__).parents[2]
# Bounded so CI stays fast: a few cases per operation, every check, fixed seed.
FUZZ = ["--max-examples", "4", "--seed", "20261122", "--no-shrink",
        "--phases", "examples,coverage,fuzzing", "--mode", "all", "--workers", "1",
        "--generation-database", "none", "--request-timeout", "30"]  # fmt: skip


# A request the schema allows may still be refused by what JSON Schema cannot say:
# text rules (NFC, no invisible characters, not blank), decimal bounds given as
# strings, an Idempotency-Key reused with another body (422), or the state of the
# records it names (404, 409). A GraphQL document the schema allows (any string) may not parse: its 400 is right.
# An evidence file's bytes must be of the type its Content-Type declares, which no
# schema for binary content can say: bytes that are not are refused with 415.
CONFIG = """
[parameters]
{known}
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "415", "422"]

[[operations]]
include-path = "/graphql"
checks.positive_data_acceptance.enabled = false
"""


@pytest.fixture
def served(engine: Engine, tmp_path: Path) -> Iterator[tuple[str, World, str]]:
    """A server on this backend over a world with a record of every kind, and a real
    token of the secretary of the community that holds most of them."""
    world = build_world(Platform(engine, embedded=False))
    issue = COMMANDS["issue_token"].model_validate({"role": "community_secretary", "user_id": "s"})
    token = world.platform.pipeline.handle(SYSTEM, issue, world.a)["token"]
    env = {**os.environ, "GONGJIAN_DATABASE_URL": engine.url.render_as_string(False)}
    env.pop("GONGJIAN_DEV_TOKENS", None)
    with running_server([], env, tmp_path / "server.log") as (url, _):
        yield url, world, token


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    served: tuple[str, World, str], tmp_path: Path
) -> None:
    url, world, token = served
    # Every path names the token's own community and records that exist, so
    # generated commands get past authorisation into validation and the domain.
    ids = {"tenant_id": world.a, "item_id": "i1", "log_id": "l1", "rectification_id": "r1",
           **world.ids}  # fmt: skip
    known = "".join(f'"path.{name}" = "{value}"\n' for name, value in ids.items())
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(known=known))
    result = subprocess.run(
        [script("st"), "--config-file", str(config), "run",
         f"{url}/openapi.json", "--header", f"Authorization: Bearer {token}", *FUZZ],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path,
    )  # fmt: skip
    report = result.stdout[-20000:] + result.stderr[-5000:]
    (tmp_path / "report.txt").write_text(result.stdout)
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout or "passed" in result.stdout, report

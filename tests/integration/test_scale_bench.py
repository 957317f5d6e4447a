"""The scale benchmark runs end to end at 100,000 events: its store is made through the
bulk path, every tenant verifies and is projected through its head, and it prints
every figure for both stores. Its timings are not checked (the machine is shared)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).parents[2]
MEASURES = [
    "events",
    "log, MB per million events",
    "read models, MB per million",
    "rebuild (events/s)",
    "rebuild (s)",
    "append, per command (events/s)",
    "append, bulk (events/s)",
    "commands (in-process, 1 thread)/s",
    "verify (events/s)",
    "GraphQL tenant page p50 (ms)",
    "GraphQL tenant page p99 (ms)",
]
NUMBER = r"[\d,.]+(?:–[\d,.]+)?"


def _number(text: str) -> float:
    return float(text.split("–")[0].replace(",", ""))


def test_the_scale_bench_builds_verifies_and_projects_a_hundred_thousand_events(
    postgres_url: str,
) -> None:
    command = [
        sys.executable, "-m", "bench.scale", "--url", POSTGRES_ADMIN_URL,
        "--events", "100000", "--tenants", "200", "--workers", "2", "--rounds", "1",
        "--probe-size", "300", "--probe-events", "800", "--command-seconds", "1",
        "--page-requests", "20",
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, env=os.environ.copy()
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-3000:]
    drafted = re.search(r"full store: ([\d,]+) events over ([\d,]+) tenants", out)
    assert drafted is not None, out
    assert _number(drafted[1]) >= 100_000
    assert drafted[2] == "200"
    # 200 tenants and the 10 probe tenants, each whole and projected.
    assert (
        "full store: 210 of 210 tenants verified intact, 210 projected through their heads, 0 parked"
        in out
    )
    rows = {}
    for measure in MEASURES:
        found = re.search(rf"^{re.escape(measure)}\s+({NUMBER})\s+({NUMBER})", out, re.M)
        assert found is not None, f"{measure} missing:\n{out}"
        rows[measure] = (_number(found[1]), _number(found[2]))
    assert all(empty > 0 and full > 0 for empty, full in rows.values()), rows
    probes, full = rows["events"]
    assert full == probes + _number(drafted[1])
    assert re.search(
        r"^targets \(full within 10% of empty, median round\): \d of 3 met$", out, re.M
    )

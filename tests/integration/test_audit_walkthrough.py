"""The README's auditor walkthrough (scripts/audit.sh) runs against a real demo server:
a checkpoint, a proof checked by hand, an as-of diff, an export verified offline, and
a tampered copy refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.servers import DemoStore, running_server

ROOT = Path(__file__).resolve().parents[2]


def test_the_auditors_walkthrough_runs_end_to_end(tmp_path: Path, demo_store: DemoStore) -> None:
    env = demo_store.copy_to(tmp_path / "store")
    with running_server(["--demo"], env, tmp_path / "server.log") as (url, _):
        walked = subprocess.run(
            ["bash", str(ROOT / "scripts" / "audit.sh")],
            env={**env, "GONGJIAN_URL": url, "GONGJIAN_BIN": str(Path(sys.executable).parent)},
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    out = walked.stdout
    assert walked.returncode == 0, out + walked.stderr
    assert "signature holds" in out and "is leaf 0 of that tree" in out
    assert '"totalCount"' in out, "the as-of diff answered"
    assert "ok   fenglin-kangjian:" in out and "each one of the keys given" in out
    assert "the tampered export was refused" in out
    # The refusal names where the log breaks.
    refusal = out.split("== 6.")[1]
    assert "FAIL fenglin-kangjian: position" in refusal, refusal

"""docs/walkthrough.md's secretary's month (scripts/secretary_month.sh) runs against a
real demo server: notice, leave approval, sign-in, decision, minutes received,
execution review and the report upward, each answered as the walkthrough says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.servers import DemoStore, running_server

ROOT = Path(__file__).resolve().parents[2]


def test_a_secretarys_month_runs_end_to_end(tmp_path: Path, demo_store: DemoStore) -> None:
    env = demo_store.copy_to(tmp_path / "store")
    with running_server(["--demo"], env, tmp_path / "server.log") as (url, _):
        walked = subprocess.run(
            ["bash", str(ROOT / "scripts" / "secretary_month.sh")],
            env={**env, "GONGJIAN_URL": url, "GONGJIAN_BIN": str(Path(sys.executable).parent)},
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    out = walked.stdout
    assert walked.returncode == 0, out + walked.stderr
    sections = out.split("\n== ")
    assert len(sections) == 8, out
    # The leave was decided by the secretary, the meeting chaired by the council's chair.
    assert '"status": "on_leave", "leaveStatus": "approved"' in out
    assert '"chair": {"name": "社区党委"}' in out
    assert '"acknowledgedAt": "2026-11-14T01:00:00+00:00"' in out, "the receipt is recorded"
    assert '"statusLabel": "已核验"' in out, "the resolution was verified"
    assert '"files": [{"name": "走访台账.pdf"' in sections[6], "the register is attached"
    # The report upward: filed by the community, acknowledged by the street, in both logs.
    report = sections[7]
    assert "upward-reports → 201" in report and '"statusLabel": "已报送"' in report
    assert '"sectionLabel": "主要工作及成效"' in report
    assert '"statusLabel": "已确认"' in report
    assert '{"type": "Acknowledged", "actor": {"userId": "street-admin-zhou"' in report

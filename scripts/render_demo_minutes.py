"""Render the demo's minutes PDF to docs/images/demo-minutes.png (the README's picture).

Loads the demo into a throwaway SQLite store, asks for the second-quarter minutes of
枫林一村社区 the way an integrator would (``GET .../minutes.pdf``), renders its pages
with Debian's pdftoppm (poppler-utils) and sets them side by side.

    .venv/bin/python scripts/render_demo_minutes.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from api.app import create_app
from api.platform import Platform, migrate
from projections.tables import meetings
from tenants.demo.meetings import load_demo
from tenants.store.database import make_engine

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "images" / "demo-minutes.png"
TENANT, TITLE = "fenglin-yicun", "2026年第2季度党建联席会议"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        migrate(engine)
        platform = Platform(engine, embedded=True, dev_tokens=True)
        load_demo(platform.ledgers, platform.report_figures)
        with engine.connect() as conn:
            meeting = conn.execute(
                select(meetings.c.meeting_id).where(
                    meetings.c.tenant_id == TENANT,
                    meetings.c.title == TITLE,
                    meetings.c.valid_to.is_(None),
                )
            ).scalar_one()
        client = TestClient(create_app(platform), base_url="http://127.0.0.1:8000")
        secretary = {"Authorization": f"Bearer dev:secretary:community_secretary:{TENANT}"}
        answer = client.get(f"/tenants/{TENANT}/meetings/{meeting}/minutes.pdf", headers=secretary)
        if answer.status_code != 200:
            print(answer.text, file=sys.stderr)
            return 1
        pdf = Path(folder) / "minutes.pdf"
        pdf.write_bytes(answer.content)
        subprocess.run(["pdftoppm", "-png", "-r", "72", str(pdf), f"{folder}/page"], check=True)
        pages = [Image.open(p) for p in sorted(Path(folder).glob("page-*.png"))]
        gap = 12
        sheet = Image.new(
            "RGB",
            (sum(p.width for p in pages) + gap * (len(pages) + 1), pages[0].height + 2 * gap),
            (200, 200, 200),
        )
        x = gap
        for page in pages:
            sheet.paste(page, (x, gap))
            x += page.width + gap
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        sheet.save(TARGET, optimize=True)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

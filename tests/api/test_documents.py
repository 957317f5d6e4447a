"""Official documents as PDF: GB/T 9704 layout, a CJK font embedded, sealed with the
tenant, the log position and the chain hash there, and a QR code to a verification
page that says whether the printed document still matches the record."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select

from api.documents.fonts import SETTING, locate
from domain.errors import CjkFontUnavailable
from tenants.store.schema import events
from tests.api.conftest import MEETING_AT, Community, manager_token

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture(autouse=True)
def cjk_font() -> None:
    """Skip where no CJK font is installed, unless CI requires one."""
    try:
        locate()
    except CjkFontUnavailable as missing:
        if os.environ.get("GONGJIAN_REQUIRE_FONTS") == "1":
            raise
        pytest.skip(f"no CJK font ({missing.message})")


def _decided_meeting(community: Community) -> tuple[str, str]:
    """A meeting of the community, held, one item agreed (a resolution adopted),
    closed and its minutes issued; its id and the resolution's."""
    api = community.api
    m = api.t("/meetings", {"kind": "regular", "title": "十月例会", "location": "党群服务中心",
                            "scheduled_for": MEETING_AT.isoformat()}, 201)["record_id"]  # fmt: skip
    api.t(f"/meetings/{m}/agenda-items", {"title": "加装电梯", "item_id": "lift"}, 201)
    api.t(f"/meetings/{m}/notice", {"issued_at": (MEETING_AT - timedelta(days=5)).isoformat()})
    for unit, attendee in zip(community.units, ("张建国", "李秀英"), strict=True):
        api.t(f"/meetings/{m}/sign-ins", {"unit_id": unit, "attendee": attendee})
    api.t(f"/meetings/{m}/open", {"chair_unit_id": community.units[0]})
    for unit in community.units:
        api.t(f"/meetings/{m}/agenda-items/lift/positions", {"unit_id": unit, "position": "agree"})
    decided = api.t(f"/meetings/{m}/agenda-items/lift/decision",
                    {"action": "年底前完成三号楼电梯加装", "responsible_unit_ids": community.units[1:],
                     "deadline": (MEETING_AT + timedelta(days=60)).date().isoformat()})  # fmt: skip
    api.t(f"/meetings/{m}/close")
    api.t(f"/meetings/{m}/minutes", {"text": "会议听取了加装电梯的情况汇报。"})
    return str(m), str(decided["resolution_id"])


def _get(community: Community, path: str, headers: dict[str, str] | None = None, **params: Any):
    api = community.api
    token = headers if headers is not None else manager_token(api.tenant, api.streets)
    return api.client.get(f"/tenants/{api.tenant}{path}", headers=token, params=params)


def _pdf(community: Community, path: str, headers: dict[str, str] | None = None, **params: Any):
    answer = _get(community, path, headers, **params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return PdfReader(BytesIO(answer.content)), answer.content


def _text(reader: PdfReader) -> str:
    # fpdf2 embeds its Identity CMap as a stream where pypdf expects the name
    # /Identity-H, so pypdf splits each two-byte code and maps its high byte to NUL;
    # the ToUnicode map is right (pdftotext reads the same text without them, _render).
    # Lines are joined: a wrapped line breaks a phrase anywhere.
    return (
        "".join(page.extract_text() for page in reader.pages).replace("\x00", "").replace("\n", "")
    )


def _verify_url(reader: PdfReader) -> str:
    """The URL of the link annotation over the last page's QR code."""
    page = reader.pages[-1]
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert len(uris) == 1, uris
    return str(uris[0])


def _verdict(community: Community, url: str) -> str:
    parts = urlsplit(url)
    page = community.api.client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    found = re.search(r'data-verdict="([a-z]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def _chain_hash(engine: Engine, tenant: str, position: int) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            select(events.c.hash).where(events.c.tenant_id == tenant, events.c.position == position)
        ).scalar_one()
    return bytes(found).hex()


def _embedded_fonts(reader: PdfReader) -> set[str]:
    """The base fonts of every page whose descendant font carries an embedded file."""
    found = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font: Any = reference.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor: Any = descendant.get_object()["/FontDescriptor"]
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.add(str(font["/BaseFont"]))
    return found


def test_the_minutes_are_laid_out_with_an_embedded_cjk_font_and_sealed_with_the_log(
    community: Community, engine: Engine
) -> None:
    m, _ = _decided_meeting(community)
    tenant = community.api.tenant
    position = community.api.head()
    reader, body = _pdf(community, f"/meetings/{m}/minutes.pdf")
    assert any("CJK" in name for name in _embedded_fonts(reader))
    text = _text(reader)
    for printed in ("康健社区文件", "十月例会纪要", "会议听取了加装电梯的情况汇报", "康健社区〔2025〕1号",
                    "加装电梯：通过（到会2个单位，同意2，反对0，弃权0）", "出席单位：区医院党委、物业党支部",
                    "— 1 —", "2025年9月1日", tenant, str(position), _chain_hash(engine, tenant, position)):  # fmt: skip
        assert printed in text, printed
    head = _chain_hash(engine, tenant, position)
    keywords = str(reader.metadata["/Keywords"])
    assert f"tenant={tenant}" in keywords and f"position={position}" in keywords
    assert f"headHash={head}" in keywords
    url = _verify_url(reader)
    assert url.startswith("http://testserver/documents/verify?")
    assert f"position={position}" in url and f"head={head}" in url
    assert _verdict(community, url) == "matches"
    _render(body, "minutes")


def _render(body: bytes, name: str) -> None:
    """Render the first page to PNG under test-output/ where poppler-utils is installed,
    and check pdftotext reads the Chinese title as a reader's viewer would."""
    if shutil.which("pdftoppm") is None:
        return
    OUTPUT.mkdir(exist_ok=True)
    pdf = OUTPUT / f"{name}.pdf"
    pdf.write_bytes(body)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(OUTPUT / name)],
                   check=True)  # fmt: skip
    assert (OUTPUT / f"{name}.png").stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout
    assert "康健社区文件" in text.decode()


def test_corrected_minutes_no_longer_match_the_printed_ones_and_print_as_of_before(
    community: Community,
) -> None:
    m, _ = _decided_meeting(community)
    api = community.api
    before = api.head()
    old = _verify_url(_pdf(community, f"/meetings/{m}/minutes.pdf")[0])
    api.t(f"/meetings/{m}/minutes/corrections", {"text": "会议纪要（更正）", "reason": "错字"})
    corrected = api.head()
    assert _verdict(community, old) == "changed"
    parts = urlsplit(old)
    page = api.client.get(f"{parts.path}?{parts.query}").text
    assert f"自日志位置 {corrected} 起不再一致" in page
    now, _ = _pdf(community, f"/meetings/{m}/minutes.pdf")
    assert "会议纪要（更正）" in _text(now)
    assert _verdict(community, _verify_url(now)) == "matches"
    as_of, _ = _pdf(community, f"/meetings/{m}/minutes.pdf", atPosition=before)
    assert "会议听取了加装电梯的情况汇报" in _text(as_of)
    assert "（更正）" not in _text(as_of)
    assert _verdict(community, _verify_url(as_of)) == "changed"


def test_a_forged_or_foreign_verification_url_is_answered_unknown(community: Community) -> None:
    m, _ = _decided_meeting(community)
    url = _verify_url(_pdf(community, f"/meetings/{m}/minutes.pdf")[0])
    digest = re.search(r"digest=([0-9a-f]{64})", url)
    assert digest is not None
    forged = url.replace(digest.group(1), "0" * 64)
    other_tenant = url.replace(f"tenant={community.api.tenant}", "tenant=no-such-tenant")
    assert [_verdict(community, u) for u in (forged, other_tenant)] == ["unknown", "unknown"]
    page = community.api.client.get("/documents/verify?kind=minutes").text
    assert 'data-verdict="unknown"' in page


def test_the_notice_the_sign_in_sheet_and_the_resolution_notice_print_from_the_record(
    community: Community,
) -> None:
    m, r = _decided_meeting(community)
    notice = _text(_pdf(community, f"/meetings/{m}/notice.pdf")[0])
    for printed in ("关于召开十月例会的通知", "党群服务中心", "1. 加装电梯", "2025年9月1日 17:00",
                    "区医院党委、物业党支部："):  # fmt: skip
        assert printed in notice, printed
    sheet = _text(_pdf(community, f"/meetings/{m}/sign-in-sheet.pdf")[0])
    for printed in ("十月例会签到表", "单位", "出席人", "签名", "区医院党委", "张建国", "李秀英"):
        assert printed in sheet, printed
    reader, _ = _pdf(community, f"/resolutions/{r}/notice.pdf")
    resolution = _text(reader)
    for printed in ("决议通知", "年底前完成三号楼电梯加装", "责任单位：物业党支部", "2025年10月31日前",
                    "康健社区决〔2025〕1号"):  # fmt: skip
        assert printed in resolution, printed
    assert _verdict(community, _verify_url(reader)) == "matches"


def test_readers_who_see_no_personal_data_get_the_sign_in_sheet_without_names(
    community: Community,
) -> None:
    m, _ = _decided_meeting(community)
    tenant = community.api.tenant
    integrator = {"Authorization": f"Bearer dev:erp:integrator:{tenant}"}
    reader, _ = _pdf(community, f"/meetings/{m}/sign-in-sheet.pdf", integrator)
    sheet = _text(reader)
    assert "区医院党委" in sheet and "不予显示" in sheet
    assert "张" not in sheet and "李秀英" not in sheet
    url = _verify_url(reader)
    assert "names=withheld" in url and _verdict(community, url) == "matches"


def test_documents_are_read_like_the_record_and_another_tenants_ids_are_not_found(
    community: Community,
) -> None:
    m, _ = _decided_meeting(community)
    api = community.api
    street_admin = manager_token(community.street, {community.street})
    assert _get(community, f"/meetings/{m}/minutes.pdf", street_admin).status_code == 200
    stranger = {"Authorization": "Bearer dev:x:community_secretary:t-elsewhere"}
    assert _get(community, f"/meetings/{m}/minutes.pdf", stranger).status_code == 404
    public = {"Authorization": f"Bearer dev:p:public:{api.tenant}"}
    assert _get(community, f"/meetings/{m}/minutes.pdf", public).status_code in (403, 404)
    assert api.client.get(f"/tenants/{api.tenant}/meetings/{m}/minutes.pdf").status_code == 401
    # The meeting's id under its street: the street holds no such meeting.
    foreign = api.client.get(f"/tenants/{community.street}/meetings/{m}/minutes.pdf",
                             headers=street_admin)  # fmt: skip
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "not-found"
    beyond = _get(community, f"/meetings/{m}/minutes.pdf", atPosition=api.head() + 5)
    assert beyond.status_code == 422
    assert _get(community, "/meetings/no-such/notice.pdf").status_code == 404


def test_without_a_cjk_font_the_document_is_refused_naming_the_package(
    community: Community, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    m, _ = _decided_meeting(community)
    monkeypatch.setenv(SETTING, str(tmp_path / "no-font.ttc"))
    answer = _get(community, f"/meetings/{m}/minutes.pdf")
    assert answer.status_code == 503
    problem = answer.json()
    assert problem["code"] == "cjk-font-unavailable"
    assert "fonts-noto-cjk" in problem["detail"]

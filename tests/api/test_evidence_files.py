"""Evidence files over HTTP: uploaded once (content-addressed), attached by SHA-256 to
the records they support, downloaded by those who may read those records, and never
served when the stored bytes no longer match."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from api.app import create_app
from api.platform import Platform
from tenants.demo.evidence import sign_in_sheet, site_photo
from tenants.store.evidence_files import FileSystemEvidenceStore
from tests.api.conftest import Api, Community, manager_token
from tests.api.test_affairs import liaison, receive
from tests.api.test_meeting_flow import _adopt

SHEET = sign_in_sheet("签到表", ["区医院党委 王建国", "物业党支部 李明"])
PHOTO = site_photo()
PROBLEM = "urn:gongjian:problem:"
FILE = "sha256 name mediaType mediaTypeLabel size downloadPath"
REPORTS = f"""query($t: ID!, $r: ID!, $p: Int) {{ tenant(id: $t, atPosition: $p) {{
  resolution(id: $r) {{ executionReports {{ kind evidence files {{ {FILE} }} }} }} }} }}"""
FILES = f"""query($t: ID!, $s: String!, $p: Int) {{ tenant(id: $t, atPosition: $p) {{
  evidenceFiles {{ totalCount nodes {{ sha256 }} }}
  evidenceFile(sha256: $s) {{ id nodeId {FILE} uploadedAt
    attachments {{ recordType recordId part eventType position }}
    history {{ type actor {{ role }} }} }} }} }}"""


def upload(
    api: Api,
    content: bytes,
    name: str = "签到表.pdf",
    media_type: str = "application/pdf",
    status: int = 201,
    tenant: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST the bytes as the tenant's manager (unless ``headers`` name another caller)."""
    tenant = tenant or api.tenant
    sent = {**manager_token(tenant, api.streets), "Content-Type": media_type, **(headers or {})}
    response = api.client.post(
        f"/tenants/{tenant}/evidence-files", params={"name": name}, content=content, headers=sent
    )
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


def download(api: Api, sha256: str, headers: dict[str, str] | None = None) -> Response:
    token = headers or manager_token(api.tenant, api.streets)
    answer: Response = api.client.get(
        f"/tenants/{api.tenant}/evidence-files/{sha256}", headers=token
    )
    return answer


def _problem(answer: dict[str, Any], code: str) -> None:
    assert answer["type"] == PROBLEM + code and answer["code"] == code, answer


def _resolution(community: Community) -> str:
    api = community.api
    resolution = _adopt(api, community.units, "2025-09-01T09:00:00+00:00", "九月例会")
    api.t(f"/resolutions/{resolution}/notifications")
    return resolution


def test_a_scanned_sheet_is_uploaded_once_attached_to_a_report_and_downloaded_intact(
    community: Community,
) -> None:
    api = community.api
    first = upload(api, SHEET, name="九月例会 签到表.pdf")
    sha = hashlib.sha256(SHEET).hexdigest()
    assert first["sha256"] == sha and first["size"] == len(SHEET)
    assert first["media_type"] == "application/pdf" and first["name"] == "九月例会 签到表.pdf"
    assert first["download_path"] == f"/tenants/{api.tenant}/evidence-files/{sha}"
    # The same bytes again, under another name: the same record, nothing appended.
    head = api.head()
    again = upload(api, SHEET, name="copy.pdf")
    assert again["record_id"] == first["record_id"] and again["name"] == "九月例会 签到表.pdf"
    assert api.head() == head
    resolution = _resolution(community)
    before = api.head()
    api.t(f"/resolutions/{resolution}/execution-reports", {"unit_id": community.units[0],
          "kind": "progress", "note": "已走访", "evidence": ["走访记录"], "files": [sha, sha]})  # fmt: skip

    [report] = api.gql(REPORTS, t=api.tenant, r=resolution)["data"]["tenant"]["resolution"][
        "executionReports"
    ]
    assert report["evidence"] == ["走访记录"]
    assert report["files"] == [{"sha256": sha, "name": "九月例会 签到表.pdf",
        "mediaType": "application/pdf", "mediaTypeLabel": "PDF 文件", "size": len(SHEET),
        "downloadPath": first["download_path"]}]  # fmt: skip
    found = api.gql(FILES, t=api.tenant, s=sha)["data"]["tenant"]
    assert found["evidenceFiles"]["totalCount"] == 1
    held = found["evidenceFile"]
    assert held["id"] == first["record_id"] and held["mediaTypeLabel"] == "PDF 文件"
    assert [h["type"] for h in held["history"]] == ["Uploaded"]
    [attached] = held["attachments"]
    assert (attached["recordType"], attached["recordId"]) == ("Resolution", resolution)
    assert (attached["part"], attached["eventType"]) == (community.units[0], "ExecutionReported")
    # As of before the report, the file was attached to nothing.
    then = api.gql(FILES, t=api.tenant, s=sha, p=before)["data"]["tenant"]["evidenceFile"]
    assert then["attachments"] == []
    answer = download(api, sha)
    assert answer.status_code == 200 and answer.content == SHEET
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('九月例会 签到表.pdf')}" in disposition


def test_an_upload_is_refused_over_the_size_limit_of_another_type_or_with_a_path_as_name(
    engine: Engine, tenant_id: str, tmp_path: Path
) -> None:
    store = FileSystemEvidenceStore(tmp_path, max_bytes=len(PHOTO) + 10)
    client = TestClient(create_app(Platform(engine, dev_tokens=True, files=store)))
    api = Api(client, tenant_id)
    api.post("/tenants", {"tenant_id": tenant_id, "kind": "street", "name": "枫林街道"}, 201)
    head = api.head()
    # Who may upload is settled before the body is read: an auditor's oversized body
    # is refused for who sends it, not for its size.
    auditor = {"Authorization": f"Bearer dev:aud-1:auditor:{tenant_id}"}
    big = PHOTO + b"\0" * 11
    _problem(upload(api, big, "大.png", "image/png", 403, headers=auditor), "forbidden")
    too_large = upload(api, big, "大.png", "image/png", 413)
    _problem(too_large, "evidence-file-too-large")
    assert too_large["max_bytes"] == len(PHOTO) + 10
    _problem(upload(api, b"hello", "a.txt", "text/plain", 415), "unsupported-file-type")
    _problem(upload(api, b"hello", "a.pdf", "application/pdf", 415), "unsupported-file-type")
    mismatch = upload(api, SHEET, "照片.png", "image/png", 415)
    _problem(mismatch, "file-type-mismatch")
    assert (mismatch["declared"], mismatch["detected"]) == ("image/png", "application/pdf")
    for name in ("../etc/passwd", "a\\b.png", "a\x07.png", " ", "零\u200b宽.png"):
        _problem(upload(api, PHOTO, name, "image/png", 422), "validation-error")
    assert api.head() == head
    assert list(tmp_path.iterdir()) == [], "nothing refused was stored"
    # A type's parameters and a common alias are read as the type.
    assert upload(api, PHOTO, "现场.png", "image/png; q=1")["media_type"] == "image/png"
    jpeg = upload(api, b"\xff\xd8\xff\xe0" + b"\0" * 20, "现场.jpg", "image/jpg")
    assert jpeg["media_type"] == "image/jpeg"


def test_only_the_tenants_own_uploads_are_attached_or_downloaded(community: Community) -> None:
    api = community.api
    sibling = f"{api.tenant}-sib"
    api.post("/tenants", {"tenant_id": sibling, "kind": "community", "parent_id": community.street,
                          "name": "长桥社区"}, 201)  # fmt: skip
    theirs = upload(api, PHOTO, "照片.png", "image/png", tenant=sibling)["sha256"]
    resolution = _resolution(community)
    head = api.head()
    report = {"unit_id": community.units[0], "kind": "progress", "note": "进展"}
    never = hashlib.sha256(b"never uploaded").hexdigest()
    for files in ([theirs], [never]):
        refused = api.t(f"/resolutions/{resolution}/execution-reports", {**report, "files": files},
                        404)  # fmt: skip
        _problem(refused, "not-found")
    _problem(api.t(f"/resolutions/{resolution}/execution-reports",
                   {**report, "files": ["NOT-A-DIGEST"]}, 422), "validation-error")  # fmt: skip
    assert api.head() == head
    assert download(api, theirs).status_code == 404
    # The sibling's own secretary downloads it; this community's secretary may not read there.
    other = api.client.get(f"/tenants/{sibling}/evidence-files/{theirs}",
                           headers=manager_token(api.tenant, api.streets))  # fmt: skip
    assert other.status_code == 404
    mine = api.client.get(f"/tenants/{sibling}/evidence-files/{theirs}",
                          headers=manager_token(sibling, api.streets))  # fmt: skip
    assert mine.status_code == 200 and mine.content == PHOTO


def test_a_residents_affair_file_is_served_only_to_readers_who_see_personal_data(
    community: Community,
) -> None:
    api, unit = community.api, community.units[0]
    t = api.tenant
    integrator = {"Authorization": f"Bearer dev:int-1:integrator:{t}"}
    auditor = {"Authorization": f"Bearer dev:aud-1:auditor:{t}"}
    street_admin = manager_token(community.street, api.streets | {community.street})
    affair = receive(community, "楼道灯不亮", "2026-03-02")
    api.t(f"/affairs/{affair}/assignment",
          {"assignee_kind": "unit", "assignee_id": unit, "deadline": "2026-03-12"})  # fmt: skip
    # The liaison uploads the photo: its own upload, attached to nothing yet, is its own.
    sha = upload(api, PHOTO, "维修后.png", "image/png", headers=liaison(community, unit))["sha256"]
    assert download(api, sha, liaison(community, unit)).status_code == 200
    _problem(download(api, sha, integrator).json(), "forbidden")
    api.t(f"/affairs/{affair}/result", {"result": "已更换灯泡", "files": [sha]},
          headers=liaison(community, unit))  # fmt: skip
    files = api.gql("query($t: ID!, $a: ID!) { tenant(id: $t) { affair(id: $a) { files { name } } } }",
                    t=t, a=affair)["data"]["tenant"]["affair"]["files"]  # fmt: skip
    assert files == [{"name": "维修后.png"}]
    for reader, status in [(manager_token(t, api.streets), 200), (auditor, 200),
                           (street_admin, 200), (liaison(community, unit), 403),
                           (integrator, 403)]:  # fmt: skip
        assert download(api, sha, reader).status_code == status, reader
    # The same photo as evidence of a public commitment is no longer only personal data.
    commitment = api.t("/commitments", {"maker_kind": "unit_party_organisation",
        "maker_id": unit, "text": "楼道亮灯", "category": "服务", "due": "2026-12-31",
        "milestones": [{"id": "m1", "title": "更换灯具", "due": "2026-06-30"}]}, 201)["record_id"]  # fmt: skip
    api.t(f"/commitments/{commitment}/publication",
          {"channel": "notice_board", "published_on": "2026-03-01"})  # fmt: skip
    api.t(f"/commitments/{commitment}/progress",
          {"milestone_id": "m1", "percent": 100, "files": [sha]})  # fmt: skip
    assert download(api, sha, integrator).content == PHOTO


def test_bytes_changed_in_the_store_are_not_served_and_an_upload_repairs_them(
    engine: Engine, tenant_id: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FileSystemEvidenceStore(tmp_path)
    client = TestClient(create_app(Platform(engine, dev_tokens=True, files=store)))
    api = Api(client, tenant_id)
    api.post("/tenants", {"tenant_id": tenant_id, "kind": "street", "name": "枫林街道"}, 201)
    sha = upload(api, SHEET)["sha256"]
    stored = store.path(tenant_id, sha)
    assert stored.read_bytes() == SHEET
    stored.write_bytes(SHEET.replace(b"/Count 1", b"/Count 2"))
    with caplog.at_level(logging.ERROR):
        answer = download(api, sha)
    assert answer.status_code == 500
    _problem(answer.json(), "evidence-file-damaged")
    assert answer.headers["content-type"] == "application/problem+json"
    assert any(sha in r.getMessage() and "not served" in r.getMessage() for r in caplog.records)
    stored.unlink()
    _problem(download(api, sha).json(), "evidence-file-damaged")
    upload(api, SHEET)  # the same bytes again: written again
    assert download(api, sha).content == SHEET


def test_an_upload_is_authorised_before_its_body_and_keyed_by_its_bytes(
    community: Community,
) -> None:
    api = community.api
    head = api.head()
    auditor = {"Authorization": f"Bearer dev:aud-1:auditor:{api.tenant}"}
    _problem(upload(api, PHOTO, "a.png", "image/png", 403, headers=auditor), "forbidden")
    stranger = manager_token("elsewhere-street", {"elsewhere-street"})
    _problem(upload(api, PHOTO, "a.png", "image/png", 404, headers=stranger), "not-found")
    key = {"Idempotency-Key": "upload-1"}
    first = upload(api, PHOTO, "a.png", "image/png", headers=key)
    assert upload(api, PHOTO, "a.png", "image/png", headers=key) == first
    reused = upload(api, SHEET, "a.pdf", "application/pdf", 422, headers=key)
    _problem(reused, "idempotency-key-reused")
    assert api.head() == head + 1

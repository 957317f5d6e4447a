"""The evidence store on the file system and on a real S3-compatible server (moto's,
on a free local port): bytes kept per tenant and digest, whole or not at all, and
never handed out once they no longer match their digest. An upload and a download
go through the API with each store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from sqlalchemy import Engine

from api.app import create_app
from api.platform import Platform
from domain.errors import EvidenceFileDamaged
from tenants.demo.evidence import sign_in_sheet, site_photo
from tenants.store import evidence_files
from tenants.store.evidence_files import EvidenceStore, FileSystemEvidenceStore
from tenants.store.evidence_s3 import S3EvidenceStore
from tests.integration.servers import free_port

SHEET = sign_in_sheet("签到表", ["王建国"])
BUCKET = "gongjian-evidence"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    """A local S3 server for this module's tests, with the bucket made."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _client(url).create_bucket(Bucket=BUCKET)
        yield url
    finally:
        server.stop()


def _client(url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> EvidenceStore:
    if request.param == "folder":
        return FileSystemEvidenceStore(tmp_path / "evidence")
    url = request.getfixturevalue("s3_url")
    return S3EvidenceStore(BUCKET, prefix=f"{tmp_path.name}/", client=_client(url))


def _tamper(store: EvidenceStore, tenant: str, sha256: str, content: bytes | None) -> None:
    """Change (or, with None, remove) the stored bytes behind the store's back."""
    if isinstance(store, FileSystemEvidenceStore):
        path = store.path(tenant, sha256)
        path.unlink() if content is None else path.write_bytes(content)
        return
    assert isinstance(store, S3EvidenceStore)
    key = store.key(tenant, sha256)
    if content is None:
        store.client.delete_object(Bucket=store.bucket, Key=key)
    else:
        store.client.put_object(Bucket=store.bucket, Key=key, Body=content)


def test_bytes_are_kept_per_tenant_and_digest_and_read_back_checked(store: EvidenceStore) -> None:
    sha = store.put("t-a", SHEET)
    assert sha == hashlib.sha256(SHEET).hexdigest()
    assert store.open("t-a", sha) == SHEET
    assert store.put("t-a", SHEET) == sha  # the same bytes again: the same place
    with pytest.raises(EvidenceFileDamaged):
        store.open("t-b", sha)  # another tenant's copy is not this tenant's
    _tamper(store, "t-a", sha, SHEET + b"%")
    with pytest.raises(EvidenceFileDamaged):
        store.open("t-a", sha)
    _tamper(store, "t-a", sha, None)
    with pytest.raises(EvidenceFileDamaged):
        store.open("t-a", sha)


def test_no_tenant_or_digest_steers_a_path_or_key_elsewhere(store: EvidenceStore) -> None:
    sha = hashlib.sha256(SHEET).hexdigest()
    for tenant, digest in [("../x", sha), ("t-a", "../" + sha[3:]), ("T-A", sha), ("t-a", "")]:
        with pytest.raises(ValueError):
            store.open(tenant, digest)
        with pytest.raises(ValueError):
            store._write(tenant, digest, SHEET)


def test_a_folder_store_writes_whole_files_under_tenant_and_digest(tmp_path: Path) -> None:
    store = FileSystemEvidenceStore(tmp_path)
    sha = store.put("t-a", SHEET)
    assert store.path("t-a", sha) == tmp_path / "t-a" / sha[:2] / sha
    # Written through a temporary file renamed into place: none is left behind.
    assert [p.name for p in (tmp_path / "t-a" / sha[:2]).iterdir()] == [sha]


def test_the_settings_choose_the_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, s3_url: str, engine: Engine
) -> None:
    monkeypatch.delenv(evidence_files.DIR_SETTING, raising=False)
    monkeypatch.delenv(evidence_files.S3_BUCKET_SETTING, raising=False)
    default = evidence_files.configured(engine)
    assert isinstance(default, FileSystemEvidenceStore)
    if engine.dialect.name == "sqlite":  # beside the database file
        assert str(default.root) == f"{engine.url.database}.evidence-files"
    else:
        assert default.root == Path("evidence-files")
    monkeypatch.setenv(evidence_files.DIR_SETTING, str(tmp_path))
    monkeypatch.setenv(evidence_files.MAX_BYTES_SETTING, "1000")
    folder = evidence_files.configured(engine)
    assert isinstance(folder, FileSystemEvidenceStore)
    assert (folder.root, folder.max_bytes) == (tmp_path, 1000)
    monkeypatch.setenv(evidence_files.MAX_BYTES_SETTING, "lots")
    with pytest.raises(ValueError):
        evidence_files.configured(engine)
    monkeypatch.delenv(evidence_files.MAX_BYTES_SETTING)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(evidence_files.S3_BUCKET_SETTING, BUCKET)
    monkeypatch.setenv(evidence_files.S3_ENDPOINT_SETTING, s3_url)
    monkeypatch.setenv(evidence_files.S3_PREFIX_SETTING, f"{tmp_path.name}-settings/")
    bucket = evidence_files.configured(engine)
    assert isinstance(bucket, S3EvidenceStore)
    sha = bucket.put("t-a", SHEET)  # with boto3's own client, from the settings
    assert bucket.open("t-a", sha) == SHEET
    assert bucket.key("t-a", sha) == f"{tmp_path.name}-settings/t-a/{sha}"


def test_a_photo_goes_up_and_comes_down_through_the_api_with_each_store(
    engine: Engine, tenant_id: str, store: EvidenceStore
) -> None:
    client = TestClient(create_app(Platform(engine, dev_tokens=True, files=store)))
    admin = {"Authorization": f"Bearer dev:admin:street_admin:{tenant_id}"}
    registered = client.post(
        "/tenants",
        json={"tenant_id": tenant_id, "kind": "street", "name": "枫林街道"},
        headers={"Authorization": "Bearer dev:operator:platform_admin:-"},
    )
    assert registered.status_code == 201, registered.text
    photo = site_photo()
    answer = client.post(
        f"/tenants/{tenant_id}/evidence-files",
        params={"name": "现场照片.png"},
        content=photo,
        headers={**admin, "Content-Type": "image/png"},
    )
    assert answer.status_code == 201, answer.text
    sha = answer.json()["sha256"]
    assert store.open(tenant_id, sha) == photo
    down = client.get(answer.json()["download_path"], headers=admin)
    assert down.status_code == 200 and down.content == photo
    assert down.headers["content-type"] == "image/png"

"""The signing key: made once (never overwritten), loaded, published and checked."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path

import pytest

from tenants.store import keys


def test_a_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    made = keys.create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    before = path.read_bytes()
    with pytest.raises(keys.SigningKeyError, match="never overwritten"):
        keys.create(path)
    assert path.read_bytes() == before
    loaded = keys.load(path)
    assert loaded.kid == made.kid == hashlib.sha256(made.public.raw).hexdigest()[:16]


def test_signatures_verify_only_under_their_own_key_and_message(tmp_path: Path) -> None:
    key, other = keys.create(tmp_path / "a.pem"), keys.create(tmp_path / "b.pem")
    signature = key.sign(b"message")
    assert key.public.verifies(b"message", signature)
    assert not key.public.verifies(b"messagf", signature)
    assert not other.public.verifies(b"message", signature)
    assert not key.public.verifies(b"message", signature[:-1])


def test_published_keys_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, older = keys.create(tmp_path / "a.pem"), keys.create(tmp_path / "b.pem")
    listed = tmp_path / "older.json"
    listed.write_text(json.dumps(keys.published([older.public])))
    monkeypatch.setenv(keys.KEY_FILE_SETTING, str(tmp_path / "a.pem"))
    monkeypatch.setenv(keys.PUBLIC_KEYS_SETTING, str(listed))
    trusted = keys.trusted(keys.configured())
    assert [k.kid for k in trusted] == [key.kid, older.kid]
    document = keys.published(trusted)
    assert document["keys"][0] == {
        "kid": key.kid,
        "alg": "Ed25519",
        "public_key": base64.b64encode(key.public.raw).decode(),
    }
    assert keys.parse_published(json.loads(json.dumps(document))) == trusted
    forged = {"keys": [{**document["keys"][0], "kid": older.kid}]}
    with pytest.raises(keys.SigningKeyError, match="does not match its id"):
        keys.parse_published(forged)


def test_no_or_bad_key_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.KEY_FILE_SETTING, raising=False)
    with pytest.raises(keys.SigningKeyError, match="no signing key: set GONGJIAN_SIGNING_KEY_FILE"):
        keys.require()
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pytest.raises(keys.SigningKeyError, match="not an unencrypted PEM private key"):
        keys.load(junk)
    with pytest.raises(keys.SigningKeyError, match="cannot read"):
        keys.load(tmp_path / "absent.pem")

"""The platform's Ed25519 signing key, kept in a file outside the database.

The key file is PEM-encoded PKCS #8 (what ``openssl genpkey -algorithm ed25519``
writes, and what ``gongjian keys create`` writes). Its path is the setting
``GONGJIAN_SIGNING_KEY_FILE``. A key is named by its id: the first 16 hex digits of
the SHA-256 of its raw 32-byte public key. The public keys a verifier trusts are
published at ``GET /.well-known/gongjian-keys`` as
``{"keys": [{"kid", "alg": "Ed25519", "public_key": <base64 of the raw key>}]}``;
``GONGJIAN_PUBLIC_KEYS_FILE`` may name a file of that form listing earlier keys
that signed older checkpoints.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE_SETTING = "GONGJIAN_SIGNING_KEY_FILE"
PUBLIC_KEYS_SETTING = "GONGJIAN_PUBLIC_KEYS_FILE"
ALGORITHM = "Ed25519"


class SigningKeyError(Exception):
    """A signing key that is missing, unreadable or malformed (one line, no traceback)."""


def key_id(raw_public: bytes) -> str:
    """The short id of a public key: 16 hex digits of SHA-256 over its raw bytes."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKey:
    """A key a verifier trusts: its id and raw 32 bytes."""

    kid: str
    raw: bytes

    def verifies(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def published(self) -> dict[str, str]:
        """The key as ``/.well-known/gongjian-keys`` lists it."""
        return {
            "kid": self.kid,
            "alg": ALGORITHM,
            "public_key": base64.b64encode(self.raw).decode(),
        }


@dataclass(frozen=True)
class SigningKey:
    """The private key that signs checkpoints, with its public half."""

    private: Ed25519PrivateKey
    public: PublicKey

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> SigningKey:
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return cls(private, PublicKey(key_id(raw), raw))

    @property
    def kid(self) -> str:
        return self.public.kid

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message`` (64 bytes)."""
        return self.private.sign(message)


def load(path: str | os.PathLike[str]) -> SigningKey:
    """Read a PEM (PKCS #8) Ed25519 private key file."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SigningKeyError(
            f"cannot read the signing key file {path}: {error.strerror}"
        ) from error
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyError(f"{path} is not an unencrypted PEM private key") from error
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} holds a {type(private).__name__}, not an Ed25519 key")
    return SigningKey.of(private)


def configured() -> SigningKey | None:
    """The key named by ``GONGJIAN_SIGNING_KEY_FILE``, or None if the setting is unset."""
    path = os.environ.get(KEY_FILE_SETTING)
    return load(path) if path else None


def require(key: SigningKey | None = None) -> SigningKey:
    """The given or configured key; a clear error when there is none."""
    found = key or configured()
    if found is None:
        raise SigningKeyError(
            f"no signing key: set {KEY_FILE_SETTING} to a key file "
            "(make one with 'gongjian keys create --to FILE')"
        )
    return found


def create(path: str | os.PathLike[str]) -> SigningKey:
    """Write a new key to ``path`` (mode 0600); never overwrite an existing file."""
    key = SigningKey.of(Ed25519PrivateKey.generate())
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: an existing key (perhaps the only copy of one that signed
        # checkpoints) must never be replaced by accident.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise SigningKeyError(f"{path} exists: a key file is never overwritten") from error
    except OSError as error:
        raise SigningKeyError(f"cannot create {path}: {error.strerror}") from error
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return key


def parse_published(document: Any) -> list[PublicKey]:
    """The keys of a ``/.well-known/gongjian-keys`` document (already parsed JSON)."""
    try:
        found = []
        for entry in document["keys"]:
            if entry.get("alg") != ALGORITHM:
                continue
            raw = base64.b64decode(entry["public_key"], validate=True)
            if len(raw) != 32 or entry["kid"] != key_id(raw):
                raise ValueError(f"key {entry.get('kid')!r} does not match its id")
            found.append(PublicKey(entry["kid"], raw))
        return found
    except (KeyError, TypeError, ValueError) as error:
        raise SigningKeyError(f"not a list of published keys: {error}") from error


def read_published(path: str | os.PathLike[str]) -> list[PublicKey]:
    """The keys listed in a file of the ``/.well-known/gongjian-keys`` form."""
    try:
        return parse_published(json.loads(Path(path).read_text()))
    except OSError as error:
        raise SigningKeyError(f"cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise SigningKeyError(f"{path} is not JSON: {error}") from error


def trusted(signing: SigningKey | None = None) -> list[PublicKey]:
    """The public keys checkpoints may be signed with: the signing key's, and any
    earlier ones listed in ``GONGJIAN_PUBLIC_KEYS_FILE``."""
    keys = [] if signing is None else [signing.public]
    extra = os.environ.get(PUBLIC_KEYS_SETTING)
    if extra:
        keys += read_published(extra)
    return unique(keys)


def unique(keys: Iterable[PublicKey]) -> list[PublicKey]:
    """The keys without repeats, in their first order."""
    seen: dict[str, PublicKey] = {}
    for key in keys:
        seen.setdefault(key.kid, key)
    return list(seen.values())


def published(keys: Iterable[PublicKey]) -> dict[str, list[dict[str, str]]]:
    """The document served at ``/.well-known/gongjian-keys``."""
    return {"keys": [key.published() for key in keys]}

"""RSA signing keys: the newest signs, the last few stay published so rotation is seamless.

With a key directory the keys are kept as `<kid>.pem` files (PKCS#8, mode 0600) and the order in
`keyring.json`, so a restarted stand-in still verifies — and keeps signing with — the same keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

MANIFEST_NAME = "keyring.json"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(kid=_thumbprint(private_key.public_key()), private_key=private_key)

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _thumbprint(public_key: rsa.RSAPublicKey) -> str:
    # RFC 7638 thumbprint as the kid: stable for a key, no registry of names needed.
    numbers = public_key.public_numbers()
    members = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()


class Keyring:
    def __init__(self, key_dir: Path | None, published_key_count: int) -> None:
        self._key_dir = key_dir
        self._published_key_count = published_key_count
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = self._load() if key_dir else []
        if not self._keys:
            self.rotate()

    @property
    def signing_key(self) -> SigningKey:
        return self._keys[-1]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in reversed(self._keys)]}

    def rotate(self) -> SigningKey:
        """Add a new signing key; older keys stay published until pushed out by newer ones."""
        new_key = SigningKey.generate()
        with self._lock:
            keys = [*self._keys, new_key][-self._published_key_count :]
            if self._key_dir:
                self._save(self._key_dir, keys)
            self._keys = keys
        return new_key

    def _load(self) -> list[SigningKey]:
        assert self._key_dir is not None
        manifest = self._key_dir / MANIFEST_NAME
        if not manifest.exists():
            return []
        kids = json.loads(manifest.read_text())["kids"]
        keys = []
        for kid in kids:
            private_key = serialization.load_pem_private_key(
                (self._key_dir / f"{kid}.pem").read_bytes(), password=None
            )
            if not isinstance(private_key, rsa.RSAPrivateKey):
                raise ValueError(f"key {kid} in {self._key_dir} is not an RSA key")
            keys.append(SigningKey(kid=kid, private_key=private_key))
        return keys

    @staticmethod
    def _save(key_dir: Path, keys: list[SigningKey]) -> None:
        key_dir.mkdir(parents=True, exist_ok=True)
        for key in keys:
            pem_path = key_dir / f"{key.kid}.pem"
            if not pem_path.exists():
                _write_private(pem_path, key.to_pem())
        # The manifest is replaced atomically, so a crash never leaves a half-written keyring.
        manifest = {"kids": [key.kid for key in keys]}
        _write_private(key_dir / MANIFEST_NAME, json.dumps(manifest).encode())
        kept = {f"{key.kid}.pem" for key in keys}
        for stale in key_dir.glob("*.pem"):
            if stale.name not in kept:
                stale.unlink()


def _write_private(path: Path, content: bytes) -> None:
    tmp_path = path.with_name(path.name + ".tmp")
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as tmp_file:
        tmp_file.write(content)
    os.replace(tmp_path, path)

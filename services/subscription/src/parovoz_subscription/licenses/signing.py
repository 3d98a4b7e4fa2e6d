"""The keys licenses are signed with: the active Ed25519 private key (settings) and the public
keys of retired ones, still published so that their licenses verify until they expire.

Rotation: generate a key, make it the active one with a new key id, and move the old key's
public half to ``license_retired_public_keys`` under its old id; drop it from there once its
last license has expired (the validity after the rotation).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)
from parovoz_kit.infrastructure import Infrastructure
from parovoz_license import License, jwks_document, sign_license

from parovoz_subscription.licenses.domain import OfflineLicense

#: The development signing key (base64 of a 32-byte Ed25519 seed), committed to this repository:
#: refused when ``environment=production``.
DEVELOPMENT_SIGNING_KEY = "0u7LugYhngE96UrhfoBKUl1yuEo3Jgl/N9qy9HUKPPc="
DEVELOPMENT_KEY_ID = "dev-ed25519-1"
#: A key id: what a JWK's ``kid`` and the license column hold.
KEY_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"

_RAW_KEY_BYTES = 32


class LicenseKeyring:
    """Signs with the active key; publishes it and the retired public keys (a JWK Set)."""

    def __init__(
        self,
        key_id: str,
        private_key: Ed25519PrivateKey,
        retired: Mapping[str, Ed25519PublicKey] | None = None,
    ) -> None:
        retired = dict(retired or {})
        for name in (key_id, *retired):
            if not re.fullmatch(KEY_ID_PATTERN, name):
                raise ValueError(f"the key id {name!r} is not 1-64 letters, digits, . _ -")
        if key_id in retired:
            raise ValueError(f"the active key id {key_id!r} is also among the retired keys")
        self._key_id = key_id
        self._private_key = private_key
        self._public = {key_id: private_key.public_key(), **retired}
        self._jwks = jwks_document(self._public)

    @property
    def key_id(self) -> str:
        return self._key_id

    def sign(self, license: OfflineLicense) -> str:
        if license.key_id != self._key_id:
            raise ValueError("a license is signed by the key it names")
        return sign_license(
            License(
                id=str(license.id),
                user_id=str(license.user_id),
                game_id=str(license.game_id),
                device_id=license.device_id,
                subscription_id=str(license.subscription_id),
                key_id=license.key_id,
                issued_at=license.issued_at,
                not_before=license.issued_at,
                expires_at=license.expires_at,
            ),
            self._private_key,
        )

    def jwks(self) -> Mapping[str, Any]:
        return self._jwks

    @classmethod
    def of(
        cls, key_id: str, private_key: str, retired_public_keys: Mapping[str, str]
    ) -> LicenseKeyring:
        """From settings' texts (PEM, or the base64 of the 32 raw bytes); ``ValueError`` when
        a key cannot be read (the message never carries the key)."""
        return cls(
            key_id,
            load_private_key(private_key),
            {name: load_public_key(text) for name, text in retired_public_keys.items()},
        )


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key: PEM (PKCS#8) or the base64 (or base64url) of its 32-byte seed."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise ValueError("the license signing key is not a readable PEM key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the license signing key is not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_raw(text, "the license signing key"))


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key: PEM (SubjectPublicKeyInfo) or the base64 (or base64url, a JWK's
    ``x``) of its 32 bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = load_pem_public_key(text.encode())
        except (ValueError, TypeError):
            raise ValueError("a retired license key is not a readable PEM key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("a retired license key is not an Ed25519 key")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw(text, "a retired license key"))


def _raw(text: str, what: str) -> bytes:
    normalized = text.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(normalized + "=" * (-len(normalized) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is neither PEM nor base64") from None
    if len(raw) != _RAW_KEY_BYTES:
        raise ValueError(f"{what} is not 32 bytes (an Ed25519 key)")
    return raw


def license_keyring(infrastructure: Infrastructure) -> LicenseKeyring:
    """The process's keyring, built once from its settings."""
    settings: Any = infrastructure.settings
    return infrastructure.shared("license-keyring", settings.license_keyring)

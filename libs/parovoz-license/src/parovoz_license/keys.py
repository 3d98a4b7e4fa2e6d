"""Ed25519 public keys as JWKs (RFC 8037: ``kty`` OKP, ``crv`` Ed25519, ``x``) and back."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from parovoz_license.format import ALGORITHM

#: Public keys by key id (``kid``).
PublicKeys = Mapping[str, Ed25519PublicKey]

_RAW_KEY_BYTES = 32


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def public_jwk(key: Ed25519PublicKey, key_id: str) -> dict[str, str]:
    """The JWK publishing ``key`` under ``key_id``."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw),
        "kid": key_id,
        "use": "sig",
        "alg": ALGORITHM,
    }


def jwks_document(keys: PublicKeys) -> dict[str, list[dict[str, str]]]:
    """A JWK Set (``{"keys": [...]}``) of these keys."""
    return {"keys": [public_jwk(key, key_id) for key_id, key in keys.items()]}


def keys_from_jwks(document: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 signing keys of a JWK Set, by key id.

    Keys of another type or curve, or published for another use or algorithm, are skipped (a
    license is only ever checked with an Ed25519 key). A set that is not a JWK Set, a key id
    published twice, or an Ed25519 key whose ``x`` is not 32 bytes is a ``ValueError``.
    """
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise ValueError("not a JWK Set: no `keys` list")
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not _is_ed25519_signing_key(entry):
            continue
        key_id = entry.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise ValueError("an Ed25519 key of the set has no `kid`")
        if key_id in keys:
            raise ValueError(f"the key id {key_id!r} is published twice")
        raw = b64url_decode(entry.get("x", ""))
        if len(raw) != _RAW_KEY_BYTES:
            raise ValueError(f"the key {key_id!r} is not a 32-byte Ed25519 key")
        keys[key_id] = Ed25519PublicKey.from_public_bytes(raw)
    return keys


def _is_ed25519_signing_key(entry: Mapping[str, Any]) -> bool:
    return (
        entry.get("kty") == "OKP"
        and entry.get("crv") == "Ed25519"
        and entry.get("alg", ALGORITHM) == ALGORITHM
        and entry.get("use", "sig") == "sig"
    )

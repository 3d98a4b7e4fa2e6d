"""Secrets at rest: AES-256-GCM with key rotation (no business rules; callers choose what they
seal and what binds it to its row).

A fresh 96-bit nonce per seal, the caller's associated data (typically the row's id: a
ciphertext copied into another row does not open there), and a key id stored with each
ciphertext: new seals use the current key, old ones open with a retired key until re-sealed.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class Unsealable(Exception):
    """A ciphertext does not open: wrong key, unknown key id, or sealed for another row."""


def decode_key(encoded: str, *, name: str = "sealing key") -> bytes:
    """A base64 AES-256 key; anything but 32 bytes is refused (a typo, not a weaker cipher).
    The message names the setting, never the value."""
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name} must be base64") from None
    if len(key) != 32:
        raise ValueError(f"{name} must be 32 bytes (AES-256)")
    return key


class Sealer:
    """Seals and opens bytes under a set of keys by id (one of them current)."""

    def __init__(self, current_key_id: str, keys: Mapping[str, bytes]) -> None:
        if current_key_id not in keys:
            raise ValueError("the current sealing key id has no key")
        self.current_key_id = current_key_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    def seal(self, plaintext: bytes, associated: bytes) -> tuple[str, bytes]:
        """(key id, nonce + ciphertext) of ``plaintext``, bound to ``associated``."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self.current_key_id].encrypt(nonce, plaintext, associated)
        return self.current_key_id, nonce + sealed

    def open(self, key_id: str, blob: bytes, associated: bytes) -> bytes:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise Unsealable(f"no key {key_id!r} to open this ciphertext")
        nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        try:
            return cipher.decrypt(nonce, sealed, associated)
        except InvalidTag:
            raise Unsealable("the ciphertext does not open") from None

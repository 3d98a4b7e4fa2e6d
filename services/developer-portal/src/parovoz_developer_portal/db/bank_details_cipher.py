"""Bank details at rest: AES-256-GCM, a fresh 96-bit nonce per seal, the payout method's id as
associated data (a ciphertext copied into another row does not open there), and a key id per
row so keys can rotate: new rows use the current key, old rows open with a retired one."""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parovoz_developer_portal.domain.bank_details import BankDetails

_NONCE_BYTES = 12


class SealedDetailsUnreadable(Exception):
    """A row's details do not open: wrong key, unknown key id, or a ciphertext from elsewhere."""


def decode_key(encoded: str) -> bytes:
    """A base64 AES-256 key; anything but 32 bytes is refused (a typo, not a weaker cipher)."""
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("payout details key must be base64") from None
    if len(key) != 32:
        raise ValueError("payout details key must be 32 bytes (AES-256)")
    return key


class BankDetailsCipher:
    def __init__(self, current_key_id: str, keys: Mapping[str, bytes]) -> None:
        if current_key_id not in keys:
            raise ValueError("the current payout details key id has no key")
        self.current_key_id = current_key_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    def seal(self, method_id: uuid.UUID, details: BankDetails) -> tuple[str, bytes]:
        """(key id, nonce + ciphertext) of ``details`` for the row of ``method_id``."""
        plaintext = json.dumps(
            {
                "recipient_name": details.recipient_name,
                "inn": details.inn,
                "kpp": details.kpp,
                "bik": details.bik,
                "account_number": details.account_number,
                "correspondent_account": details.correspondent_account,
                "bank_name": details.bank_name,
            },
            ensure_ascii=False,
        ).encode()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[self.current_key_id].encrypt(nonce, plaintext, method_id.bytes)
        return self.current_key_id, nonce + sealed

    def open(self, method_id: uuid.UUID, key_id: str, blob: bytes) -> BankDetails:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealedDetailsUnreadable(f"no key {key_id!r} to open payout method details")
        nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        try:
            plaintext = cipher.decrypt(nonce, sealed, method_id.bytes)
        except InvalidTag:
            raise SealedDetailsUnreadable("payout method details do not open") from None
        return BankDetails(**json.loads(plaintext))

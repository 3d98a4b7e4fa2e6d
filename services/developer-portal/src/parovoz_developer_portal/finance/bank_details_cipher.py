"""Bank details at rest: AES-256-GCM (``parovoz_kit.sealing``), a fresh 96-bit nonce per seal,
the payout method's id as associated data (a ciphertext copied into another row does not open
there), and a key id per row so keys can rotate: new rows use the current key, old rows open
with a retired one."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from parovoz_kit.sealing import Sealer, Unsealable
from parovoz_kit.sealing import decode_key as _decode_key

from parovoz_developer_portal.finance.domain.bank_details import BankDetails


class SealedDetailsUnreadable(Exception):
    """A row's details do not open: wrong key, unknown key id, or a ciphertext from elsewhere."""


def decode_key(encoded: str) -> bytes:
    """A base64 AES-256 key; anything but 32 bytes is refused (a typo, not a weaker cipher)."""
    return _decode_key(encoded, name="payout details key")


class BankDetailsCipher:
    def __init__(self, current_key_id: str, keys: Mapping[str, bytes]) -> None:
        if current_key_id not in keys:
            raise ValueError("the current payout details key id has no key")
        self._sealer = Sealer(current_key_id, keys)
        self.current_key_id = current_key_id

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
        return self._sealer.seal(plaintext, method_id.bytes)

    def open(self, method_id: uuid.UUID, key_id: str, blob: bytes) -> BankDetails:
        try:
            plaintext = self._sealer.open(key_id, blob, method_id.bytes)
        except Unsealable as error:
            raise SealedDetailsUnreadable(f"payout method details: {error}") from None
        return BankDetails(**json.loads(plaintext))

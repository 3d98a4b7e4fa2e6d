"""Test support of parovoz-license: keys and licenses made on the spot, a license signed as
subscription signs it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from parovoz_license import License, jwks_document, sign_license

ISSUED = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
VALIDITY = timedelta(days=14)


@dataclass
class Issuer:
    key_id: str
    private_key: Ed25519PrivateKey

    def license(self, **changes: object) -> License:
        base = License(
            id=str(uuid.uuid4()),
            user_id=str(uuid.uuid4()),
            game_id=str(uuid.uuid4()),
            device_id=f"device-{uuid.uuid4().hex[:8]}",
            subscription_id=str(uuid.uuid4()),
            key_id=self.key_id,
            issued_at=ISSUED,
            not_before=ISSUED,
            expires_at=ISSUED + VALIDITY,
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    def sign(self, license: License) -> str:
        return sign_license(license, self.private_key)

    def jwks(self, *others: Issuer) -> dict[str, list[dict[str, str]]]:
        keys = {self.key_id: self.private_key.public_key()}
        keys.update({other.key_id: other.private_key.public_key() for other in others})
        return jwks_document(keys)


def new_issuer(key_id: str | None = None) -> Issuer:
    return Issuer(key_id or f"key-{uuid.uuid4().hex[:6]}", Ed25519PrivateKey.generate())

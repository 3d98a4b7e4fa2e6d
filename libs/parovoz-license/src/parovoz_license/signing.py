"""Signing a license (the issuing service's side of the format)."""

from __future__ import annotations

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parovoz_license.format import ALGORITHM, TOKEN_TYPE, License


def sign_license(license: License, private_key: Ed25519PrivateKey) -> str:
    """The compact JWS of ``license``, signed with ``private_key`` (whose id is
    ``license.key_id``)."""
    return jwt.encode(
        license.claims(),
        private_key,
        algorithm=ALGORITHM,
        headers={"kid": license.key_id, "typ": TOKEN_TYPE},
    )

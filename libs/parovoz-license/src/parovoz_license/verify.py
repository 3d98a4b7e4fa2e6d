"""Checking a license offline: the signature with a published key, then what it grants."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from parovoz_license.errors import LicenseExpired, LicenseInvalid
from parovoz_license.format import (
    ALGORITHM,
    AUDIENCE,
    ISSUER,
    REQUIRED_CLAIMS,
    TEXT_CLAIMS,
    TIME_CLAIMS,
    TOKEN_TYPE,
    License,
    instant,
)
from parovoz_license.keys import keys_from_jwks

#: PyJWT's refusals, each as the reason a license is invalid.
_FAILURES: tuple[tuple[type[jwt.PyJWTError], str, str], ...] = (
    (jwt.InvalidSignatureError, "bad_signature", "The license's signature does not match."),
    (jwt.InvalidAudienceError, "wrong_audience", "The license is not meant for the launcher."),
    (jwt.InvalidIssuerError, "wrong_issuer", "The license was not issued by subscription."),
    (jwt.MissingRequiredClaimError, "missing_claim", "The license lacks a required claim."),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed", "Only EdDSA licenses are accepted."),
)


def verify_license(
    token: str,
    jwks: Mapping[str, Any],
    *,
    device_id: str,
    game_id: str | None = None,
    now: datetime | None = None,
) -> License:
    """The license ``token`` grants, checked with no network.

    ``jwks`` is the published JWK Set (``{"keys": [...]}``, as served at
    ``/api/v1/subscriptions/.well-known/jwks.json``) or the keys by id. The token must be signed
    with EdDSA by one of those keys, name this ``device_id`` (and ``game_id`` when given), be
    valid from ``nbf`` and not yet at its ``exp`` (``now``: the current time by default).

    Raises :class:`LicenseExpired` once ``exp`` is reached, :class:`LicenseInvalid` for anything
    else wrong.
    """
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    keys = _keys(jwks)
    header = _header(token)
    key_id = header.get("kid")
    if not isinstance(key_id, str) or key_id not in keys:
        raise LicenseInvalid("unknown_key", "The license is signed with a key not published.")
    claims = _verified_claims(token, keys[key_id])
    try:
        issued_at, not_before, expires_at = (instant(claims[name]) for name in TIME_CLAIMS)
    except (OverflowError, OSError, ValueError):
        raise LicenseInvalid("malformed", "The license's instants are out of range.") from None
    license = License(
        id=claims["jti"],
        user_id=claims["sub"],
        game_id=claims["game"],
        device_id=claims["device"],
        subscription_id=claims["subscription"],
        key_id=key_id,
        issued_at=issued_at,
        not_before=not_before,
        expires_at=expires_at,
    )
    if license.device_id != device_id:
        raise LicenseInvalid("wrong_device", "The license is for another device.")
    if game_id is not None and license.game_id != game_id:
        raise LicenseInvalid("wrong_game", "The license is for another game.")
    if moment < license.not_before:
        raise LicenseInvalid("not_yet_valid", "The license is not valid yet.")
    if moment >= license.expires_at:
        raise LicenseExpired()
    return license


def _keys(jwks: Mapping[str, Any]) -> Mapping[str, Ed25519PublicKey]:
    if "keys" in jwks and not isinstance(jwks["keys"], Ed25519PublicKey):
        return keys_from_jwks(jwks)
    if not all(isinstance(key, Ed25519PublicKey) for key in jwks.values()):
        raise ValueError("jwks must be a JWK Set or Ed25519 public keys by key id")
    return jwks


def _header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or token.count(".") != 2:
        raise LicenseInvalid("malformed", "The license is not a compact JWS.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise LicenseInvalid("malformed", "The license's header cannot be read.") from None
    # Decided by the header before any key is touched: never `none`, never an HMAC keyed with
    # a public key.
    if header.get("alg") != ALGORITHM:
        raise LicenseInvalid("algorithm_not_allowed", "Only EdDSA licenses are accepted.")
    if header.get("typ") != TOKEN_TYPE:
        raise LicenseInvalid("wrong_type", "The token is not an offline license.")
    if "crit" in header:
        raise LicenseInvalid("malformed", "The license asks for header extensions.")
    return header


def _verified_claims(token: str, key: Ed25519PublicKey) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            # The times are checked against the caller's `now` below, to the second.
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        for failure, reason, message in _FAILURES:
            if isinstance(error, failure):
                raise LicenseInvalid(reason, message) from None
        raise LicenseInvalid("malformed", "The license cannot be read.") from None
    for name in TEXT_CLAIMS:
        if not isinstance(claims[name], str) or not claims[name]:
            raise LicenseInvalid("malformed", f"The license's `{name}` is not a text.")
    for name in TIME_CLAIMS:
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise LicenseInvalid("malformed", f"The license's `{name}` is not an instant.")
    if claims["aud"] != AUDIENCE:  # a list naming the launcher among others is not ours
        raise LicenseInvalid("wrong_audience", "The license is not meant for the launcher.")
    return claims

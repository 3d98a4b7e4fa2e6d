"""The offline license format, written once for both ends: the service signs with it, the
verifier checks against it.

A license is a compact JWS (RFC 7515) signed with Ed25519 (RFC 8037, ``alg`` ``EdDSA``); its
header names the signing key (``kid``) among the published public keys and its type (``typ``);
its claims name the license (``jti``), the user (``sub``), the game, the device, the
subscription that granted it, and when it was issued (``iat``), is valid from (``nbf``) and
until (``exp``, seconds since the epoch, exclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The one signature algorithm accepted (never ``none``, never an HMAC).
ALGORITHM = "EdDSA"
#: The header's ``typ``: a license is never mistaken for another token of the platform.
TOKEN_TYPE = "parovoz-license+jwt"
#: Who signs licenses (``iss``) and who they are for (``aud``).
ISSUER = "parovoz-subscription"
AUDIENCE = "parovoz-launcher"
#: Claims every license carries.
REQUIRED_CLAIMS = (
    "jti",
    "sub",
    "game",
    "device",
    "subscription",
    "iat",
    "nbf",
    "exp",
    "iss",
    "aud",
)
#: The string claims (non-empty) and the instants (whole seconds since the epoch).
TEXT_CLAIMS = ("jti", "sub", "game", "device", "subscription")
TIME_CLAIMS = ("iat", "nbf", "exp")


@dataclass(frozen=True)
class License:
    """What a license grants: one game on one device, from ``not_before`` until ``expires_at``
    (exclusive)."""

    id: str
    user_id: str
    game_id: str
    device_id: str
    subscription_id: str
    key_id: str
    issued_at: datetime
    not_before: datetime
    expires_at: datetime

    def claims(self) -> dict[str, Any]:
        """The token's claims (the header carries ``key_id``)."""
        return {
            "jti": self.id,
            "sub": self.user_id,
            "game": self.game_id,
            "device": self.device_id,
            "subscription": self.subscription_id,
            "iat": _seconds(self.issued_at),
            "nbf": _seconds(self.not_before),
            "exp": _seconds(self.expires_at),
            "iss": ISSUER,
            "aud": AUDIENCE,
        }

    def as_dict(self) -> dict[str, str]:
        """A JSON-friendly view (instants in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "game_id": self.game_id,
            "device_id": self.device_id,
            "subscription_id": self.subscription_id,
            "key_id": self.key_id,
            "issued_at": self.issued_at.isoformat(),
            "not_before": self.not_before.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


def _seconds(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("license instants must be timezone-aware")
    return int(instant.timestamp())


def instant(seconds: int) -> datetime:
    """A claim's seconds since the epoch as a UTC instant."""
    return datetime.fromtimestamp(seconds, UTC)

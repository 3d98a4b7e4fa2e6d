"""JWT verification: RS256 only, issuer, audience, expiry; a token becomes a Principal.

Every failure is an :class:`~parovoz_kit.errors.Unauthenticated` with a stable code, and no
message or log line ever carries the token or its claims.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jwt
from pydantic import BaseModel, Field

from parovoz_kit.auth.keys import Clock, JwksKeySource, KeySource, PemKeySource
from parovoz_kit.auth.principal import Principal
from parovoz_kit.errors import Unauthenticated

#: Asymmetric only: "none" and HS* are refused before any key is looked up, so a public key
#: can never be used as an HMAC secret (the HS/RS confusion).
ALLOWED_ALGORITHMS = ("RS256",)
REQUIRED_CLAIMS = ("sub", "exp", "iat")
#: Claims kept on the Principal; the rest of the token is dropped.
#: "email" and "email_verified" (OpenID Connect) let a service match an invitation by e-mail.
_KEPT_CLAIMS = (
    "iss",
    "aud",
    "sub",
    "roles",
    "iat",
    "nbf",
    "exp",
    "jti",
    "email",
    "email_verified",
)


class AuthConfig(BaseModel):
    """How a service verifies tokens; built from its ServiceSettings."""

    jwks_url: str | None = "http://127.0.0.1:8090/.well-known/jwks.json"
    #: A PEM RSA public key; when set it wins over the JWKS URL (offline or pinned-key setups).
    public_key_file: Path | None = None
    issuer: str = "parovoz-auth"
    audience: str = "parovoz"
    leeway_seconds: float = Field(default=10.0, ge=0, le=120)
    jwks_cache_seconds: float = Field(default=300.0, gt=0)
    jwks_min_refetch_interval_seconds: float = Field(default=30.0, ge=0)
    jwks_timeout_seconds: float = Field(default=2.0, gt=0)
    #: How long the principal of a token already verified is remembered (0: verify every
    #: time). A client sends the same token with every request, and its RS256 check is most of
    #: what authentication costs. Never past the token's expiry; short, so a key withdrawn
    #: from the JWKS stops being honoured soon after.
    verified_cache_seconds: float = Field(default=30.0, ge=0, le=300)
    #: Most tokens remembered (the least recently used are forgotten first).
    verified_cache_size: int = Field(default=4096, ge=1)


# (PyJWT error, our code, a detail that says what is wrong and nothing about the token)
_FAILURES: list[tuple[type[jwt.PyJWTError], str, str]] = [
    (jwt.ExpiredSignatureError, "TOKEN_EXPIRED", "The token has expired."),
    (jwt.ImmatureSignatureError, "TOKEN_NOT_YET_VALID", "The token is not valid yet."),
    (jwt.InvalidIssuerError, "TOKEN_INVALID_ISSUER", "The token was not issued by our issuer."),
    (jwt.InvalidAudienceError, "TOKEN_INVALID_AUDIENCE", "The token is not meant for us."),
    (jwt.MissingRequiredClaimError, "TOKEN_MISSING_CLAIM", "The token lacks a required claim."),
    (jwt.InvalidSignatureError, "TOKEN_INVALID_SIGNATURE", "The token signature is invalid."),
    (jwt.InvalidAlgorithmError, "TOKEN_INVALID_ALGORITHM", "The token algorithm is not allowed."),
]


class JwtVerifier:
    """Verifies bearer tokens. One instance per process; safe to share between requests."""

    def __init__(
        self, keys: KeySource, config: AuthConfig | None = None, *, clock: Clock = time.time
    ) -> None:
        self._keys = keys
        self._config = config or AuthConfig()
        self._clock = clock
        #: token -> (remembered until, its principal). The key is the whole token, signature
        #: included: only the very bytes verified before are answered from here.
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    @classmethod
    def from_config(cls, config: AuthConfig) -> JwtVerifier:
        if config.public_key_file is not None:
            return cls(PemKeySource(config.public_key_file), config)
        if not config.jwks_url:
            raise ValueError("set either jwks_url or public_key_file")
        keys = JwksKeySource(
            config.jwks_url,
            cache_seconds=config.jwks_cache_seconds,
            min_refetch_interval_seconds=config.jwks_min_refetch_interval_seconds,
            timeout_seconds=config.jwks_timeout_seconds,
        )
        return cls(keys, config)

    async def verify(self, token: str) -> Principal:
        """The caller behind ``token``, or Unauthenticated (Unavailable if keys cannot be had)."""
        remembered = self._remembered(token)
        if remembered is not None:
            return remembered
        principal = await self._verified_now(token)
        self._remember(token, principal)
        return principal

    async def _verified_now(self, token: str) -> Principal:
        header = _unverified_header(token)
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise Unauthenticated(
                "The token algorithm is not allowed.", code="TOKEN_INVALID_ALGORITHM"
            )
        kid = header.get("kid")
        key = await self._keys.key_for(kid if isinstance(kid, str) else None)
        claims = self._decode(token, key)
        return _principal(claims)

    def _remembered(self, token: str) -> Principal | None:
        entry = self._verified.get(token)
        if entry is None:
            return None
        until, principal = entry
        if self._clock() >= until:
            del self._verified[token]
            return None
        self._verified.move_to_end(token)
        return principal

    def _remember(self, token: str, principal: Principal) -> None:
        seconds = self._config.verified_cache_seconds
        if seconds <= 0:
            return
        until = self._clock() + seconds
        expiry = principal.claims.get("exp")
        if isinstance(expiry, int | float):
            until = min(until, float(expiry))  # strictly before expiry (the leeway not granted)
        self._verified[token] = (until, principal)
        self._verified.move_to_end(token)
        while len(self._verified) > self._config.verified_cache_size:
            self._verified.popitem(last=False)

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        config = self._config
        try:
            return jwt.decode(
                token,
                key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=config.audience,
                issuer=config.issuer,
                leeway=config.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as error:
            raise _unauthenticated(error) from None


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("The token is malformed.", code="TOKEN_INVALID") from None


def _unauthenticated(error: jwt.PyJWTError) -> Unauthenticated:
    for error_type, code, detail in _FAILURES:
        if isinstance(error, error_type):
            return Unauthenticated(detail, code=code)
    return Unauthenticated("The token is invalid.", code="TOKEN_INVALID")


def _principal(claims: dict[str, Any]) -> Principal:
    subject, roles = claims.get("sub"), claims.get("roles", [])
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("The token subject is invalid.", code="TOKEN_INVALID")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise Unauthenticated("The token roles are invalid.", code="TOKEN_INVALID")
    kept = {name: claims[name] for name in _KEPT_CLAIMS if name in claims}
    token_id = claims.get("jti")
    return Principal(
        subject=subject,
        roles=frozenset(roles),
        token_id=token_id if isinstance(token_id, str) else None,
        claims=MappingProxyType(kept),
    )

"""Where a verifier gets the public keys: a JWKS URL (cached, rotation-aware) or a PEM file.

PyJWT's ``PyJWKClient`` does the HTTP fetch and JWK parsing; the cache, the rotation refetch
and its rate limit live here so that their clock is injectable and the blocking fetch runs in
a worker thread instead of on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from parovoz_kit.errors import Unauthenticated, Unavailable

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class KeySource(Protocol):
    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey:
        """The RSA public key that should have signed a token whose header names ``kid``."""
        ...


class PemKeySource:
    """One RSA public key from a PEM file (read once, at startup); the token's kid is ignored."""

    def __init__(self, path: str | Path) -> None:
        key = load_pem_public_key(Path(path).read_bytes())
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError(f"{path} does not hold an RSA public key")
        self._key = key

    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey:
        return self._key


class JwksKeySource:
    """Keys from a JWKS URL.

    - The key set is cached for ``cache_seconds`` and refetched when it expires.
    - A token naming an unknown ``kid`` (the issuer rotated its key) forces one refetch, but
      at most once per ``min_refetch_interval_seconds``: tokens with made-up kids must not turn
      every request into a fetch of the JWKS.
    - When a refresh fails, the keys already known keep working (the issuer being briefly down
      must not log everyone out); with no key at all the verifier is unavailable (503), which
      is the truth — the token may well be valid.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float = 300.0,
        min_refetch_interval_seconds: float = 30.0,
        timeout_seconds: float = 2.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=timeout_seconds)
        self._cache_seconds = cache_seconds
        self._min_refetch_interval = min_refetch_interval_seconds
        self._clock = clock
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at = -math.inf
        self._last_forced_fetch = -math.inf
        self._lock = asyncio.Lock()
        self._generation = 0  # bumped by every fetch attempt, to coalesce concurrent refreshes
        #: How many times the JWKS was fetched; for metrics and tests.
        self.fetch_count = 0

    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey:
        if not kid:
            raise Unauthenticated("The token names no signing key.", code="TOKEN_INVALID")
        if self._clock() - self._fetched_at >= self._cache_seconds:
            await self._refresh(forced=False)
        key = self._keys.get(kid)
        if key is None and self._clock() - self._last_forced_fetch >= self._min_refetch_interval:
            await self._refresh(forced=True)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("The token's signing key is unknown.", code="TOKEN_UNKNOWN_KEY")
        return key

    async def _refresh(self, *, forced: bool) -> None:
        generation = self._generation
        async with self._lock:
            # Another request fetched while this one waited for the lock: nothing to do.
            if self._generation != generation:
                return
            self._generation += 1
            self.fetch_count += 1
            if forced:
                self._last_forced_fetch = self._clock()
            try:
                signing_keys = await asyncio.to_thread(self._client.get_signing_keys, True)
            except (jwt.PyJWTError, ValueError) as error:  # ValueError: a body that is not JSON
                self._on_fetch_failure(error)
                return
            self._keys = _rsa_keys(signing_keys)
            self._fetched_at = self._clock()

    def _on_fetch_failure(self, error: Exception) -> None:
        if not self._keys:
            log.error("cannot fetch the JWKS", extra={"error": type(error).__name__})
            raise Unavailable(
                "The keys that verify tokens cannot be fetched; try again later.",
                code="AUTH_KEYS_UNAVAILABLE",
            )
        # Keep serving with the keys we have; try again on the next request after a short pause.
        log.warning(
            "JWKS refresh failed; keeping cached keys", extra={"error": type(error).__name__}
        )
        self._fetched_at = self._clock() - self._cache_seconds + self._min_refetch_interval


def _rsa_keys(signing_keys: list[Any]) -> dict[str, rsa.RSAPublicKey]:
    # Only RSA keys can verify RS256; anything else in the set is ignored, never tried.
    return {
        key.key_id: key.key
        for key in signing_keys
        if key.key_id and isinstance(key.key, rsa.RSAPublicKey)
    }

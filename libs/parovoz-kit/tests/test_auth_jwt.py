"""JwtVerifier against a real HTTP JWKS endpoint: every way a token can be wrong, and rotation.

The JWKS is served by a real http.server on loopback whose key set the test controls, so the
tests can sign with keys the endpoint does or does not publish, rotate, and take it down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from parovoz_kit.auth import AuthConfig, JwksKeySource, JwtVerifier
from parovoz_kit.errors import Unauthenticated, Unavailable

ISSUER, AUDIENCE = "parovoz-auth", "parovoz"
USER_ID = "6d1f1f0e-8f7a-4c3e-9a55-2b0f0b7c1a11"


@dataclass
class Key:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": kid or self.kid})


class JwksServer:
    """A JWKS endpoint on loopback; ``keys`` is what it publishes, ``up`` whether it answers."""

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.up = True
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                if not outer.up:
                    self.send_error(503)
                    return
                body = json.dumps({"keys": [key.jwk() for key in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/.well-known/jwks.json"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": USER_ID,
        "roles": ["moderator"],
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    # A callable override is a time relative to now, computed when the token is made (a test
    # may run minutes after its parameters were collected).
    values.update({k: v(now) if callable(v) else v for k, v in overrides.items()})
    return {name: value for name, value in values.items() if value is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


@pytest.fixture(scope="module")
def signing_key() -> Key:
    return Key(kid="key-1")


@pytest.fixture
def jwks(signing_key: Key) -> Iterator[JwksServer]:
    with JwksServer() as server:
        server.keys = [signing_key]
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def verifier(jwks: JwksServer, clock: FakeClock) -> JwtVerifier:
    keys = JwksKeySource(jwks.url, cache_seconds=300, min_refetch_interval_seconds=30, clock=clock)
    return JwtVerifier(keys, AuthConfig(leeway_seconds=10))


async def rejected(verifier: JwtVerifier, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    # No message carries the token or any of its parts.
    for part in token.split("."):
        if len(part) > 8:  # short parts ("a") occur in any sentence
            assert part not in str(caught.value) and part not in caught.value.detail
    return caught.value


async def test_a_valid_user_token_becomes_a_principal(verifier: JwtVerifier, signing_key: Key):
    principal = await verifier.verify(signing_key.sign(claims()))

    assert principal.subject == USER_ID
    assert principal.roles == frozenset({"moderator"})
    assert not principal.is_service and principal.service_name is None
    assert principal.token_id and principal.claims["iss"] == ISSUER


async def test_the_email_claims_are_kept_and_others_dropped(
    verifier: JwtVerifier, signing_key: Key
) -> None:
    token = signing_key.sign(
        claims(email="dev@example.com", email_verified=True, name="Иван", phone="+7900")
    )

    principal = await verifier.verify(token)

    assert principal.claims["email"] == "dev@example.com"
    assert principal.claims["email_verified"] is True
    assert "name" not in principal.claims and "phone" not in principal.claims


async def test_a_service_token_is_recognised(verifier: JwtVerifier, signing_key: Key) -> None:
    token = signing_key.sign(claims(sub="service:payment", roles=["service"]))

    principal = await verifier.verify(token)

    assert principal.is_service and principal.service_name == "payment"


async def test_a_user_subject_with_the_service_role_is_no_service(
    verifier: JwtVerifier, signing_key: Key
) -> None:
    principal = await verifier.verify(signing_key.sign(claims(roles=["service"])))

    assert not principal.is_service


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": lambda now: now - 120}, "TOKEN_EXPIRED"),
        ({"nbf": lambda now: now + 120}, "TOKEN_NOT_YET_VALID"),
        ({"iat": lambda now: now + 120}, "TOKEN_NOT_YET_VALID"),
        ({"iss": "someone-else"}, "TOKEN_INVALID_ISSUER"),
        ({"iss": None}, "TOKEN_MISSING_CLAIM"),
        ({"aud": "another-platform"}, "TOKEN_INVALID_AUDIENCE"),
        ({"aud": None}, "TOKEN_MISSING_CLAIM"),
        ({"exp": None}, "TOKEN_MISSING_CLAIM"),
        ({"iat": None}, "TOKEN_MISSING_CLAIM"),
        ({"sub": None}, "TOKEN_MISSING_CLAIM"),
        ({"roles": "admin"}, "TOKEN_INVALID"),
    ],
)
async def test_bad_claims_are_refused_with_a_stable_code(
    verifier: JwtVerifier, signing_key: Key, overrides: dict[str, Any], code: str
) -> None:
    error = await rejected(verifier, signing_key.sign(claims(**overrides)))

    assert error.code == code


async def test_expiry_within_the_leeway_is_accepted(verifier: JwtVerifier, signing_key: Key):
    token = signing_key.sign(claims(exp=int(time.time()) - 3))

    assert (await verifier.verify(token)).subject == USER_ID


async def test_a_token_signed_by_an_unpublished_key_is_refused(verifier: JwtVerifier) -> None:
    stranger = Key(kid="not-published")

    assert (await rejected(verifier, stranger.sign(claims()))).code == "TOKEN_UNKNOWN_KEY"


async def test_a_foreign_key_claiming_a_published_kid_fails_the_signature(
    verifier: JwtVerifier, signing_key: Key
) -> None:
    forged = Key(kid="forger").sign(claims(), kid=signing_key.kid)

    assert (await rejected(verifier, forged)).code == "TOKEN_INVALID_SIGNATURE"


async def test_a_tampered_payload_fails_the_signature(verifier: JwtVerifier, signing_key: Key):
    header, _, signature = signing_key.sign(claims()).split(".")
    elevated = b64(json.dumps(claims(roles=["admin"])).encode())

    error = await rejected(verifier, f"{header}.{elevated}.{signature}")

    assert error.code == "TOKEN_INVALID_SIGNATURE"


async def test_alg_none_is_refused(verifier: JwtVerifier, signing_key: Key) -> None:
    token = unsigned_token({"alg": "none", "typ": "JWT", "kid": signing_key.kid}, claims(), None)

    assert (await rejected(verifier, token)).code == "TOKEN_INVALID_ALGORITHM"


async def test_hs256_signed_with_the_public_key_is_refused(
    verifier: JwtVerifier, signing_key: Key, jwks: JwksServer
) -> None:
    # The classic HS/RS confusion: an attacker uses the published public key as HMAC secret.
    header = {"alg": "HS256", "typ": "JWT", "kid": signing_key.kid}
    token = unsigned_token(header, claims(roles=["admin"]), signing_key.public_pem())
    fetches_before = jwks.fetches

    assert (await rejected(verifier, token)).code == "TOKEN_INVALID_ALGORITHM"
    assert jwks.fetches == fetches_before  # refused before any key is looked up


@pytest.mark.parametrize(
    "token", ["", "not-a-jwt", "abcdefghij.klmnopqrst.uvwxyz0123", "eyJhbGciOiJSUzI1NiJ9.e30"]
)
async def test_malformed_tokens_are_refused(verifier: JwtVerifier, token: str) -> None:
    error = await rejected(verifier, token)

    assert error.code in {"TOKEN_INVALID", "TOKEN_INVALID_ALGORITHM"}


async def test_a_rotated_key_is_fetched_once(
    verifier: JwtVerifier, jwks: JwksServer, signing_key: Key
) -> None:
    await verifier.verify(signing_key.sign(claims()))
    assert jwks.fetches == 1
    rotated = Key(kid="key-2")
    jwks.keys = [rotated, signing_key]

    for _ in range(3):
        principal = await verifier.verify(rotated.sign(claims()))
        assert principal.subject == USER_ID

    assert jwks.fetches == 2  # one refetch for the new kid, then the cache serves it
    assert (await verifier.verify(signing_key.sign(claims()))).subject == USER_ID
    assert jwks.fetches == 2


async def test_unknown_kids_cannot_force_a_fetch_per_request(
    verifier: JwtVerifier, jwks: JwksServer, signing_key: Key, clock: FakeClock
) -> None:
    await verifier.verify(signing_key.sign(claims()))
    strangers = [Key(kid=f"made-up-{n}") for n in range(2)]

    for stranger in strangers:
        assert (await rejected(verifier, stranger.sign(claims()))).code == "TOKEN_UNKNOWN_KEY"
    assert jwks.fetches == 2  # the first made-up kid forced one refetch, the second none

    clock.now += 31  # past the refetch interval: an unknown kid may look again, once
    await rejected(verifier, strangers[0].sign(claims()))
    await rejected(verifier, strangers[1].sign(claims()))
    assert jwks.fetches == 3


async def test_the_key_set_is_refetched_when_the_cache_expires(
    verifier: JwtVerifier, jwks: JwksServer, signing_key: Key, clock: FakeClock
) -> None:
    await verifier.verify(signing_key.sign(claims()))
    clock.now += 301

    await verifier.verify(signing_key.sign(claims()))

    assert jwks.fetches == 2


async def test_cached_keys_keep_working_while_the_jwks_is_down(
    verifier: JwtVerifier, jwks: JwksServer, signing_key: Key, clock: FakeClock
) -> None:
    await verifier.verify(signing_key.sign(claims()))
    jwks.up = False
    clock.now += 301

    assert (await verifier.verify(signing_key.sign(claims()))).subject == USER_ID
    assert jwks.fetches == 2  # it did try


async def test_no_keys_at_all_is_unavailable_not_unauthenticated(
    jwks: JwksServer, signing_key: Key, clock: FakeClock
) -> None:
    jwks.up = False
    verifier = JwtVerifier(JwksKeySource(jwks.url, clock=clock))

    with pytest.raises(Unavailable) as caught:
        await verifier.verify(signing_key.sign(claims()))

    assert caught.value.code == "AUTH_KEYS_UNAVAILABLE"


async def test_a_pem_key_file_verifies_without_any_jwks(tmp_path: Path, signing_key: Key):
    key_file = tmp_path / "auth-public.pem"
    key_file.write_bytes(signing_key.public_pem())
    verifier = JwtVerifier.from_config(AuthConfig(jwks_url=None, public_key_file=key_file))

    assert (await verifier.verify(signing_key.sign(claims()))).subject == USER_ID
    error = await rejected(verifier, Key(kid="other").sign(claims()))
    assert error.code == "TOKEN_INVALID_SIGNATURE"


async def test_failures_never_log_the_token(
    verifier: JwtVerifier, signing_key: Key, jwks: JwksServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = signing_key.sign(claims(exp=int(time.time()) - 600))
    await rejected(verifier, token)
    jwks.up = False
    await rejected(verifier, Key(kid="unknown").sign(claims()))

    for part in token.split("."):
        assert part not in caplog.text


# --- a verified token is remembered for a while --------------------------------------------


class _CountingKeys:
    """A key source counting lookups: one per token actually verified."""

    def __init__(self, key: Key) -> None:
        self.key, self.lookups = key, 0

    async def key_for(self, kid: str | None) -> rsa.RSAPublicKey:
        self.lookups += 1
        return self.key.private.public_key()


def _remembering(signing_key: Key, clock: FakeClock, **config: Any) -> tuple[JwtVerifier, Any]:
    keys = _CountingKeys(signing_key)
    return JwtVerifier(keys, AuthConfig(**config), clock=clock), keys


async def test_a_token_sent_again_is_not_verified_again(signing_key: Key) -> None:
    clock = FakeClock()
    clock.now = time.time()
    verifier, keys = _remembering(signing_key, clock, verified_cache_seconds=30)
    token = signing_key.sign(claims())
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first
    assert keys.lookups == 1
    clock.now += 31  # remembered for verified_cache_seconds only
    assert await verifier.verify(token) == first
    assert keys.lookups == 2


async def test_a_remembered_token_is_refused_once_it_expires(signing_key: Key) -> None:
    clock = FakeClock()
    clock.now = time.time()
    verifier, keys = _remembering(signing_key, clock, verified_cache_seconds=300)
    token = signing_key.sign(claims(exp=int(clock.now) + 5))
    await verifier.verify(token)
    clock.now += 6  # past its expiry (the leeway is PyJWT's, on a real verification only)
    assert verifier._remembered(token) is None
    assert keys.lookups == 1


async def test_only_the_very_bytes_verified_are_remembered(signing_key: Key) -> None:
    clock = FakeClock()
    clock.now = time.time()
    verifier, _ = _remembering(signing_key, clock)
    token = signing_key.sign(claims())
    await verifier.verify(token)
    header, _payload, signature = token.split(".")
    forged_payload = b64(json.dumps(claims(sub="someone-else")).encode())
    for forged in (f"{header}.{forged_payload}.{signature}", token + "x", token[:-2]):
        await rejected(verifier, forged)


async def test_refusals_are_not_remembered_and_the_cache_is_bounded(signing_key: Key) -> None:
    clock = FakeClock()
    clock.now = time.time()
    verifier, keys = _remembering(signing_key, clock, verified_cache_size=2)
    expired = signing_key.sign(claims(exp=int(clock.now) - 60))
    for _ in range(2):
        await rejected(verifier, expired)
    assert keys.lookups == 2
    tokens = [signing_key.sign(claims()) for _ in range(3)]
    for token in tokens:
        await verifier.verify(token)
    assert verifier._remembered(tokens[0]) is None  # the least recently used went first
    assert all(verifier._remembered(token) is not None for token in tokens[1:])


async def test_zero_seconds_verifies_every_time(signing_key: Key) -> None:
    clock = FakeClock()
    clock.now = time.time()
    verifier, keys = _remembering(signing_key, clock, verified_cache_seconds=0)
    token = signing_key.sign(claims())
    await verifier.verify(token)
    await verifier.verify(token)
    assert keys.lookups == 2

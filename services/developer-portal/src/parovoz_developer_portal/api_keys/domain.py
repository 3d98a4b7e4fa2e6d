"""API keys: what a key is, how it is issued, recognised and limited (plain Python, no I/O).

A key is ``pk_live_`` + 43 url-safe characters (32 random bytes). Only its SHA-256 is stored
(the secret is high-entropy, so a slow password hash buys nothing) with a display prefix of its
first characters, unique, by which it is found; the hash is then compared in constant time.
The plain key exists once: in the answer that created it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation, NotFound, TooManyRequests, Unauthenticated

from parovoz_developer_portal.api_keys.rules import ApiKeyRules

KEY_SCHEME = "pk_live_"
#: Random bytes in a key (43 url-safe characters).
SECRET_BYTES = 32
#: Characters of the key kept in clear to show and to find it: the scheme and 8 of the secret.
DISPLAY_PREFIX_LENGTH = len(KEY_SCHEME) + 8
#: ``last_used_at`` is written at most this often per key (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: The rate limit's fixed window.
RATE_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class ApiKey:
    id: uuid.UUID
    developer_id: uuid.UUID
    name: str
    prefix: str
    key_hash: str
    expires_at: datetime | None
    last_used_at: datetime | None
    created_by_user_id: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        """Neither revoked nor expired: the key authenticates."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def status_at(self, now: datetime) -> str:
        """`active`, `revoked` or `expired`."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.active_at(now) else "expired"

    def matches(self, plain_key: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_key(plain_key))

    def revoked(self, now: datetime) -> ApiKey:
        """Revoking twice keeps the first revocation time."""
        return self if self.revoked_at is not None else replace(self, revoked_at=now)

    def used_at(self, now: datetime) -> ApiKey | None:
        """The key with ``last_used_at`` moved to ``now``, or None when it was written less
        than a minute ago (no write on every request)."""
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_RESOLUTION:
            return None
        return replace(self, last_used_at=now)


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its plain text, which only the creating answer ever shows."""

    key: ApiKey
    plain_key: str


def hash_key(plain_key: str) -> str:
    return hashlib.sha256(plain_key.encode()).hexdigest()


def looks_like_key(credential: str) -> bool:
    """Whether a credential is an API key (and not a user's JWT)."""
    return credential.startswith(KEY_SCHEME)


def display_prefix(plain_key: str) -> str:
    return plain_key[:DISPLAY_PREFIX_LENGTH]


def issue_key(
    developer_id: uuid.UUID,
    name: str,
    expires_at: datetime | None,
    created_by_user_id: uuid.UUID,
    active_keys: int,
    rules: ApiKeyRules,
    now: datetime,
) -> IssuedKey:
    """A new key of the account (422 beyond the active keys allowed, or expiring in the past)."""
    if active_keys >= rules.max_active_keys:
        raise BusinessRuleViolation(
            f"The account already holds {active_keys} active API keys, the most allowed "
            f"({rules.max_active_keys}); revoke one first.",
            detail_ru=(
                f"У аккаунта уже {active_keys} действующих API-ключей — это предел "
                f"({rules.max_active_keys}); сначала отзовите один из них."
            ),
            code="API_KEY_LIMIT_REACHED",
        )
    if expires_at is not None and expires_at <= now:
        raise BusinessRuleViolation(
            "expires_at must be in the future.",
            code="API_KEY_EXPIRY_IN_PAST",
            pointer="/data/attributes/expires_at",
        )
    plain_key = KEY_SCHEME + secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(
        id=uuid.uuid4(),
        developer_id=developer_id,
        name=name,
        prefix=display_prefix(plain_key),
        key_hash=hash_key(plain_key),
        expires_at=expires_at,
        last_used_at=None,
        created_by_user_id=created_by_user_id,
        created_at=now,
    )
    return IssuedKey(key, plain_key)


def invalid_key() -> Unauthenticated:
    """Unknown, revoked and expired keys alike: the caller learns nothing about which."""
    return Unauthenticated("The API key is not valid.", code="API_KEY_INVALID")


def api_key_not_found(key_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"API key {key_id} was not found.",
        detail_ru=f"API-ключ {key_id} не найден.",
        code="RESOURCE_NOT_FOUND",
    )


@dataclass(frozen=True)
class RateWindow:
    """The fixed window a request falls in: its number (minutes since the epoch) and the
    seconds until the next one starts."""

    number: int
    seconds_left: int


def rate_window(now: datetime) -> RateWindow:
    epoch_seconds = int(now.timestamp())
    number, into = divmod(epoch_seconds, RATE_WINDOW_SECONDS)
    return RateWindow(number, RATE_WINDOW_SECONDS - into)


def require_within_rate(requests_in_window: int, window: RateWindow, rules: ApiKeyRules) -> None:
    if requests_in_window > rules.requests_per_minute:
        raise TooManyRequests(
            f"This API key made more than {rules.requests_per_minute} requests this minute; "
            f"retry in {window.seconds_left} s.",
            detail_ru=(
                f"С этим API-ключом сделано больше {rules.requests_per_minute} запросов за "
                f"минуту; повторите через {window.seconds_left} с."
            ),
            retry_after_seconds=window.seconds_left,
            code="API_KEY_RATE_LIMITED",
        )

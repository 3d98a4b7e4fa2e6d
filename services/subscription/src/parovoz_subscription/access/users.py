"""The (external) user service over REST: a user's region, birth date and blocked flag, for
the users read model (``read_models_service.user_facts``).

``GET {url}/users/{id}`` with a short timeout behind a circuit breaker (after a few failures in
a row the service is not asked for a while). 200: the profile; 404: no such user (None);
anything else — timeout, refused connection, 5xx, an unreadable answer, the breaker open —
raises ``Unavailable`` (the use case then answers the last known profile, if any).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
from parovoz_kit.errors import Unavailable
from parovoz_kit.grpc.breaker import CircuitBreaker, CircuitOpen
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.facts import UserProfile

log = logging.getLogger(__name__)


def _unavailable(why: str) -> Unavailable:
    return Unavailable(f"user service unavailable: {why}", code="USER_SERVICE_UNAVAILABLE")


class HttpUserProfiles:
    """``UserProfiles`` over the user service's REST API."""

    def __init__(
        self,
        base_url: str,
        *,
        fresh_for: timedelta,
        timeout_seconds: float = 2.0,
        failure_threshold: int = 5,
        reset_timeout_seconds: float = 30.0,
        client: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fresh_for = fresh_for
        self._client = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_seconds
        )
        self._breaker = CircuitBreaker(
            "user service",
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            clock=monotonic,
        )

    @property
    def fresh_for(self) -> timedelta:
        return self._fresh_for

    async def aclose(self) -> None:
        await self._client.aclose()

    async def profile(self, user_id: uuid.UUID) -> UserProfile | None:
        try:
            self._breaker.before_call()
        except CircuitOpen:
            raise _unavailable("circuit open") from None
        try:
            response = await self._client.get(f"/users/{user_id}")
        except httpx.HTTPError as error:
            self._breaker.record_failure()
            log.warning("user service unreachable: %s", type(error).__name__)
            raise _unavailable(type(error).__name__) from None
        if response.status_code == 404:
            self._breaker.record_success()
            return None
        profile = _profile(user_id, response) if response.status_code == 200 else None
        if profile is None:
            self._breaker.record_failure()
            log.warning("user service answered HTTP %d (unusable)", response.status_code)
            raise _unavailable(f"HTTP {response.status_code}")
        self._breaker.record_success()
        return profile


def _profile(user_id: uuid.UUID, response: httpx.Response) -> UserProfile | None:
    try:
        body: Any = response.json()
        region, blocked = body["region"], body.get("blocked", False)
        birth_date = date.fromisoformat(str(body["birth_date"]))
    except (ValueError, KeyError, TypeError):
        return None
    if not (isinstance(region, str) and len(region) == 2 and region.isalpha()):
        return None
    if not isinstance(blocked, bool):
        return None
    return UserProfile(
        user_id=user_id, region=region.upper(), birth_date=birth_date, blocked=blocked
    )


def user_profiles(infrastructure: Infrastructure) -> HttpUserProfiles:
    """The process's one client of the user service (closed with the infrastructure)."""
    settings: Any = infrastructure.settings
    rules = settings.read_model_rules()
    return infrastructure.shared(
        "access-user-profiles",
        lambda: HttpUserProfiles(
            settings.user_service_url,
            fresh_for=rules.user_profile_ttl,
            timeout_seconds=rules.user_service_timeout_seconds,
        ),
    )

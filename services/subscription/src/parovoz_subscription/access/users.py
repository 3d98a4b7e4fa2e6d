"""The (external) user service over REST: a user's region, birth date and blocked flag, for
the users read model (``read_models_service.user_facts``).

``GET {url}/users/{id}`` with a short timeout behind a circuit breaker (after a few failures in
a row the service is not asked for a while). 200: the profile; 404: no such user (None);
anything else — timeout, refused connection, 5xx, an unreadable answer, the breaker open —
raises ``Unavailable`` (the use case then answers the last known profile, if any).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import httpx
from parovoz_kit.errors import Unavailable
from parovoz_kit.http.peer import PeerDown, RestPeer
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.facts import UserProfile


def _unavailable(why: str) -> Unavailable:
    return Unavailable(f"user service unavailable: {why}", code="USER_SERVICE_UNAVAILABLE")


class HttpUserProfiles:
    """``UserProfiles`` over the user service's REST API (the kit's ``RestPeer``)."""

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
        self._peer = RestPeer(
            "user service",
            base_url,
            timeout_seconds=timeout_seconds,
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            client=client,
            monotonic=monotonic,
        )

    @property
    def fresh_for(self) -> timedelta:
        return self._fresh_for

    async def aclose(self) -> None:
        await self._peer.aclose()

    async def profile(self, user_id: uuid.UUID) -> UserProfile | None:
        try:
            return await self._peer.get_json(f"/users/{user_id}", partial(_profile, user_id))
        except PeerDown as down:
            raise _unavailable(down.reason) from None


def _profile(user_id: uuid.UUID, body: Any) -> UserProfile | None:
    try:
        region, blocked = body["region"], body.get("blocked", False)
        birth_date = date.fromisoformat(str(body["birth_date"]))
    except (ValueError, KeyError, TypeError, AttributeError):
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

"""The (external) user service over REST: is the payer blocked, how old is the account, and
the account's e-mail (a receipt's contact when a payment names none).

``GET {url}/users/{id}`` with a short timeout behind a circuit breaker: after a few failures in
a row the service is not asked for a while. Any failure — timeout, refused connection, 5xx,
unreadable answer, open circuit — answers None ("could not be asked"); the fraud screen then
fails closed (holds the payment for review). A 404 means the user service has no profile: not
blocked, account age unknown.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime

import httpx
from parovoz_kit.grpc.breaker import CircuitBreaker, CircuitOpen

from parovoz_payment.domain.fraud import UserFacts

log = logging.getLogger(__name__)


class UserServiceClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float = 2.0,
        failure_threshold: int = 5,
        reset_timeout_seconds: float = 30.0,
        client: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_seconds
        )
        self._breaker = CircuitBreaker(
            "user service",
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            clock=monotonic,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def facts(self, user_id: uuid.UUID) -> UserFacts | None:
        """The payer's facts, or None when the user service could not be asked."""
        try:
            self._breaker.before_call()
        except CircuitOpen:
            return None
        try:
            response = await self._client.get(f"/users/{user_id}")
        except httpx.HTTPError as error:
            self._breaker.record_failure()
            log.warning("user service unreachable: %s", type(error).__name__)
            return None
        if response.status_code == 404:
            self._breaker.record_success()
            return UserFacts(blocked=False, account_created_at=None)
        if response.status_code != 200:
            self._breaker.record_failure()
            log.warning("user service answered HTTP %d", response.status_code)
            return None
        facts = _facts(response)
        if facts is None:
            self._breaker.record_failure()
            log.warning("user service answered an unreadable profile")
            return None
        self._breaker.record_success()
        return facts


def _facts(response: httpx.Response) -> UserFacts | None:
    try:
        body = response.json()
        blocked = body["blocked"]
        created = datetime.fromisoformat(str(body["account_created_at"]).replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(blocked, bool) or created.tzinfo is None:
        return None
    email = body.get("email")
    email = email.strip() if isinstance(email, str) and email.strip() else None
    return UserFacts(blocked=blocked, account_created_at=created, email=email)

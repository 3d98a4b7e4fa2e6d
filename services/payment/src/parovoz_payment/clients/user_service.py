"""The (external) user service over REST: is the payer blocked, how old is the account, and
the account's e-mail (a receipt's contact when a payment names none).

``GET {url}/users/{id}`` with a short timeout behind a circuit breaker: after a few failures in
a row the service is not asked for a while. Any failure — timeout, refused connection, 5xx,
unreadable answer, open circuit — answers None ("could not be asked"); the fraud screen then
fails closed (holds the payment for review). A 404 means the user service has no profile: not
blocked, account age unknown.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from parovoz_kit.http.peer import PeerDown, RestPeer

from parovoz_payment.domain.fraud import UserFacts


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
        self._peer = RestPeer(
            "user service",
            base_url,
            timeout_seconds=timeout_seconds,
            failure_threshold=failure_threshold,
            reset_timeout_seconds=reset_timeout_seconds,
            client=client,
            monotonic=monotonic,
        )

    async def aclose(self) -> None:
        await self._peer.aclose()

    async def facts(self, user_id: uuid.UUID) -> UserFacts | None:
        """The payer's facts, or None when the user service could not be asked."""
        try:
            facts = await self._peer.get_json(f"/users/{user_id}", _facts)
        except PeerDown:
            return None
        # No profile there (404): not blocked, account age unknown.
        return facts or UserFacts(blocked=False, account_created_at=None)


def _facts(body: Any) -> UserFacts | None:
    try:
        blocked = body["blocked"]
        created = datetime.fromisoformat(str(body["account_created_at"]).replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(blocked, bool) or created.tzinfo is None:
        return None
    email = body.get("email")
    email = email.strip() if isinstance(email, str) and email.strip() else None
    return UserFacts(blocked=blocked, account_created_at=created, email=email)

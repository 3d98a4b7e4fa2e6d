"""The (external) user service over REST: a voter's account age, purchases and blocked flag
(``GET {url}/users/{id}`` through the kit's ``RestPeer``: a short timeout behind a circuit
breaker). 404: unknown user (None); anything else that is not a usable 200 raises
``Unavailable`` (503 ``USER_SERVICE_UNAVAILABLE``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parovoz_kit.errors import Unavailable
from parovoz_kit.http.peer import PeerDown, RestPeer
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.voting.domain import VoterFacts


class HttpVoters:
    """``Voters`` over the user service's REST API."""

    def __init__(self, base_url: str, *, timeout_seconds: float) -> None:
        self._peer = RestPeer("user service", base_url, timeout_seconds=timeout_seconds)

    async def aclose(self) -> None:
        await self._peer.aclose()

    async def facts(self, user_id: uuid.UUID) -> VoterFacts | None:
        try:
            return await self._peer.get_json(f"/users/{user_id}", _facts)
        except PeerDown as down:
            raise Unavailable(
                f"user service unavailable: {down.reason}", code="USER_SERVICE_UNAVAILABLE"
            ) from None


def _facts(body: Any) -> VoterFacts | None:
    """None for a body that is not a profile (the peer then counts as down)."""
    try:
        created_at = datetime.fromisoformat(str(body["account_created_at"]))
        purchases, blocked = body.get("purchases_count", 0), body.get("blocked", False)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if created_at.tzinfo is None or not isinstance(blocked, bool):
        return None
    if not isinstance(purchases, int) or isinstance(purchases, bool) or purchases < 0:
        return None
    return VoterFacts(account_created_at=created_at, purchases_count=purchases, blocked=blocked)


def voters(infrastructure: Infrastructure) -> HttpVoters:
    """The process's one client of the user service for voting (closed at stop)."""
    settings: Any = infrastructure.settings
    rules = settings.voting_rules()
    return infrastructure.shared(
        "voting-voters",
        lambda: HttpVoters(
            settings.user_service_url, timeout_seconds=rules.user_service_timeout_seconds
        ),
    )

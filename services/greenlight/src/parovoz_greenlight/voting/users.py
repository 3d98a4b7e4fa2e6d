"""The (external) user service over REST: a voter's account age, purchases and blocked flag
(``GET {url}/users/{id}`` through the kit's ``RestPeer``: a short timeout behind a circuit
breaker). 404: unknown user (None); anything else that is not a usable 200 raises
``Unavailable`` (503 ``USER_SERVICE_UNAVAILABLE``).

``CachedVoters`` keeps the facts the user service gave for the rules' ``voter_facts_ttl`` in
process (a vote and its eligibility check ask once, not per request): a user blocked (or who
bought a first game) is seen within that time. Unknown users and failures are not kept; an
entry stamped in the clock's future (a test's clock moved back) is not trusted."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from parovoz_kit.clock import Clock
from parovoz_kit.errors import Unavailable
from parovoz_kit.http.peer import PeerDown, RestPeer
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.voting.domain import VoterFacts
from parovoz_greenlight.voting.service import Voters

#: At most this many voters' facts are kept (the least recently stored go first).
MAX_KEPT = 50_000


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


class CachedVoters:
    """``Voters`` remembering each known user's facts for ``ttl`` (zero: a pass-through)."""

    def __init__(
        self, inner: Voters, *, ttl: timedelta, clock: Clock, max_kept: int = MAX_KEPT
    ) -> None:
        self._inner, self._ttl, self._clock, self._max_kept = inner, ttl, clock, max_kept
        self._kept: OrderedDict[uuid.UUID, tuple[datetime, VoterFacts]] = OrderedDict()

    async def aclose(self) -> None:
        closing = getattr(self._inner, "aclose", None)
        if closing is not None:
            await closing()

    async def facts(self, user_id: uuid.UUID) -> VoterFacts | None:
        if self._ttl <= timedelta(0):
            return await self._inner.facts(user_id)
        now = self._clock.now()
        kept = self._kept.get(user_id)
        if kept is not None and kept[0] <= now < kept[0] + self._ttl:
            return kept[1]
        found = await self._inner.facts(user_id)
        self._kept.pop(user_id, None)
        if found is not None:
            self._kept[user_id] = (self._clock.now(), found)
            while len(self._kept) > self._max_kept:
                self._kept.popitem(last=False)
        return found


def voters(infrastructure: Infrastructure) -> CachedVoters:
    """The process's one client of the user service for voting (closed at stop), its answers
    kept for the rules' ``voter_facts_ttl``."""
    settings: Any = infrastructure.settings
    rules = settings.voting_rules()
    return infrastructure.shared(
        "voting-voters",
        lambda: CachedVoters(
            HttpVoters(
                settings.user_service_url, timeout_seconds=rules.user_service_timeout_seconds
            ),
            ttl=rules.voter_facts_ttl,
            clock=infrastructure.clock,
        ),
    )

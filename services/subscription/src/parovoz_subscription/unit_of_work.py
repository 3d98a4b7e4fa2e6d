"""subscription's unit of work: the kit's (one transaction + outbox) plus its repositories."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Self

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWork

from parovoz_subscription.access.cache import AccessCache
from parovoz_subscription.access.read_models import SqlReadModels
from parovoz_subscription.access.repository import SqlAccess
from parovoz_subscription.billing.repository import SqlCharges
from parovoz_subscription.licenses.repository import SqlLicenses
from parovoz_subscription.plans.repository import SqlPlans
from parovoz_subscription.subscriptions.repository import SqlSubscriptions
from parovoz_subscription.trials.repository import SqlTrials


class SqlSubscriptionUnitOfWork(UnitOfWork):
    """One transaction over subscription's repositories and the outbox.

    A use case that changes what access answers depend on names it with :meth:`access_changed`;
    once the transaction has committed, those cached answers are forgotten (the cache never
    outlives a committed change; a rolled-back change forgets nothing).
    """

    plans: SqlPlans
    subscriptions: SqlSubscriptions
    charges: SqlCharges
    trials: SqlTrials
    access: SqlAccess
    read_models: SqlReadModels
    licenses: SqlLicenses

    def __init__(self, infrastructure: Infrastructure) -> None:
        super().__init__(
            infrastructure.session_factory, infrastructure.source, clock=infrastructure.clock
        )
        self._cache = infrastructure.shared(
            "access-cache", lambda: AccessCache(infrastructure.redis)
        )
        self._changed: tuple[set[uuid.UUID], set[uuid.UUID], set[uuid.UUID]] = (set(), set(), set())

    def access_changed(
        self,
        *,
        users: Iterable[uuid.UUID] = (),
        plans: Iterable[uuid.UUID] = (),
        games: Iterable[uuid.UUID] = (),
    ) -> None:
        """Cached access answers of these users, plans and games are stale after this commit."""
        self._changed[0].update(users)
        self._changed[1].update(plans)
        self._changed[2].update(games)

    async def commit(self) -> None:
        users, plans, games = self._changed
        await super().commit()
        self._changed = (set(), set(), set())
        if users or plans or games:
            await self._cache.invalidate(users=users, plans=plans, games=games)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._changed = (set(), set(), set())
        self.plans = SqlPlans(self.session)
        self.subscriptions = SqlSubscriptions(self.session)
        self.charges = SqlCharges(self.session)
        self.trials = SqlTrials(self.session)
        self.access = SqlAccess(self.session)
        self.read_models = SqlReadModels(self.session)
        self.licenses = SqlLicenses(self.session)
        return self


def subscription_unit_of_work(infrastructure: Infrastructure) -> SqlSubscriptionUnitOfWork:
    return SqlSubscriptionUnitOfWork(infrastructure)

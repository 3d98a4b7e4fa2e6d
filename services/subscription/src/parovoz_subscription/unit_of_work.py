"""subscription's unit of work: the kit's (one transaction + outbox) plus its repositories."""

from __future__ import annotations

from typing import Self

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWork

from parovoz_subscription.access.read_models import SqlReadModels
from parovoz_subscription.access.repository import SqlAccess
from parovoz_subscription.billing.repository import SqlCharges
from parovoz_subscription.licenses.repository import SqlLicenses
from parovoz_subscription.plans.repository import SqlPlans
from parovoz_subscription.subscriptions.repository import SqlSubscriptions
from parovoz_subscription.trials.repository import SqlTrials


class SqlSubscriptionUnitOfWork(UnitOfWork):
    plans: SqlPlans
    subscriptions: SqlSubscriptions
    charges: SqlCharges
    trials: SqlTrials
    access: SqlAccess
    read_models: SqlReadModels
    licenses: SqlLicenses

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.plans = SqlPlans(self.session)
        self.subscriptions = SqlSubscriptions(self.session)
        self.charges = SqlCharges(self.session)
        self.trials = SqlTrials(self.session)
        self.access = SqlAccess(self.session)
        self.read_models = SqlReadModels(self.session)
        self.licenses = SqlLicenses(self.session)
        return self


def subscription_unit_of_work(infrastructure: Infrastructure) -> SqlSubscriptionUnitOfWork:
    return SqlSubscriptionUnitOfWork(
        infrastructure.session_factory, infrastructure.source, clock=infrastructure.clock
    )

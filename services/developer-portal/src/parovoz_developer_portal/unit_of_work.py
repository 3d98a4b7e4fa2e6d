"""The portal's unit of work: the kit's (one transaction + outbox) plus its repositories."""

from __future__ import annotations

from typing import Self

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWork

from parovoz_developer_portal.accounts.repository import SqlAccounts
from parovoz_developer_portal.games.repository import SqlGames
from parovoz_developer_portal.pricing.repository import SqlGamePrices


class SqlPortalUnitOfWork(UnitOfWork):
    accounts: SqlAccounts
    games: SqlGames
    prices: SqlGamePrices

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.accounts = SqlAccounts(self.session)
        self.games = SqlGames(self.session)
        self.prices = SqlGamePrices(self.session)
        return self


def portal_unit_of_work(infrastructure: Infrastructure) -> SqlPortalUnitOfWork:
    return SqlPortalUnitOfWork(
        infrastructure.session_factory, infrastructure.source, clock=infrastructure.clock
    )

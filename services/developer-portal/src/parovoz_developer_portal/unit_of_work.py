"""The portal's unit of work: the kit's (one transaction + outbox) plus its repositories."""

from __future__ import annotations

from typing import Self

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWork

from parovoz_developer_portal.accounts.repository import SqlAccounts
from parovoz_developer_portal.api_keys.repository import SqlApiKeys
from parovoz_developer_portal.builds.repository import SqlBuilds
from parovoz_developer_portal.games.repository import SqlGames
from parovoz_developer_portal.media.repository import SqlMedia
from parovoz_developer_portal.pricing.repository import SqlGamePrices
from parovoz_developer_portal.releases.repository import SqlReleases
from parovoz_developer_portal.review.repository import SqlReviews


class SqlPortalUnitOfWork(UnitOfWork):
    accounts: SqlAccounts
    games: SqlGames
    prices: SqlGamePrices
    media: SqlMedia
    builds: SqlBuilds
    reviews: SqlReviews
    releases: SqlReleases
    api_keys: SqlApiKeys

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.accounts = SqlAccounts(self.session)
        self.games = SqlGames(self.session)
        self.prices = SqlGamePrices(self.session)
        self.media = SqlMedia(self.session)
        self.builds = SqlBuilds(self.session)
        self.reviews = SqlReviews(self.session)
        self.releases = SqlReleases(self.session)
        self.api_keys = SqlApiKeys(self.session)
        return self


def portal_unit_of_work(infrastructure: Infrastructure) -> SqlPortalUnitOfWork:
    return SqlPortalUnitOfWork(
        infrastructure.session_factory, infrastructure.source, clock=infrastructure.clock
    )

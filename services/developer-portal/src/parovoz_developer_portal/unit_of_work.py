"""The portal's unit of work: the kit's (one transaction + outbox) plus its repositories."""

from __future__ import annotations

from typing import Self

from parovoz_kit.clock import Clock
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.read_cache import ReadCache
from parovoz_kit.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parovoz_developer_portal.accounts.repository import SqlAccounts
from parovoz_developer_portal.api_keys.repository import SqlApiKeys
from parovoz_developer_portal.beta.repository import SqlBetaTests
from parovoz_developer_portal.builds.repository import SqlBuilds
from parovoz_developer_portal.games.repository import SqlGames
from parovoz_developer_portal.media.repository import SqlMedia
from parovoz_developer_portal.notifications.repository import SqlNotifications
from parovoz_developer_portal.pricing.repository import SqlGamePrices
from parovoz_developer_portal.releases.repository import SqlReleases
from parovoz_developer_portal.review.repository import SqlReviews
from parovoz_developer_portal.team.repository import SqlTeam

#: The channel the database's triggers (revision 0014) NOTIFY, and the triggers the read cache
#: needs before it turns itself on.
READ_CACHE_CHANNEL = "developer_portal_reads"
READ_CACHE_TRIGGERS = (
    "read_cache_games",
    "read_cache_game_metadata",
    "read_cache_team_members",
    "read_cache_games_truncate",
    "read_cache_game_metadata_truncate",
    "read_cache_team_members_truncate",
)


class SqlPortalUnitOfWork(UnitOfWork):
    accounts: SqlAccounts
    games: SqlGames
    prices: SqlGamePrices
    media: SqlMedia
    builds: SqlBuilds
    reviews: SqlReviews
    releases: SqlReleases
    api_keys: SqlApiKeys
    team: SqlTeam
    notifications: SqlNotifications
    beta: SqlBetaTests

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        source: str,
        *,
        clock: Clock | None = None,
        read_cache: ReadCache | None = None,
    ) -> None:
        super().__init__(session_factory, source, clock=clock)
        self._read_cache = read_cache

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.accounts = SqlAccounts(self.session)
        self.games = SqlGames(self.session, self._read_cache)
        self.prices = SqlGamePrices(self.session)
        self.media = SqlMedia(self.session)
        self.builds = SqlBuilds(self.session)
        self.reviews = SqlReviews(self.session)
        self.releases = SqlReleases(self.session)
        self.api_keys = SqlApiKeys(self.session)
        self.team = SqlTeam(self.session)
        self.notifications = SqlNotifications(self.session)
        self.beta = SqlBetaTests(self.session)
        return self


def portal_unit_of_work(infrastructure: Infrastructure) -> SqlPortalUnitOfWork:
    return SqlPortalUnitOfWork(
        infrastructure.session_factory,
        infrastructure.source,
        clock=infrastructure.clock,
        read_cache=read_cache(infrastructure),
    )


def read_cache(infrastructure: Infrastructure) -> ReadCache | None:
    """The process's cache of hot game reads (off when the settings say so)."""
    if not infrastructure.settings.read_cache_enabled:  # type: ignore[attr-defined]
        return None

    def new_cache() -> ReadCache:
        url = infrastructure.engine.url.set(drivername="postgresql")
        return ReadCache(
            url.render_as_string(hide_password=False), READ_CACHE_CHANNEL, READ_CACHE_TRIGGERS
        )

    return infrastructure.shared("read-cache", new_cache)

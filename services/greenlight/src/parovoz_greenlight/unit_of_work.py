"""greenlight's unit of work: the kit's (one transaction + outbox) plus its repositories."""

from __future__ import annotations

from typing import Self

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.uow import UnitOfWork

from parovoz_greenlight.appeals.repository import SqlAppeals
from parovoz_greenlight.fees.repository import SqlFees
from parovoz_greenlight.integrity.repository import SqlIntegrity
from parovoz_greenlight.moderation.repository import SqlModeration
from parovoz_greenlight.results.repository import SqlResults
from parovoz_greenlight.stats.repository import SqlStats
from parovoz_greenlight.submissions.repository import SqlSubmissions
from parovoz_greenlight.support.repository import SqlSupport
from parovoz_greenlight.voting.repository import SqlVotes


class SqlGreenlightUnitOfWork(UnitOfWork):
    submissions: SqlSubmissions
    fees: SqlFees
    moderation: SqlModeration
    votes: SqlVotes
    results: SqlResults
    integrity: SqlIntegrity
    appeals: SqlAppeals
    support: SqlSupport
    stats: SqlStats

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.submissions = SqlSubmissions(self.session)
        self.fees = SqlFees(self.session)
        self.moderation = SqlModeration(self.session)
        self.votes = SqlVotes(self.session)
        self.results = SqlResults(self.session)
        self.integrity = SqlIntegrity(self.session)
        self.appeals = SqlAppeals(self.session)
        self.support = SqlSupport(self.session)
        self.stats = SqlStats(self.session)
        return self


def greenlight_unit_of_work(infrastructure: Infrastructure) -> SqlGreenlightUnitOfWork:
    return SqlGreenlightUnitOfWork(
        infrastructure.session_factory, infrastructure.source, clock=infrastructure.clock
    )

"""The voting context's votes as results read them (``voting.service.votes_of`` /
``flag_votes``): the :class:`~parovoz_greenlight.results.service.Ballots` port's adapter.

``voting.service`` imports ``results.service`` (is the window open?), so it is imported here,
on first use, never by ``results.service``."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from parovoz_greenlight.results.domain import Tally
from parovoz_greenlight.results.service import ResultsUnitOfWork, VoteView


class VotingBallots:
    async def votes_of(
        self, uow: ResultsUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
    ) -> Sequence[VoteView]:
        from parovoz_greenlight.voting import service as voting

        return await voting.votes_of(uow, submission_id, window_id)  # type: ignore[arg-type]

    async def flag_votes(
        self, uow: ResultsUnitOfWork, vote_ids: Collection[uuid.UUID], reason: str
    ) -> None:
        from parovoz_greenlight.voting import service as voting

        await voting.flag_votes(uow, vote_ids, reason)  # type: ignore[arg-type]

    async def counts_of(
        self, uow: ResultsUnitOfWork, submission_id: uuid.UUID, window_id: uuid.UUID
    ) -> Tally:
        from parovoz_greenlight.voting import service as voting

        counts = await voting.counts_of(uow, submission_id, window_id)  # type: ignore[arg-type]
        return Tally(
            valid_votes=counts.valid_votes,
            removed_votes=counts.removed_votes,
            weighted_yes=counts.weighted_yes,
            weighted_no=counts.weighted_no,
        )

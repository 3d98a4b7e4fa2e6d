"""``sort=trending``'s score of a public submission: the lower bound of the 95 % Wilson
interval of the weighted yes share of its latest window (results' final tally once final, else
the window's valid votes counted now; 0 before any window)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from parovoz_greenlight.results.domain import tally
from parovoz_greenlight.results.service import counted
from parovoz_greenlight.submissions.domain import Submission
from parovoz_greenlight.voting.service import votes_of


def trending_scores(uow: Any) -> Callable[[Submission], Awaitable[float]]:
    """The score of a submission read in ``uow`` (the list's unit of work)."""

    async def score(submission: Submission) -> float:
        window = await uow.results.latest_of(submission.id)
        if window is None:
            return 0.0
        final = window.final_tally
        counts = (
            final
            if final is not None
            else tally(counted(await votes_of(uow, submission.id, window.id)))
        )
        lower, _ = counts.wilson()
        return float(lower)

    return score

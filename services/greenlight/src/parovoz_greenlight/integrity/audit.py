"""The integrity context's :class:`~parovoz_greenlight.results.service.Audit`: the manipulation
rules of :mod:`parovoz_greenlight.integrity.domain` over a window's votes together with the same
voters' votes on OTHER submissions cast while the window was open (voting's ``receipts``: the
rate limit counts all submissions, a lockstep ring shows across submissions), each voter's
account age fetched once from the user service (the :class:`AccountAges` port). Only votes of
the audited window are returned.

Results then flags what it returns through voting's ``flag_votes`` (weight 0)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from parovoz_greenlight.integrity.domain import (
    Findings,
    ManipulationReport,
    Reason,
    VoteFacts,
    examine,
    report_of,
)
from parovoz_greenlight.integrity.penalties import PenaltyRules
from parovoz_greenlight.integrity.rules import IntegrityRules
from parovoz_greenlight.integrity.service import Offence, penalize_offenders
from parovoz_greenlight.results.domain import Window
from parovoz_greenlight.results.service import ResultsUnitOfWork, VoteView

#: Receipts read a page at a time.
PAGE = 500


class AccountAges(Protocol):
    async def created_at(self, user_id: uuid.UUID) -> datetime | None: ...


def facts_of(vote: Any, account_created_at: datetime | None) -> VoteFacts:
    """A voting ``Vote`` (user, time, device fingerprint, IPv4 /24) as the rules see it."""
    return VoteFacts(
        id=vote.id,
        submission_id=vote.submission_id,
        user_id=vote.user_id,
        choice=str(vote.choice),
        created_at=vote.created_at,
        device_fingerprint=getattr(vote, "device_fingerprint", None),
        ip_prefix=getattr(vote, "ip_prefix", None),
        account_created_at=account_created_at,
    )


def offences_of(flagged: Mapping[uuid.UUID, Reason], facts: Sequence[VoteFacts]) -> list[Offence]:
    """The flagged votes grouped by voter: the rules each broke, how many, the last one's time."""
    by_id = {fact.id: fact for fact in facts}
    grouped: dict[uuid.UUID, list[tuple[VoteFacts, Reason]]] = {}
    for vote_id, reason in flagged.items():
        fact = by_id[vote_id]
        grouped.setdefault(fact.user_id, []).append((fact, reason))
    return [
        Offence(
            user_id=user_id,
            rules_broken=frozenset(reason.value for _, reason in theirs),
            votes=len(theirs),
            last_vote_at=max(fact.created_at for fact, _ in theirs),
        )
        for user_id, theirs in sorted(grouped.items(), key=lambda item: str(item[0]))
    ]


class Reports(Protocol):
    async def put(self, report: ManipulationReport) -> None: ...


class IntegrityAudit:
    """The audit: vote id -> reason (``rate_limit`` | ``burst`` | ``lockstep``)."""

    def __init__(
        self,
        rules: IntegrityRules,
        ages: AccountAges,
        *,
        reports: Callable[[ResultsUnitOfWork], Reports] | None = None,
        now: Callable[[], datetime] | None = None,
        penalties: PenaltyRules | None = None,
    ) -> None:
        """``reports``: where the window's manipulation report is stored (with ``now``);
        ``penalties``: penalize the flagged voters (with ``now``, through ``uow.integrity``)."""
        self._rules = rules
        self._ages = ages
        self._reports = reports
        self._now = now
        self._penalties = penalties

    async def flagged(
        self, uow: ResultsUnitOfWork, window: Window, votes: Sequence[VoteView]
    ) -> Mapping[uuid.UUID, str]:
        voters = {vote.user_id for vote in votes}  # type: ignore[attr-defined]
        ages = {user_id: await self._ages.created_at(user_id) for user_id in voters}
        mine = {vote.id for vote in votes}
        facts = [facts_of(vote, ages[vote.user_id]) for vote in votes]  # type: ignore[attr-defined]
        for user_id in voters:
            for other in await self._others(uow, user_id, window):
                if other.id not in mine:
                    facts.append(facts_of(other, ages[user_id]))
        found = examine(facts, self._rules)
        findings = Findings(
            flagged={k: v for k, v in found.flagged.items() if k in mine}, counts=found.counts
        )
        if self._reports is not None and self._now is not None:
            report = report_of(window.id, window.submission_id, len(mine), findings, self._now())
            await self._reports(uow).put(report)
        if self._penalties is not None and self._now is not None and findings.flagged:
            offences = offences_of(findings.flagged, facts)
            await penalize_offenders(
                uow,  # type: ignore[arg-type]  # the greenlight unit of work has `integrity`
                window_id=window.id,
                submission_id=window.submission_id,
                offences=offences,
                now=self._now(),
                rules=self._penalties,
            )
        return {vote_id: reason.value for vote_id, reason in findings.flagged.items()}

    async def _others(
        self, uow: ResultsUnitOfWork, user_id: uuid.UUID, window: Window
    ) -> list[Any]:
        """The voter's votes cast in the window's span (widened by the rules' periods)."""
        from parovoz_greenlight.voting import service as voting

        margin = max(self._rules.rate_period, self._rules.lockstep_period)
        start, end = window.opens_at - margin, window.closes_at + margin
        found: list[Any] = []
        after: tuple[datetime, uuid.UUID] | None = (end, uuid.UUID(int=(1 << 128) - 1))
        while after is not None:
            page = await voting.receipts(uow, user_id, after, PAGE)  # type: ignore[arg-type]
            found.extend(v for v in page.votes if v.created_at >= start)
            if page.votes and page.votes[-1].created_at < start:
                break
            after = page.next_after
        return found

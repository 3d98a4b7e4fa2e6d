"""IntegrityAudit over fakes: the voters' votes on other submissions count for the rules but
only the audited window's votes are returned; the report is stored; one age lookup per voter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_greenlight.integrity.audit import IntegrityAudit
from parovoz_greenlight.integrity.domain import ManipulationReport
from parovoz_greenlight.results.domain import Window, WindowStatus
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.voting import service as voting

RULES = GreenlightSettings().integrity_rules()
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@dataclass
class FakeVote:
    id: uuid.UUID
    submission_id: uuid.UUID
    user_id: uuid.UUID
    choice: str
    created_at: datetime
    weight: int = 10
    device_fingerprint: str | None = None
    ip_prefix: str | None = None


class Ages:
    def __init__(self) -> None:
        self.asked: list[uuid.UUID] = []

    async def created_at(self, user_id: uuid.UUID) -> datetime | None:
        self.asked.append(user_id)
        return T0 - timedelta(days=400)


class Reports:
    def __init__(self) -> None:
        self.stored: list[ManipulationReport] = []

    async def put(self, report: ManipulationReport) -> None:
        self.stored.append(report)


async def test_a_ring_across_submissions_is_flagged_in_the_audited_window_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target, other_a, other_b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    window = Window(
        id=uuid.uuid4(),
        submission_id=target,
        number=1,
        opens_at=T0,
        closes_at=T0 + timedelta(days=30),
        status=WindowStatus.AUDIT,
    )
    ring = [uuid.uuid4(), uuid.uuid4()]
    every: dict[uuid.UUID, list[FakeVote]] = {u: [] for u in ring}
    for k, sub in enumerate((target, other_a, other_b)):
        for j, user in enumerate(ring):
            at = T0 + timedelta(days=1, hours=k, minutes=j)
            every[user].append(FakeVote(uuid.uuid4(), sub, user, "yes", at))
    honest = FakeVote(uuid.uuid4(), target, uuid.uuid4(), "yes", T0 + timedelta(days=1))
    every[honest.user_id] = [honest]
    in_window = [v for votes in every.values() for v in votes if v.submission_id == target]

    async def receipts(uow: Any, user_id: uuid.UUID, after: Any, limit: int) -> Any:
        found = sorted(every[user_id], key=lambda v: v.created_at, reverse=True)
        return voting.ReceiptPage(found, None)  # type: ignore[arg-type]

    monkeypatch.setattr(voting, "receipts", receipts)
    ages, reports = Ages(), Reports()
    audit = IntegrityAudit(RULES, ages, reports=lambda uow: reports, now=lambda: T0)
    flagged = await audit.flagged(object(), window, in_window)  # type: ignore[arg-type]

    assert flagged == {v.id: "lockstep" for v in in_window if v.user_id in ring}
    assert sorted(ages.asked, key=str) == sorted(every, key=str)
    [report] = reports.stored
    assert (report.window_id, report.submission_id) == (window.id, target)
    assert report.votes_examined == len(in_window)
    assert (report.rate_limit_votes, report.burst_votes, report.lockstep_votes) == (0, 0, 2)
    assert set(report.flagged_vote_ids) == set(flagged)

"""The audit's own penalties over in-memory fakes: a first offence is a warning, a repeat within
the warning memory a short voting suspension, after a suspension the long one; one per user and
window (a rerun issues nothing); the reason names the rules and the submission; never
published; appealable; the audit penalizes exactly the voters it flagged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_greenlight.integrity import service
from parovoz_greenlight.integrity.audit import IntegrityAudit
from parovoz_greenlight.integrity.penalties import (
    AUDIT_ISSUER,
    Penalty,
    PenaltyType,
    automatic_penalty,
)
from parovoz_greenlight.integrity.service import Offence
from parovoz_greenlight.results.domain import Window, WindowStatus
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.voting import service as voting

from .test_integrity_penalties import FakeRepo, FakeUow

SETTINGS = GreenlightSettings(environment="test")
RULES = SETTINGS.penalty_rules()
INTEGRITY = SETTINGS.integrity_rules()
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
SHORT, LONG = min(RULES.voting_suspension_days), max(RULES.voting_suspension_days)
T = PenaltyType


class OnceRepo(FakeRepo):
    async def add_penalty_once(self, penalty: Penalty) -> bool:
        if any(
            p.user_id == penalty.user_id and p.window_id == penalty.window_id
            for p in self.rows.values()
        ):
            return False
        self.rows[penalty.id] = penalty
        return True


def uow() -> FakeUow:
    fake = FakeUow()
    fake.integrity = OnceRepo()
    return fake


def earlier(type_: T, at: datetime, *, revoked: bool = False) -> Penalty:
    return Penalty(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        type=type_,
        reason="раньше",
        submission_id=None,
        issued_by=uuid.uuid4(),
        starts_at=at,
        ends_at=None,
        revoked_at=at if revoked else None,
    )


def test_a_first_offence_is_a_warning() -> None:
    assert automatic_penalty([], NOW, RULES) == (T.WARNING, None)


def test_a_recent_warning_makes_the_next_offence_a_short_suspension() -> None:
    edge = NOW - RULES.warning_memory
    assert automatic_penalty([earlier(T.WARNING, edge)], NOW, RULES) == (
        T.VOTING_SUSPENSION,
        SHORT,
    )
    forgotten = earlier(T.WARNING, edge - timedelta(seconds=1))
    assert automatic_penalty([forgotten], NOW, RULES) == (T.WARNING, None)


@pytest.mark.parametrize("type_", [T.VOTING_SUSPENSION, T.ACCOUNT_SUSPENSION, T.PERMANENT_BAN])
def test_after_a_suspension_the_long_one(type_: T) -> None:
    long_ago = NOW - RULES.warning_memory * 3
    assert automatic_penalty([earlier(type_, long_ago)], NOW, RULES) == (
        T.VOTING_SUSPENSION,
        LONG,
    )


def test_revoked_penalties_and_those_issued_after_the_offence_do_not_count() -> None:
    history = [
        earlier(T.VOTING_SUSPENSION, NOW - timedelta(days=3), revoked=True),
        earlier(T.WARNING, NOW),  # issued for the same campaign, not before it
        earlier(T.VOTING_SUSPENSION, NOW + timedelta(days=1)),
    ]
    assert automatic_penalty(history, NOW, RULES) == (T.WARNING, None)


def offence(user: uuid.UUID, at: datetime = NOW, *rules: str) -> Offence:
    return Offence(user, frozenset(rules or ("burst",)), 3, at)


async def penalize(fake: FakeUow, window: uuid.UUID, sub: uuid.UUID, *offences: Offence) -> Any:
    return await service.penalize_offenders(
        fake,  # type: ignore[arg-type]
        window_id=window,
        submission_id=sub,
        offences=offences,
        now=NOW + timedelta(days=31),
        rules=RULES,
    )


async def test_one_penalty_per_user_and_window_and_a_repeat_suspends() -> None:
    fake, user, sub = uow(), uuid.uuid4(), uuid.uuid4()
    first_window, second_window = uuid.uuid4(), uuid.uuid4()
    [warning] = await penalize(fake, first_window, sub, offence(user, NOW, "burst", "lockstep"))
    assert (warning.type, warning.ends_at, warning.window_id) == (T.WARNING, None, first_window)
    assert warning.issued_by == AUDIT_ISSUER and warning.automatic
    assert warning.submission_id == sub and str(sub) in warning.reason
    assert "burst" in warning.reason and "lockstep" in warning.reason
    assert await penalize(fake, first_window, sub, offence(user)) == []  # a rerun
    assert len(fake.integrity.rows) == 1

    # Votes flagged in another window but cast before the warning: no second offence.
    [again] = await penalize(fake, uuid.uuid4(), sub, offence(user, NOW - timedelta(days=1)))
    assert again.type is T.WARNING
    # Cast after the warning: suspended for the short period.
    later = warning.starts_at + timedelta(days=2)
    [suspension] = await penalize(fake, second_window, sub, offence(user, later, "rate_limit"))
    assert suspension.type is T.VOTING_SUSPENSION
    assert suspension.ends_at == suspension.starts_at + timedelta(days=SHORT)
    assert "rate_limit" in suspension.reason
    [long] = await penalize(
        fake, uuid.uuid4(), sub, offence(user, suspension.starts_at + timedelta(days=40))
    )
    assert long.type is T.VOTING_SUSPENSION
    assert long.ends_at == long.starts_at + timedelta(days=LONG)
    assert fake.events == [] and fake.commits == 0  # never published; the audit commits


async def test_an_automatic_penalty_is_appealed_like_a_manual_one() -> None:
    fake, user = uow(), uuid.uuid4()
    [warning] = await penalize(fake, uuid.uuid4(), uuid.uuid4(), offence(user))
    appealed = await service.appeal_penalty(
        fake,  # type: ignore[arg-type]
        penalty_id=warning.id,
        user_id=user,
        text="Я голосовал честно.",
        now=warning.starts_at + timedelta(days=1),
        rules=RULES,
    )
    assert appealed.appealed_at is not None and appealed.window_id == warning.window_id


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
    async def created_at(self, user_id: uuid.UUID) -> datetime | None:
        return NOW - timedelta(days=400)


async def test_the_audit_penalizes_the_voters_it_flagged_in_its_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = uuid.uuid4()
    window = Window(uuid.uuid4(), target, 1, NOW, NOW + timedelta(days=30), WindowStatus.AUDIT)
    spammer, honest = uuid.uuid4(), uuid.uuid4()
    every = {
        spammer: [
            FakeVote(uuid.uuid4(), uuid.uuid4(), spammer, "yes", NOW + timedelta(minutes=i))
            for i in range(INTEGRITY.rate_limit_votes)
        ],
        honest: [FakeVote(uuid.uuid4(), target, honest, "no", NOW + timedelta(hours=3))],
    }
    mine = FakeVote(uuid.uuid4(), target, spammer, "yes", NOW + timedelta(minutes=40))
    every[spammer].append(mine)

    async def receipts(uow: Any, user_id: uuid.UUID, after: Any, limit: int) -> Any:
        found = sorted(every[user_id], key=lambda v: v.created_at, reverse=True)
        return voting.ReceiptPage(found, None)  # type: ignore[arg-type]

    monkeypatch.setattr(voting, "receipts", receipts)
    fake = uow()
    final = window.closes_at + timedelta(days=1)
    audit = IntegrityAudit(INTEGRITY, Ages(), now=lambda: final, penalties=RULES)
    in_window = [mine, every[honest][0]]
    flagged = await audit.flagged(fake, window, in_window)  # type: ignore[arg-type]
    assert flagged == {mine.id: "rate_limit"}
    [penalty] = fake.integrity.rows.values()
    assert (penalty.user_id, penalty.type, penalty.window_id) == (spammer, T.WARNING, window.id)
    assert penalty.starts_at == final and "rate_limit" in penalty.reason
    again = await audit.flagged(fake, window, in_window)  # type: ignore[arg-type]
    assert again == flagged and len(fake.integrity.rows) == 1
    quiet = IntegrityAudit(INTEGRITY, Ages(), now=lambda: final)  # no penalties asked for
    untouched = uow()
    other_window = replace(window, id=uuid.uuid4())
    assert await quiet.flagged(untouched, other_window, in_window) == flagged  # type: ignore[arg-type]
    assert untouched.integrity.rows == {}

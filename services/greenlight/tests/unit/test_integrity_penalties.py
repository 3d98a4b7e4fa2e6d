"""Penalties' domain and use cases with an in-memory unit of work: durations, who may do what,
an appeal once and in time, the event for the two published types only, voting's port."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_events.greenlight import UserPenalized
from parovoz_greenlight.integrity import service
from parovoz_greenlight.integrity.penalties import (
    AppealDecision,
    Penalty,
    PenaltyType,
)
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_kit.errors import BusinessRuleViolation, NotFound, PermissionDenied, ValidationFailed

RULES = GreenlightSettings(environment="test").penalty_rules()
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MOD = ("moderator",)


class FakeRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Penalty] = {}

    async def add_penalty(self, penalty: Penalty) -> None:
        self.rows[penalty.id] = penalty

    async def save_penalty(self, penalty: Penalty) -> None:
        self.rows[penalty.id] = penalty

    async def penalty(self, penalty_id: uuid.UUID, *, for_update: bool = False) -> Penalty | None:
        return self.rows.get(penalty_id)

    async def penalties_of(self, user_id: uuid.UUID) -> Sequence[Penalty]:
        return [p for p in self.rows.values() if p.user_id == user_id]

    async def penalties_in_force(self, user_id: uuid.UUID, now: datetime) -> Sequence[Penalty]:
        return [p for p in self.rows.values() if p.user_id == user_id and p.in_force(now)]


class FakeUow:
    def __init__(self) -> None:
        self.integrity = FakeRepo()
        self.events: list[Any] = []
        self.commits = 0

    def emit(self, item: Any, *, subject: str | None = None, topic: str | None = None) -> None:
        self.events.append(item)

    async def commit(self) -> None:
        self.commits += 1

    async def __aenter__(self) -> FakeUow:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


async def issue(
    uow: FakeUow,
    type_: PenaltyType,
    days: int | None = None,
    *,
    user_id: uuid.UUID | None = None,
    roles: tuple[str, ...] = MOD,
    now: datetime = NOW,
) -> Penalty:
    return await service.issue_penalty(
        uow,
        issued_by=uuid.uuid4(),
        roles=roles,
        user_id=user_id or uuid.uuid4(),
        type_=type_,
        reason="Накрутка",
        submission_id=None,
        duration_days=days,
        now=now,
        rules=RULES,
    )


def test_settings_give_product_defaults() -> None:
    assert RULES.voting_suspension_days == (7, 30)
    assert RULES.appeal_period == timedelta(days=30)


@pytest.mark.parametrize("days", [7, 30])
async def test_voting_suspension_lasts_7_or_30_days(days: int) -> None:
    penalty = await issue(FakeUow(), PenaltyType.VOTING_SUSPENSION, days)
    assert penalty.ends_at == NOW + timedelta(days=days)


@pytest.mark.parametrize("days", [None, 6, 8, 14, 31])
async def test_voting_suspension_other_lengths_refused(days: int | None) -> None:
    with pytest.raises(ValidationFailed):
        await issue(FakeUow(), PenaltyType.VOTING_SUSPENSION, days)


async def test_account_suspension_needs_a_duration_and_ban_has_none() -> None:
    uow = FakeUow()
    with pytest.raises(ValidationFailed):
        await issue(uow, PenaltyType.ACCOUNT_SUSPENSION)
    with pytest.raises(ValidationFailed):
        await issue(uow, PenaltyType.ACCOUNT_SUSPENSION, 0)
    with pytest.raises(ValidationFailed):
        await issue(uow, PenaltyType.PERMANENT_BAN, 7)
    with pytest.raises(ValidationFailed):
        await issue(uow, PenaltyType.WARNING, 7)
    suspension = await issue(uow, PenaltyType.ACCOUNT_SUSPENSION, 14)
    assert suspension.ends_at == NOW + timedelta(days=14)
    assert (await issue(uow, PenaltyType.PERMANENT_BAN)).ends_at is None


@pytest.mark.parametrize("roles", [(), ("curator",), ("support",)])
async def test_only_moderator_or_admin_penalize(roles: tuple[str, ...]) -> None:
    uow = FakeUow()
    with pytest.raises(PermissionDenied):
        await issue(uow, PenaltyType.WARNING, roles=roles)
    assert uow.integrity.rows == {}
    assert (await issue(uow, PenaltyType.WARNING, roles=("admin",))).type is PenaltyType.WARNING


async def test_event_only_for_account_suspension_and_ban() -> None:
    uow = FakeUow()
    await issue(uow, PenaltyType.WARNING)
    await issue(uow, PenaltyType.VOTING_SUSPENSION, 7)
    assert uow.events == []
    suspension = await issue(uow, PenaltyType.ACCOUNT_SUSPENSION, 10)
    ban = await issue(uow, PenaltyType.PERMANENT_BAN)
    assert [type(e) for e in uow.events] == [UserPenalized, UserPenalized]
    first, second = uow.events
    assert (first.penalty_id, first.penalty_type, first.ends_at) == (
        suspension.id,
        "account_suspension",
        suspension.ends_at,
    )
    assert (second.penalty_id, second.penalty_type, second.ends_at) == (
        ban.id,
        "permanent_ban",
        None,
    )


async def test_only_admin_revokes_and_only_once() -> None:
    uow = FakeUow()
    penalty = await issue(uow, PenaltyType.VOTING_SUSPENSION, 7)
    with pytest.raises(PermissionDenied):
        await service.revoke_penalty(
            uow, penalty_id=penalty.id, revoked_by=uuid.uuid4(), roles=MOD, now=NOW
        )
    revoked = await service.revoke_penalty(
        uow, penalty_id=penalty.id, revoked_by=uuid.uuid4(), roles=("admin",), now=NOW
    )
    assert not revoked.in_force(NOW)
    with pytest.raises(BusinessRuleViolation):
        await service.revoke_penalty(
            uow, penalty_id=penalty.id, revoked_by=uuid.uuid4(), roles=("admin",), now=NOW
        )
    with pytest.raises(NotFound):
        await service.revoke_penalty(
            uow, penalty_id=uuid.uuid4(), revoked_by=uuid.uuid4(), roles=("admin",), now=NOW
        )


async def appeal(uow: FakeUow, penalty: Penalty, user_id: uuid.UUID, now: datetime) -> Penalty:
    return await service.appeal_penalty(
        uow, penalty_id=penalty.id, user_id=user_id, text="Честно", now=now, rules=RULES
    )


async def test_appeal_by_the_penalized_user_once_within_30_days() -> None:
    uow = FakeUow()
    user = uuid.uuid4()
    penalty = await issue(uow, PenaltyType.VOTING_SUSPENSION, 30, user_id=user)
    with pytest.raises(NotFound):
        await appeal(uow, penalty, uuid.uuid4(), NOW)
    appealed = await appeal(uow, penalty, user, NOW + timedelta(days=30))
    assert appealed.appealed_at == NOW + timedelta(days=30)
    with pytest.raises(BusinessRuleViolation) as again:
        await appeal(uow, penalty, user, NOW + timedelta(days=30))
    assert again.value.code == "PENALTY_ALREADY_APPEALED"


async def test_appeal_after_30_days_refused() -> None:
    uow = FakeUow()
    user = uuid.uuid4()
    penalty = await issue(uow, PenaltyType.WARNING, user_id=user)
    with pytest.raises(BusinessRuleViolation) as late:
        await appeal(uow, penalty, user, NOW + timedelta(days=30, seconds=1))
    assert late.value.code == "PENALTY_APPEAL_DEADLINE_PASSED"


async def test_appeal_decision_upholds_or_revokes() -> None:
    uow = FakeUow()
    user = uuid.uuid4()
    kept = await issue(uow, PenaltyType.VOTING_SUSPENSION, 7, user_id=user)
    lifted = await issue(uow, PenaltyType.PERMANENT_BAN, user_id=user)

    async def decide(p: Penalty, decision: AppealDecision, roles: tuple[str, ...] = MOD) -> Penalty:
        return await service.decide_appeal(
            uow, penalty_id=p.id, decision=decision, decided_by=uuid.uuid4(), roles=roles, now=NOW
        )

    with pytest.raises(BusinessRuleViolation):
        await decide(kept, AppealDecision.UPHELD)  # not appealed yet
    await appeal(uow, kept, user, NOW)
    await appeal(uow, lifted, user, NOW)
    with pytest.raises(PermissionDenied):
        await decide(kept, AppealDecision.REVOKED, ("curator",))
    upheld = await decide(kept, AppealDecision.UPHELD)
    assert upheld.in_force(NOW) and upheld.appeal_decision is AppealDecision.UPHELD
    with pytest.raises(BusinessRuleViolation):
        await decide(kept, AppealDecision.REVOKED)  # decided once
    revoked = await decide(lifted, AppealDecision.REVOKED)
    assert not revoked.in_force(NOW) and revoked.revoked_at == NOW


async def until(port: service.UowPenalties, user: uuid.UUID, now: datetime) -> Any:
    """The port's answer: None (not suspended), the end, or "forever" (a ban)."""
    suspension = await port.voting_suspension(user, now)
    if suspension is None:
        return None
    return "forever" if suspension.permanent else suspension.until


async def test_voting_port_blocks_until_the_end_and_forever_for_a_ban() -> None:
    uow = FakeUow()
    user = uuid.uuid4()
    port = service.UowPenalties(lambda: uow)
    await issue(uow, PenaltyType.WARNING, user_id=user)
    assert await until(port, user, NOW) is None
    suspension = await issue(uow, PenaltyType.VOTING_SUSPENSION, 7, user_id=user)
    assert await until(port, user, NOW) == suspension.ends_at
    assert await until(port, user, NOW + timedelta(days=7)) is None
    other = uuid.uuid4()
    await issue(uow, PenaltyType.VOTING_SUSPENSION, 30, user_id=other)
    await issue(uow, PenaltyType.PERMANENT_BAN, user_id=other)
    # A ban outlasts every dated suspension: for good, with no instant standing in for "never".
    assert await until(port, other, NOW) == "forever"
    assert await until(port, other, NOW + timedelta(days=3650)) == "forever"
    ban = await port.voting_suspension(other, NOW)
    assert ban is not None and ban.until is None


async def test_a_revoked_penalty_cannot_be_appealed_nor_blocks_voting() -> None:
    uow = FakeUow()
    user = uuid.uuid4()
    penalty = await issue(uow, PenaltyType.ACCOUNT_SUSPENSION, 30, user_id=user)
    port = service.UowPenalties(lambda: uow)
    assert await until(port, user, NOW) == NOW + timedelta(days=30)
    await service.revoke_penalty(
        uow, penalty_id=penalty.id, revoked_by=uuid.uuid4(), roles=("admin",), now=NOW
    )
    assert await until(port, user, NOW) is None
    with pytest.raises(BusinessRuleViolation) as refused:
        await appeal(uow, penalty, user, NOW)
    assert refused.value.code == "PENALTY_APPEAL_NOT_ALLOWED"


async def test_nobody_decides_the_appeal_of_their_own_penalty() -> None:
    uow = FakeUow()
    moderator = uuid.uuid4()
    penalty = await issue(uow, PenaltyType.WARNING, user_id=moderator)
    await appeal(uow, penalty, moderator, NOW)
    with pytest.raises(PermissionDenied):
        await service.decide_appeal(
            uow,
            penalty_id=penalty.id,
            decision=AppealDecision.REVOKED,
            decided_by=moderator,
            roles=MOD,
            now=NOW,
        )
    assert uow.integrity.rows[penalty.id].appeal_decision is None

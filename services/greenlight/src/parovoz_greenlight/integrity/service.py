"""Penalty use cases (one async function per action, over the unit of work), and the
``Penalties`` port voting asks whether a user may vote."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from parovoz_events.greenlight import UserPenalized
from parovoz_kit.errors import NotFound, PermissionDenied

from parovoz_greenlight.integrity.penalties import (
    AUDIT_ISSUER,
    STAFF_ROLES,
    AppealDecision,
    Penalty,
    PenaltyRules,
    PenaltyType,
    automatic_penalty,
    automatic_reason,
    penalty_end,
    require_staff,
)
from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.voting.domain import Suspension


class PenaltyRepository(Protocol):
    async def add_penalty(self, penalty: Penalty) -> None: ...

    async def save_penalty(self, penalty: Penalty) -> None: ...

    async def penalty(
        self, penalty_id: uuid.UUID, *, for_update: bool = False
    ) -> Penalty | None: ...

    async def penalties_of(self, user_id: uuid.UUID) -> Sequence[Penalty]: ...

    async def penalties_in_force(self, user_id: uuid.UUID, now: datetime) -> Sequence[Penalty]: ...

    async def add_penalty_once(self, penalty: Penalty) -> bool:
        """Insert unless the user already has a penalty of the penalty's window (False)."""
        ...


class PenaltyUnitOfWork(UnitOfWorkPort, Protocol):
    integrity: PenaltyRepository


def _not_found() -> NotFound:
    return NotFound("The penalty was not found.", code="PENALTY_NOT_FOUND")


def _event(penalty: Penalty) -> UserPenalized:
    return UserPenalized(
        user_id=penalty.user_id,
        penalty_id=penalty.id,
        penalty_type="permanent_ban"
        if penalty.type is PenaltyType.PERMANENT_BAN
        else "account_suspension",
        reason=penalty.reason,
        submission_id=penalty.submission_id,
        penalized_at=penalty.starts_at,
        ends_at=penalty.ends_at,
        appealable=True,
    )


async def issue_penalty(
    uow: PenaltyUnitOfWork,
    *,
    issued_by: uuid.UUID,
    roles: Collection[str],
    user_id: uuid.UUID,
    type_: PenaltyType,
    reason: str,
    submission_id: uuid.UUID | None,
    duration_days: int | None,
    now: datetime,
    rules: PenaltyRules,
) -> Penalty:
    """A moderator or admin penalizes a user; the two published types emit the event."""
    require_staff(tuple(roles))
    penalty = Penalty(
        id=uuid.uuid4(),
        user_id=user_id,
        type=type_,
        reason=reason,
        submission_id=submission_id,
        issued_by=issued_by,
        starts_at=now,
        ends_at=penalty_end(type_, now, duration_days, rules),
    )
    await uow.integrity.add_penalty(penalty)
    if penalty.published:
        uow.emit(_event(penalty))
    await uow.commit()
    return penalty


async def penalties_of(
    uow: PenaltyUnitOfWork, *, user_id: uuid.UUID, roles: Collection[str]
) -> Sequence[Penalty]:
    """Staff (moderator, admin, support, curator) read a user's penalties."""
    require_staff(tuple(roles), *STAFF_ROLES, "support", "curator")
    return await uow.integrity.penalties_of(user_id)


async def my_penalties(uow: PenaltyUnitOfWork, user_id: uuid.UUID) -> Sequence[Penalty]:
    return await uow.integrity.penalties_of(user_id)


async def _change(
    uow: PenaltyUnitOfWork, penalty_id: uuid.UUID, change: Callable[[Penalty], Penalty]
) -> Penalty:
    penalty = await uow.integrity.penalty(penalty_id, for_update=True)
    if penalty is None:
        raise _not_found()
    changed = change(penalty)
    await uow.integrity.save_penalty(changed)
    await uow.commit()
    return changed


async def revoke_penalty(
    uow: PenaltyUnitOfWork,
    *,
    penalty_id: uuid.UUID,
    revoked_by: uuid.UUID,
    roles: Collection[str],
    now: datetime,
) -> Penalty:
    """An admin lifts a penalty."""
    require_staff(tuple(roles), "admin")
    return await _change(uow, penalty_id, lambda p: p.revoke(revoked_by, now))


async def appeal_penalty(
    uow: PenaltyUnitOfWork,
    *,
    penalty_id: uuid.UUID,
    user_id: uuid.UUID,
    text: str,
    now: datetime,
    rules: PenaltyRules,
) -> Penalty:
    """The penalized user appeals, once, within the appeal period (another user: 404)."""
    penalty = await uow.integrity.penalty(penalty_id, for_update=True)
    if penalty is None or penalty.user_id != user_id:
        raise _not_found()
    changed = penalty.appeal(user_id, text, now, rules)
    await uow.integrity.save_penalty(changed)
    await uow.commit()
    return changed


async def decide_appeal(
    uow: PenaltyUnitOfWork,
    *,
    penalty_id: uuid.UUID,
    decision: AppealDecision,
    decided_by: uuid.UUID,
    roles: Collection[str],
    now: datetime,
) -> Penalty:
    """A moderator or admin upholds or revokes an appealed penalty (not their own)."""
    require_staff(tuple(roles))

    def change(penalty: Penalty) -> Penalty:
        if penalty.user_id == decided_by:
            raise PermissionDenied(
                "Nobody decides the appeal of their own penalty.", code="PENALTY_NOT_AUTHORIZED"
            )
        return penalty.decide_appeal(decision, decided_by, now)

    return await _change(uow, penalty_id, change)


@dataclass(frozen=True)
class Offence:
    """A voter's votes the audit of one window flagged."""

    user_id: uuid.UUID
    #: The audit rules that flagged them (``rate_limit``, ``burst``, ``lockstep``).
    rules_broken: frozenset[str]
    votes: int
    #: When the last of them was cast.
    last_vote_at: datetime


async def penalize_offenders(
    uow: PenaltyUnitOfWork,
    *,
    window_id: uuid.UUID,
    submission_id: uuid.UUID,
    offences: Sequence[Offence],
    now: datetime,
    rules: PenaltyRules,
) -> list[Penalty]:
    """The audit's own penalties, in the audit's transaction (the caller commits): each voter
    flagged in the window gets one, keyed (user, window) so a rerun or a second runner never
    issues it twice — a WARNING first, a voting suspension for a repeat offence
    (:func:`~parovoz_greenlight.integrity.penalties.automatic_penalty`). Not published (only
    account suspensions and bans are, and those stay a moderator's); appealable like any."""
    issued: list[Penalty] = []
    for offence in offences:
        history = await uow.integrity.penalties_of(offence.user_id)
        if any(p.window_id == window_id for p in history):
            continue  # this window's audit penalized them already
        type_, days = automatic_penalty(history, offence.last_vote_at, rules)
        penalty = Penalty(
            id=uuid.uuid4(),
            user_id=offence.user_id,
            type=type_,
            reason=automatic_reason(offence.rules_broken, offence.votes, submission_id),
            submission_id=submission_id,
            issued_by=AUDIT_ISSUER,
            starts_at=now,
            ends_at=penalty_end(type_, now, days, rules),
            window_id=window_id,
        )
        if await uow.integrity.add_penalty_once(penalty):
            issued.append(penalty)
    return issued


class UowPenalties:
    """Voting's ``Penalties`` port: the penalties in force blocking voting, as one suspension
    until the latest end (a ban: for good, ``until`` None)."""

    def __init__(self, open_uow: Callable[[], Any]) -> None:
        self._open_uow = open_uow

    async def voting_suspension(self, user_id: uuid.UUID, now: datetime) -> Suspension | None:
        async with self._open_uow() as uow:
            in_force = await uow.integrity.penalties_in_force(user_id, now)
        blocking = [p for p in in_force if p.blocks_voting(now)]
        if not blocking:
            return None
        ends = [p.ends_at for p in blocking]
        return Suspension(None if None in ends else max(e for e in ends if e is not None))

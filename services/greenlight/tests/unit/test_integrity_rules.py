"""The manipulation rules (integrity.domain) at their exact boundaries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from parovoz_greenlight.integrity.domain import (
    Reason,
    VoteFacts,
    burst,
    examine,
    lockstep,
    rate_limit,
)
from parovoz_greenlight.integrity.rules import IntegrityRules
from parovoz_greenlight.settings import GreenlightSettings

RULES = GreenlightSettings().integrity_rules()
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
OLD = T0 - timedelta(days=400)
YOUNG = T0 - timedelta(days=10)


def vote(
    *,
    user: uuid.UUID | None = None,
    submission: uuid.UUID | None = None,
    at: datetime = T0,
    choice: str = "yes",
    created: datetime | None = OLD,
    device: str | None = None,
    ip: str | None = None,
) -> VoteFacts:
    return VoteFacts(
        id=uuid.uuid4(),
        submission_id=submission or uuid.uuid4(),
        user_id=user or uuid.uuid4(),
        choice=choice,
        created_at=at,
        device_fingerprint=device,
        ip_prefix=ip,
        account_created_at=created,
    )


def test_settings_carry_product_defaults() -> None:
    assert RULES == IntegrityRules(
        rate_limit_votes=30,
        rate_period=timedelta(hours=1),
        burst_votes=20,
        burst_period=timedelta(minutes=10),
        young_account_age=timedelta(days=90),
        lockstep_min_shared=3,
        lockstep_period=timedelta(minutes=5),
    )


# --- rate limit --------------------------------------------------------------------------------


def test_thirty_votes_in_an_hour_pass_the_thirty_first_is_flagged() -> None:
    user = uuid.uuid4()
    votes = [vote(user=user, at=T0 + timedelta(minutes=i)) for i in range(31)]
    assert rate_limit(votes[:30], RULES) == set()
    assert rate_limit(votes, RULES) == {votes[30].id}


def test_votes_an_hour_apart_are_not_in_the_same_hour() -> None:
    user = uuid.uuid4()
    first = vote(user=user, at=T0)
    rest = [vote(user=user, at=T0 + timedelta(hours=1), submission=uuid.uuid4()) for _ in range(30)]
    assert rate_limit([first, *rest], RULES) == set()
    almost = vote(user=user, at=T0 + timedelta(seconds=1))
    flagged = rate_limit([almost, *rest], RULES)
    assert len(flagged) == 1 and flagged <= {v.id for v in rest}


def test_rate_limit_counts_each_user_apart() -> None:
    votes = [vote(at=T0 + timedelta(minutes=i)) for i in range(40)]
    assert rate_limit(votes, RULES) == set()


# --- burst -------------------------------------------------------------------------------------


def test_twenty_young_votes_in_ten_minutes_pass_twenty_one_are_flagged() -> None:
    sub = uuid.uuid4()
    votes = [
        vote(submission=sub, created=YOUNG, at=T0 + timedelta(seconds=30 * i)) for i in range(21)
    ]
    # The 21st lands exactly 10 minutes after the first: still "within 10 minutes".
    assert votes[20].created_at - votes[0].created_at == timedelta(minutes=10)
    assert burst(votes[:20], RULES) == set()
    assert burst(votes, RULES) == {v.id for v in votes}


def test_twenty_one_young_votes_over_more_than_ten_minutes_pass() -> None:
    sub = uuid.uuid4()
    votes = [
        vote(submission=sub, created=YOUNG, at=T0 + timedelta(seconds=30 * i)) for i in range(20)
    ]
    late = vote(submission=sub, created=YOUNG, at=T0 + timedelta(minutes=10, seconds=1))
    assert burst([*votes, late], RULES) == set()


def test_old_accounts_with_their_own_devices_are_no_burst() -> None:
    sub = uuid.uuid4()
    votes = [
        vote(submission=sub, at=T0 + timedelta(seconds=i), device=f"d{i}", ip=f"10.0.{i}.0/24")
        for i in range(50)
    ]
    assert burst(votes, RULES) == set()


def test_an_account_ninety_days_old_is_not_young() -> None:
    sub = uuid.uuid4()
    votes = [
        vote(submission=sub, at=T0 + timedelta(seconds=i), created=T0 - timedelta(days=90))
        for i in range(25)
    ]
    assert burst(votes, RULES) == set()
    younger = [
        vote(
            submission=sub,
            at=T0 + timedelta(seconds=i),
            created=T0 - timedelta(days=90) + timedelta(seconds=i + 1),
        )
        for i in range(25)
    ]
    assert burst(younger, RULES) == {v.id for v in younger}


def test_shared_device_or_subnet_makes_a_burst() -> None:
    sub = uuid.uuid4()
    by_device = [
        vote(submission=sub, at=T0 + timedelta(seconds=i), device="farm") for i in range(21)
    ]
    by_ip = [
        vote(submission=sub, at=T0 + timedelta(seconds=i), ip="203.0.113.0/24") for i in range(21)
    ]
    assert burst(by_device, RULES) == {v.id for v in by_device}
    assert burst(by_ip, RULES) == {v.id for v in by_ip}
    assert burst(by_ip[:20], RULES) == set()


# --- lockstep ----------------------------------------------------------------------------------


def ring(users: list[uuid.UUID], subs: list[uuid.UUID], gap: timedelta) -> list[VoteFacts]:
    return [
        vote(user=u, submission=s, at=T0 + timedelta(hours=k) + gap * j)
        for k, s in enumerate(subs)
        for j, u in enumerate(users)
    ]


def test_three_shared_votes_within_five_minutes_are_lockstep() -> None:
    users, subs = [uuid.uuid4() for _ in range(3)], [uuid.uuid4() for _ in range(3)]
    votes = ring(users, subs, timedelta(minutes=2, seconds=30))  # first and last 5 min apart
    assert lockstep(votes, RULES) == {v.id for v in votes}
    assert lockstep([v for v in votes if v.submission_id != subs[2]], RULES) == set()


def test_more_than_five_minutes_apart_or_other_choice_is_no_lockstep() -> None:
    users, subs = [uuid.uuid4() for _ in range(2)], [uuid.uuid4() for _ in range(3)]
    apart = ring(users, subs, timedelta(minutes=5, seconds=1))
    assert lockstep(apart, RULES) == set()
    together = ring(users, subs, timedelta(minutes=1))
    differ = [
        vote(user=v.user_id, submission=v.submission_id, at=v.created_at, choice="no")
        if v.user_id == users[1] and v.submission_id == subs[0]
        else v
        for v in together
    ]
    assert lockstep(differ, RULES) == set()


def test_examine_keeps_the_first_reason_and_counts_per_rule() -> None:
    sub = uuid.uuid4()
    young = [vote(submission=sub, created=YOUNG, at=T0 + timedelta(seconds=i)) for i in range(21)]
    honest = vote(submission=sub, at=T0)
    found = examine([*young, honest], RULES)
    assert found.flagged == {v.id: Reason.BURST for v in young}
    assert found.counts == {Reason.RATE_LIMIT: 0, Reason.BURST: 21, Reason.LOCKSTEP: 0}

"""The circuit breaker's state machine, driven by a clock the test moves (never sleeps)."""

from __future__ import annotations

import pytest
from parovoz_kit.errors import Unavailable
from parovoz_kit.grpc.breaker import BreakerState, CircuitBreaker, CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def changes() -> list[BreakerState]:
    return []


@pytest.fixture
def breaker(clock: Clock, changes: list[BreakerState]) -> CircuitBreaker:
    return CircuitBreaker(
        "peer",
        failure_threshold=3,
        reset_timeout_seconds=10,
        clock=clock,
        on_state_change=changes.append,
    )


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.record_failure()


def test_it_opens_after_the_threshold_of_consecutive_failures(breaker, changes) -> None:
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED

    fail(breaker, 1)

    assert breaker.state is BreakerState.OPEN and changes == [BreakerState.OPEN]
    with pytest.raises(CircuitOpen) as caught:
        breaker.before_call()
    assert isinstance(caught.value, Unavailable) and caught.value.code == "CIRCUIT_OPEN"


def test_a_success_resets_the_failure_count(breaker: CircuitBreaker) -> None:
    fail(breaker, 2)
    breaker.before_call()
    breaker.record_success()
    fail(breaker, 2)

    assert breaker.state is BreakerState.CLOSED


def test_it_stays_open_until_the_reset_timeout(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 9.9

    with pytest.raises(CircuitOpen):
        breaker.before_call()
    assert breaker.state is BreakerState.OPEN


def test_half_open_admits_one_trial_and_closes_on_success(breaker, clock, changes) -> None:
    fail(breaker, 3)
    clock.now += 10

    breaker.before_call()  # the trial
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # others wait for the trial's answer
    breaker.record_success()

    assert breaker.state is BreakerState.CLOSED
    assert changes == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]
    breaker.before_call()  # closed: admitted


def test_a_failed_trial_reopens_for_a_new_timeout(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 10
    fail(breaker, 1)

    assert breaker.state is BreakerState.OPEN
    clock.now += 9
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 1
    breaker.before_call()
    assert breaker.state is BreakerState.HALF_OPEN


def test_a_trial_that_ends_without_verdict_lets_the_next_call_try(breaker, clock) -> None:
    fail(breaker, 3)
    clock.now += 10
    breaker.before_call()
    breaker.record_neutral()  # e.g. the caller was cancelled

    breaker.before_call()

    assert breaker.state is BreakerState.HALF_OPEN


def test_nonsense_settings_are_refused(clock: Clock) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker("peer", failure_threshold=0, clock=clock)

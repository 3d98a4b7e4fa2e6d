"""A circuit breaker per peer: stop calling a peer that keeps failing, try again later.

closed ──N consecutive failures──▶ open ──reset timeout──▶ half-open (one trial call)
half-open: trial succeeds → closed; trial fails → open again (a new reset timeout).

Written here rather than taken from a library: the asyncio breakers on PyPI read the wall
clock directly (tests would have to sleep through the reset timeout) and let every call
through when half-open, where we want exactly one trial. The state is per process: each
replica judges the peer by its own calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import IntEnum

from parovoz_kit.errors import Unavailable


class BreakerState(IntEnum):
    # The values are the breaker gauge's values.
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


class CircuitOpen(Unavailable):
    """The peer is considered down; the call was not attempted."""

    default_code = "CIRCUIT_OPEN"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        on_state_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        if failure_threshold < 1 or reset_timeout_seconds <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_timeout_seconds > 0")
        self.name = name
        self._threshold = failure_threshold
        self._reset_timeout = reset_timeout_seconds
        self._clock = clock
        self._on_state_change = on_state_change
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        return self._state

    def before_call(self) -> bool:
        """Admit a call or raise :class:`CircuitOpen`; an admitted call must report back.

        Returns True when the call is the half-open trial.
        """
        if self._state is BreakerState.CLOSED:
            return False
        if self._state is BreakerState.OPEN:
            if self._clock() - self._opened_at < self._reset_timeout:
                raise self._open_error()
            self._set_state(BreakerState.HALF_OPEN)
        # Half-open: one trial at a time; the others fail fast until it has answered.
        if self._trial_in_flight:
            raise self._open_error()
        self._trial_in_flight = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._trial_in_flight = False
        if self._state is not BreakerState.CLOSED:
            self._set_state(BreakerState.CLOSED)

    def record_failure(self) -> None:
        self._trial_in_flight = False
        if self._state is BreakerState.HALF_OPEN:
            self._open()
            return
        self._failures += 1
        if self._state is BreakerState.CLOSED and self._failures >= self._threshold:
            self._open()

    def record_neutral(self) -> None:
        """The call ended without telling whether the peer is healthy (e.g. cancelled)."""
        self._trial_in_flight = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._failures = 0
        self._set_state(BreakerState.OPEN)

    def _set_state(self, state: BreakerState) -> None:
        self._state = state
        if self._on_state_change is not None:
            self._on_state_change(state)

    def _open_error(self) -> CircuitOpen:
        return CircuitOpen(f"{self.name} is unavailable; calls are paused for a while.")

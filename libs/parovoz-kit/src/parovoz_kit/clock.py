"""The one clock every service reads time from.

Thirty-day windows, trials, dunning, idempotency expiry and job periods all depend on
"now". Reading it through a :class:`Clock` lets tests move time instead of sleeping,
and lets local runs shift time with an offset setting — which production refuses, so a
stray offset can never bill someone a month early.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Anything that says what time it is, always as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time plus a fixed offset (zero outside tests and local runs)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def __repr__(self) -> str:
        return f"SystemClock(offset={self.offset!r})"


class ManualClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _as_utc(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = _as_utc(moment)

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"


#: Same thing under the name tests often look for.
FrozenClock = ManualClock


class ClockOffsetRefused(ValueError):
    """A non-zero clock offset was configured for production."""


def clock_from_settings(settings: Any) -> SystemClock:
    """Build the service clock from ``clock_offset_seconds`` and ``environment``.

    Takes any settings object so it works before and after the field exists on
    ``ServiceSettings`` (a missing field means no offset).
    """
    offset_seconds = int(getattr(settings, "clock_offset_seconds", 0) or 0)
    environment = str(getattr(settings, "environment", "development"))
    if offset_seconds and environment == "production":
        raise ClockOffsetRefused(
            f"clock_offset_seconds={offset_seconds} is refused in production; "
            "time may only be shifted in development and test"
        )
    return SystemClock(timedelta(seconds=offset_seconds))


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a clock needs an aware datetime; naive times are ambiguous")
    return moment.astimezone(UTC)

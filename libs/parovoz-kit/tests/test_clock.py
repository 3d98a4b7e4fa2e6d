"""The service clock: offset honoured outside production, refused in it; manual clock moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from parovoz_kit.clock import (
    Clock,
    ClockOffsetRefused,
    ManualClock,
    SystemClock,
    clock_from_settings,
)


def test_offset_is_added_to_wall_clock_time() -> None:
    clock = clock_from_settings(
        SimpleNamespace(clock_offset_seconds=30 * 86400, environment="test")
    )
    shifted = clock.now() - datetime.now(UTC)
    assert timedelta(days=30) - timedelta(seconds=5) < shifted <= timedelta(days=30)
    assert clock.now().tzinfo is not None


def test_offset_is_refused_in_production(kit_settings) -> None:
    settings = SimpleNamespace(clock_offset_seconds=60, environment="production")
    with pytest.raises(ClockOffsetRefused, match="production"):
        clock_from_settings(settings)
    # Real ServiceSettings (with or without the field yet) in production and no offset: fine.
    production = kit_settings(
        environment="production",
        database_url="postgresql://x:y@h/d",
        s3_secret_key="real",
        auth_client_secret="real",
    )
    assert clock_from_settings(production).offset == timedelta(0)
    # ServiceSettings itself refuses an offset in production, before any clock is built.
    with pytest.raises(ValueError, match="clock_offset_seconds"):
        kit_settings(
            environment="production",
            database_url="postgresql://x:y@h/d",
            s3_secret_key="real",
            auth_client_secret="real",
            clock_offset_seconds=60,
        )


def test_no_offset_means_system_time(kit_settings) -> None:
    clock = clock_from_settings(kit_settings())
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert isinstance(clock, Clock)


def test_manual_clock_moves_only_when_told() -> None:
    start = datetime(2025, 1, 31, 23, 59, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == start
    assert clock.advance(timedelta(minutes=2)) == datetime(2025, 2, 1, 0, 1, tzinfo=UTC)
    clock.set(datetime(2025, 3, 1, 3, 0, tzinfo=UTC))
    assert clock.now().month == 3
    with pytest.raises(ValueError, match="aware"):
        ManualClock(datetime(2025, 1, 1))


def test_system_clock_repr_shows_offset() -> None:
    assert "offset" in repr(SystemClock(timedelta(hours=1)))


def test_production_refuses_committed_development_secrets(kit_settings) -> None:
    with pytest.raises(ValueError, match="auth_client_secret"):
        kit_settings(
            environment="production",
            database_url="postgresql://x:y@h/d",
            s3_secret_key="real",
            auth_client_secret="payment-dev-secret",
        )

"""merge_handlers: one handler map for one consumer group from several contexts' maps."""

from __future__ import annotations

from typing import Any

import pytest
from parovoz_kit.events import Event, merge_handlers


def _recorder(name: str, calls: list[tuple[str, Any, Any, Any]], *, fail: bool = False) -> Any:
    async def handle(session: Any, data: Any, event: Any) -> None:
        calls.append((name, session, data, event))
        if fail:
            raise RuntimeError(name)

    return handle


async def test_a_type_in_several_maps_runs_each_handler_in_order_with_the_same_arguments() -> None:
    calls: list[tuple[str, Any, Any, Any]] = []
    merged = merge_handlers(
        {"a.v1": _recorder("review", calls), "b.v1": _recorder("accounts", calls)},
        {"a.v1": _recorder("notifications", calls)},
    )
    session, data, event = object(), object(), object()
    await merged["a.v1"](session, data, event)  # type: ignore[arg-type]
    assert calls == [("review", session, data, event), ("notifications", session, data, event)]


async def test_a_type_only_one_map_knows_keeps_its_own_handler() -> None:
    calls: list[tuple[str, Any, Any, Any]] = []
    only = _recorder("accounts", calls)
    merged = merge_handlers({"b.v1": only}, {"a.v1": _recorder("notifications", calls)})
    assert merged["b.v1"] is only
    assert set(merged) == {"a.v1", "b.v1"}
    assert merge_handlers() == {}


async def test_a_failing_handler_stops_the_rest_and_fails_the_event() -> None:
    calls: list[tuple[str, Any, Any, Any]] = []
    merged = merge_handlers(
        {"a.v1": _recorder("first", calls, fail=True)}, {"a.v1": _recorder("second", calls)}
    )
    with pytest.raises(RuntimeError, match="first"):
        await merged["a.v1"](object(), object(), Event.__new__(Event))  # type: ignore[arg-type]
    assert [name for name, *_ in calls] == ["first"]

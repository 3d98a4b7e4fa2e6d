"""Several contexts of one service reacting to the same event type in one consumer group.

A service has ONE consumer group per topic (``<service>.<topic>``), so when two of its contexts
care about the same event type (a moderation decision moves a version in ``review`` and puts a
line in the developer's ``notifications``), their handler maps are merged::

    handlers = merge_handlers(review_handlers(infra), notification_handlers(infra))

The merged handler of a type runs each context's handler in the order the maps are given, with
the same session, inside the consumer's one inbox transaction: the effects commit together with
the inbox row, or none of them does (a failure of any rolls all back, and the consumer retries
the event as a whole). A type only one map knows keeps that map's handler as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_kit.events.consumer import Handler
from parovoz_kit.events.envelope import Event


def _in_order(handlers: tuple[Handler, ...]) -> Handler:
    async def handle(session: AsyncSession, data: Any, event: Event) -> None:
        for handler in handlers:
            await handler(session, data, event)

    return handle


def merge_handlers(*maps: Mapping[str, Handler]) -> dict[str, Handler]:
    """One handler map: for each event type, every given map's handler, run in order."""
    collected: dict[str, list[Handler]] = {}
    for handlers in maps:
        for event_type, handler in handlers.items():
            collected.setdefault(event_type, []).append(handler)
    return {
        event_type: found[0] if len(found) == 1 else _in_order(tuple(found))
        for event_type, found in collected.items()
    }

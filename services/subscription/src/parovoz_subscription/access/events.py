"""Consumer of developer.events.v1: the games read model (age rating, regions, published,
release date)."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_kit.events import Handler
from parovoz_kit.infrastructure import Infrastructure


def developer_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return {}

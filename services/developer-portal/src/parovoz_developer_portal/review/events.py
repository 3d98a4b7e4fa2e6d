"""review's consumers: moderation decisions (``admin.events.v1``) and greenlight decisions
(``greenlight.events.v1``)."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_kit.events import Handler
from parovoz_kit.infrastructure import Infrastructure


def admin_moderation_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return {}


def greenlight_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return {}

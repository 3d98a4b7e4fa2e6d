"""Consumer of payment.events.v1: the submission fee paid, cancelled or refunded."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_kit.events import Handler
from parovoz_kit.infrastructure import Infrastructure


def payment_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return {}

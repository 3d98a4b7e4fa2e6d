"""Consumer of payment.events.v1: settles subscription charges (first payments, renewals,
upgrades, card checks) and refunds."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_kit.events import Handler
from parovoz_kit.infrastructure import Infrastructure


def payment_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return {}

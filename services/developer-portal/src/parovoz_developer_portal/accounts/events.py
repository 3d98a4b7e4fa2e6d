"""accounts' consumer of ``admin.events.v1``: a verified studio becomes active, on the
direct publishing track."""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_kit.events import Handler
from parovoz_kit.infrastructure import Infrastructure


def admin_account_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return {}

"""What licenses' use cases get from the rest of the service: the access decision (access's
``decide``, CheckAccess's) and the keyring, one per process."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access import service as access
from parovoz_subscription.access.ports import access_ports
from parovoz_subscription.licenses.service import AccessAnswer, AccessDecider, LicensesUnitOfWork

#: The name of the decider in ``infrastructure.shared`` (a test may put its own there first).
DECIDER = "license-access-decider"


def license_decider(infrastructure: Infrastructure) -> AccessDecider:
    return infrastructure.shared(DECIDER, lambda: _AccessDecision(infrastructure))


class _AccessDecision:
    """CheckAccess's decision, in the license's unit of work."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure

    async def __call__(
        self,
        uow: LicensesUnitOfWork,
        user_id: uuid.UUID,
        game_id: uuid.UUID,
        device_id: str,
        region: str | None,
        now: datetime,
    ) -> AccessAnswer:
        decision: AccessAnswer = await access.decide(
            cast(access.AccessUnitOfWork, uow),
            access_ports(self._infrastructure),
            user_id,
            game_id,
            device_id,
            region,
            now,
        )
        return decision

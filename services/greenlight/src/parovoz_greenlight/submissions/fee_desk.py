"""The fees context behind submissions' ``FeeDesk`` port: ``fees.service.start_fee`` and
``refund_fee`` with payment's gRPC client and the fee rules."""

from __future__ import annotations

import uuid
from typing import Any

from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.clients.payment import payment_client
from parovoz_greenlight.fees.service import refund_fee, start_fee
from parovoz_greenlight.submissions.domain import Submission
from parovoz_greenlight.submissions.service import FeeToPay


class FeesContext:
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure

    async def start(self, uow: Any, submission: Submission) -> FeeToPay:
        started = await start_fee(
            uow,
            payment_client(self._infrastructure),
            submission,
            now=self._infrastructure.clock.now(),
        )
        return FeeToPay(started.fee_id, started.payment_id, started.confirmation_url)

    async def refund(self, uow: Any, submission: Submission, requested_by: uuid.UUID) -> None:
        await refund_fee(
            uow,
            payment_client(self._infrastructure),
            submission,
            requested_by,
            now=self._infrastructure.clock.now(),
        )


def fees_context(infrastructure: Infrastructure) -> FeesContext:
    return infrastructure.shared("submissions-fee-desk", lambda: FeesContext(infrastructure))

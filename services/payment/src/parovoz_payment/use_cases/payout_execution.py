"""Paying held developer payouts out: the ``payouts-execute`` job and the provider's answers.

The job's mechanics (claim, send or poll, refusals) are ``payout_sending``'s; a developer's
payout goes to the bank account developer-portal answers for its payout method
(``GetPayoutMethod``), looked up at sending time and never kept beyond its masked snapshot.

The outcome — from the create answer, a notification or the poll, whichever comes first — is
applied once on the locked row: succeeded → hold to payout clearing, ``completed``; canceled →
hold back to available, ``failed`` with the reason.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Protocol

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound, ValidationFailed
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.clients.providers.payouts import PROVIDER, YooKassaPayouts
from parovoz_payment.db.payouts import SqlPayouts
from parovoz_payment.domain.payouts import (
    BankDetails,
    MaskedDestination,
    Payout,
    PayoutFailure,
    PayoutTiming,
    ProviderPayout,
    ProviderPayoutStatus,
    cancellation,
)
from parovoz_payment.domain.providers import ProviderNotification
from parovoz_payment.use_cases.payout_ledger import (
    audit_payout,
    clear_payout,
    release_payout,
    status_event,
)
from parovoz_payment.use_cases.payout_sending import DestinationUnavailable, PayoutRun
from parovoz_payment.use_cases.streamer_payout_execution import apply_streamer_payout

log = logging.getLogger(__name__)

JOB_ACTOR = "system:payouts-execute"
DESCRIPTION = "Выплата разработчику Parovoz"


class PayoutMethods(Protocol):
    async def payout_method(
        self, developer_id: uuid.UUID, payout_method_id: uuid.UUID
    ) -> BankDetails | None: ...


@dataclass(frozen=True)
class DeveloperPayouts:
    """Developer payouts as the job sends them (:class:`PayoutKind`): to the bank account of
    the developer's payout method."""

    description = DESCRIPTION
    payouts = SqlPayouts
    run: PayoutRun
    methods: PayoutMethods

    async def destination(self, payout: Payout) -> BankDetails:
        request = payout.request
        try:
            details = await self.methods.payout_method(
                request.developer_id, request.payout_method_id
            )
        except ValidationFailed:
            details = None
        if details is None:
            raise DestinationUnavailable("The payout method does not exist any more.")
        if details.currency != payout.amount.currency:
            raise DestinationUnavailable(f"The payout method's account is in {details.currency}.")
        return details

    def metadata(self, payout: Payout) -> dict[str, str]:
        return {
            "payout_request_id": str(payout.request.payout_request_id),
            "developer_id": str(payout.request.developer_id),
        }

    async def fail(self, payout: Payout, failure: PayoutFailure, message: str) -> bool:
        async with self.run.unit_of_work() as uow:
            payouts = SqlPayouts(uow.session)
            before = await payouts.get(payout.id, for_update=True)
            if before is None:
                raise NotFound("The payout does not exist.", code="PAYOUT_NOT_FOUND")
            if before.is_final or before.provider_payout_id is not None:
                return before.is_final  # decided meanwhile; a sent one is the provider's to decide
            current = before.fail(failure, message, self.run.clock.now())
            await release_payout(uow.session, current)
            await payouts.save(current)
            uow.emit(status_event(current))
            await audit_payout(uow.session, JOB_ACTOR, "payout.failed", before, current)
            await uow.commit()
        return True

    async def apply(
        self, payout: Payout, confirmed: ProviderPayout, details: BankDetails | None
    ) -> bool:
        run = self.run
        applied = await apply_provider_payout(
            run.unit_of_work, run.clock, payout.id, confirmed, actor=JOB_ACTOR,
            destination=details.masked() if details else None, poll_after=run.timing.poll_after,
        )  # fmt: skip
        return applied.is_final


async def apply_provider_payout(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payout_id: uuid.UUID,
    confirmed: ProviderPayout,
    *,
    actor: str,
    destination: MaskedDestination | None = None,
    poll_after: timedelta = PayoutTiming.poll_after,
) -> Payout:
    """What the provider says of the payout, applied once on the locked row."""
    async with unit_of_work() as uow:
        session = uow.session
        payouts = SqlPayouts(session)
        before = await payouts.get(payout_id, for_update=True)
        if before is None:
            raise NotFound("The payout does not exist.", code="PAYOUT_NOT_FOUND")
        if confirmed.payout_id not in (None, payout_id) or before.provider_payout_id not in (
            None,
            confirmed.provider_payout_id,
        ):
            log.warning(
                "provider payout %s is not payout %s", confirmed.provider_payout_id, payout_id
            )
            return before
        if not before.moved_on_by(confirmed):
            # A duplicate, a poll crossing a notification, or still pending: nothing to apply;
            # keep the masked destination if a notification beat the sender's commit.
            if destination is not None and before.destination is None:
                await payouts.save(replace(before, destination=destination))
                await uow.commit()
            return before
        now = clock.now()
        current = before.sent(PROVIDER, confirmed.provider_payout_id, destination, now)
        if confirmed.status is ProviderPayoutStatus.SUCCEEDED:
            current = current.complete(now)
            await clear_payout(session, current)
        elif confirmed.status is ProviderPayoutStatus.CANCELED:
            current = current.fail(*cancellation(confirmed), now)
            await release_payout(session, current)
        await payouts.save(current, next_attempt_at=None if current.is_final else now + poll_after)
        if current.is_final:
            uow.emit(status_event(current))
        action = {"completed": "payout.completed", "failed": "payout.failed"}
        await audit_payout(
            session, actor, action.get(current.status.value, "payout.sent"), before, current
        )
        await uow.commit()
    return current


async def settle_payout_notification(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    provider: YooKassaPayouts,
    notification: ProviderNotification,
) -> None:
    """A verified ``payout.*`` notification: the payout's state read back from the provider
    (the notification only says which one changed), then applied."""
    try:
        confirmed = await provider.get_payout(notification.provider_object_id)
    except NotFound:
        log.warning("payout notification for unknown provider payout")
        return
    if confirmed.payout_id is None:
        log.warning("provider payout %s names no payout of ours", confirmed.provider_payout_id)
        return
    try:
        await apply_provider_payout(
            unit_of_work, clock, confirmed.payout_id, confirmed, actor=f"provider:{PROVIDER}"
        )
    except NotFound:
        # Not a developer's: a streamer's payout, or another environment's (answered as
        # taken, retrying could never apply it).
        if not await apply_streamer_payout(unit_of_work, clock, confirmed.payout_id, confirmed):
            log.warning("payout notification for unknown payout %s", confirmed.payout_id)

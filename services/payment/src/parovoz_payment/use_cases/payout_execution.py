"""Paying held payouts out: the ``payouts-execute`` job and the provider's answers.

Each run claims due payouts (row lease, ``FOR UPDATE SKIP LOCKED``: two runners never take the
same one), then per payout, outside any transaction:

- not sent yet → bank details from developer-portal (``GetPayoutMethod``), the provider call
  with ``Idempotence-Key`` = payout id (a crash before our commit only means the next run asks
  again and gets the same payout back), its id recorded;
- sent and not finished → the provider asked (``GET``): the notification may have been lost.

The outcome — from the create answer, a notification or the poll, whichever comes first — is
applied once on the locked row: succeeded → hold to payout clearing, ``completed``; canceled →
hold back to available, ``failed`` with the reason. Unreachable peers leave the payout for the
next run; only a definite answer (no such payout method, a refusal) fails it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound, ParovozError, ValidationFailed
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.clients.providers.payouts import PROVIDER, YooKassaPayouts, refusal_failure
from parovoz_payment.clients.providers.yookassa_http import YooKassaRefused
from parovoz_payment.db.payouts import SqlPayouts
from parovoz_payment.domain.payouts import (
    DEFAULT_TIMING,
    BankDetails,
    MaskedDestination,
    Payout,
    PayoutFailure,
    PayoutTiming,
    ProviderPayout,
    ProviderPayoutStatus,
    failure_from_provider,
)
from parovoz_payment.domain.providers import ProviderNotification
from parovoz_payment.use_cases.payout_ledger import (
    audit_payout,
    clear_payout,
    release_payout,
    status_event,
)
from parovoz_payment.use_cases.streamer_payout_execution import apply_streamer_payout

log = logging.getLogger(__name__)

JOB_ACTOR = "system:payouts-execute"
DESCRIPTION = "Выплата разработчику Parovoz"


class PayoutMethods(Protocol):
    async def payout_method(
        self, developer_id: uuid.UUID, payout_method_id: uuid.UUID
    ) -> BankDetails | None: ...


async def execute_payouts(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    methods: PayoutMethods,
    provider: YooKassaPayouts,
    timing: PayoutTiming = DEFAULT_TIMING,
) -> int:
    """The job: sends or re-checks every due payout; returns how many it finished."""
    async with unit_of_work() as uow:
        claimed = await SqlPayouts(uow.session).claim_due(clock.now(), timing.lease, timing.batch)
        await uow.commit()
    finished = 0
    for payout in claimed:
        try:
            if payout.provider_payout_id is None:
                outcome = await _send(unit_of_work, clock, methods, provider, payout, timing)
            else:
                confirmed = await provider.get_payout(payout.provider_payout_id)
                outcome = await apply_provider_payout(
                    unit_of_work, clock, payout.id, confirmed, actor=JOB_ACTOR
                )
        except ParovozError as error:  # a peer is down: the lease lapses, the next run retries
            log.warning("payout %s not advanced: %s", payout.id, error.code)
            continue
        finished += outcome.is_final
    return finished


async def _send(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    methods: PayoutMethods,
    provider: YooKassaPayouts,
    payout: Payout,
    timing: PayoutTiming,
) -> Payout:
    request = payout.request
    try:
        details = await methods.payout_method(request.developer_id, request.payout_method_id)
    except ValidationFailed:
        details = None
    if details is None:
        return await fail_payout(
            unit_of_work, clock, payout.id, PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
            "The payout method does not exist any more.", actor=JOB_ACTOR,
        )  # fmt: skip
    if details.currency != payout.amount.currency:
        return await fail_payout(
            unit_of_work, clock, payout.id, PayoutFailure.PAYOUT_METHOD_UNAVAILABLE,
            f"The payout method's account is in {details.currency}.", actor=JOB_ACTOR,
        )  # fmt: skip
    metadata = {
        "payout_request_id": str(request.payout_request_id),
        "developer_id": str(request.developer_id),
    }
    try:
        answer = await provider.create_payout(
            payout.id, payout.amount, details, DESCRIPTION, metadata
        )
    except YooKassaRefused as refused:
        if refused.key_reused:
            # Another body under this key: the first request may have paid. Never release the
            # hold on a guess; a person looks (the row stays processing, the lease retries).
            log.error("payout %s: provider saw other details under its key", payout.id)
            raise
        return await fail_payout(
            unit_of_work, clock, payout.id, refusal_failure(refused), refused.detail,
            actor=JOB_ACTOR,
        )  # fmt: skip
    return await apply_provider_payout(
        unit_of_work, clock, payout.id, answer, actor=JOB_ACTOR,
        destination=details.masked(), poll_after=timing.poll_after,
    )  # fmt: skip


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
        if before.is_final or (
            confirmed.status is ProviderPayoutStatus.PENDING and before.provider_payout_id
        ):
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
            reason = confirmed.cancellation_reason
            current = current.fail(
                failure_from_provider(reason), f"The provider cancelled it: {reason}.", now
            )
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


async def fail_payout(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payout_id: uuid.UUID,
    failure: PayoutFailure,
    message: str,
    *,
    actor: str,
) -> Payout:
    """Before the provider has it: ``failed``, the hold returned."""
    async with unit_of_work() as uow:
        payouts = SqlPayouts(uow.session)
        before = await payouts.get(payout_id, for_update=True)
        if before is None:
            raise NotFound("The payout does not exist.", code="PAYOUT_NOT_FOUND")
        if before.is_final or before.provider_payout_id is not None:
            return before  # decided meanwhile; a sent payout is decided by the provider only
        current = before.fail(failure, message, clock.now())
        await release_payout(uow.session, current)
        await payouts.save(current)
        uow.emit(status_event(current))
        await audit_payout(uow.session, actor, "payout.failed", before, current)
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

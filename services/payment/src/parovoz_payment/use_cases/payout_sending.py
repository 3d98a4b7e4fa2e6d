"""Paying held payouts out through the provider's payouts API: the mechanics developer payouts
(``payout_execution``) and streamer payouts (``streamer_payout_execution``) share.

A job run claims its due payouts (a row lease, ``db/payout_sending.py``: two runners never take
the same one), then per payout, outside any transaction:

- not sent yet → its destination found, the provider called with ``Idempotence-Key`` = payout
  id (a crash before our commit only means the next run asks again and gets the same payout
  back), the answer applied;
- sent and not finished → the provider asked (``GET``): the notification may have been lost.

A :class:`PayoutKind` says the rest: where its money goes, what the provider's metadata names,
how a payout fails before the provider has it and how an answer is applied on the locked row
(its ledger, events and audit). A peer that cannot be reached leaves the payout for the next run;
only a definite answer (no destination, a refusal) fails it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from parovoz_kit.clock import Clock
from parovoz_kit.errors import ParovozError
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.providers.payouts import YooKassaPayouts, refusal_failure
from parovoz_payment.clients.providers.yookassa_http import YooKassaRefused
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payouts import (
    DEFAULT_TIMING,
    BankDetails,
    PayoutFailure,
    PayoutTiming,
    ProviderPayout,
)
from parovoz_payment.domain.streamer_payouts import WalletDestination

log = logging.getLogger(__name__)


class HeldPayout(Protocol):
    """A claimed payout, developer's or streamer's, as the job sees it."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def amount(self) -> Money: ...

    @property
    def provider_payout_id(self) -> str | None: ...


P = TypeVar("P", bound=HeldPayout)
P_co = TypeVar("P_co", bound=HeldPayout, covariant=True)
#: Where the money goes: a developer's bank account or a streamer's YooMoney wallet.
D = TypeVar("D", BankDetails, WalletDestination)


class DuePayouts(Protocol[P_co]):
    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> Sequence[P_co]: ...


class DestinationUnavailable(Exception):
    """The payout has nowhere to go: it fails as ``payout_method_unavailable`` with this
    message (a definite answer, unlike a peer that cannot be reached)."""


@dataclass(frozen=True)
class PayoutRun:
    """What one run of a payout job works with, whichever kind it pays."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock
    provider: YooKassaPayouts
    timing: PayoutTiming = DEFAULT_TIMING


class PayoutKind(Protocol[P, D]):
    """What developer and streamer payouts do each their own way. ``fail`` and ``apply``
    answer whether the payout is final now."""

    run: PayoutRun
    #: What the provider shows the recipient.
    description: str
    #: The kind's repository.
    payouts: Callable[[AsyncSession], DuePayouts[P]]

    async def destination(self, payout: P) -> D:
        """Where the money goes, for this one call; ``DestinationUnavailable`` when nowhere."""
        ...

    def metadata(self, payout: P) -> Mapping[str, str]: ...

    async def fail(self, payout: P, failure: PayoutFailure, message: str) -> bool:
        """Before the provider has it: ``failed``, the hold returned."""
        ...

    async def apply(self, payout: P, confirmed: ProviderPayout, destination: D | None) -> bool:
        """What the provider says (``destination``: where it was just sent, None on a poll),
        applied once on the locked row."""
        ...


async def execute_due_payouts(kind: PayoutKind[P, D]) -> int:
    """One run of the kind's job: claims its due payouts, sends each one not sent yet and asks
    the provider about the others; returns how many it finished."""
    run, timing = kind.run, kind.run.timing
    async with run.unit_of_work() as uow:
        claimed = await kind.payouts(uow.session).claim_due(
            run.clock.now(), timing.lease, timing.batch
        )
        await uow.commit()
    finished = 0
    for payout in claimed:
        try:
            if payout.provider_payout_id is None:
                finished += await send_payout(kind, payout)
            else:
                confirmed = await run.provider.get_payout(payout.provider_payout_id)
                finished += await kind.apply(payout, confirmed, None)
        except ParovozError as error:  # a peer is down: the lease lapses, the next run retries
            log.warning("payout %s not advanced: %s", payout.id, error.code)
    return finished


async def send_payout(kind: PayoutKind[P, D], payout: P) -> bool:
    """The payout to the provider: its destination found (none: it fails), the create call
    under the payout id as key, the answer applied — or, refused, failed."""
    try:
        destination = await kind.destination(payout)
    except DestinationUnavailable as unavailable:
        return await kind.fail(payout, PayoutFailure.PAYOUT_METHOD_UNAVAILABLE, str(unavailable))
    try:
        answer = await kind.run.provider.create_payout(
            payout.id, payout.amount, destination, kind.description, kind.metadata(payout)
        )
    except YooKassaRefused as refused:
        if refused.key_reused:
            # Another body under this key: the first request may have paid. Never return the
            # hold on a guess; a person looks (the row stays processing, the lease retries).
            log.error("payout %s: provider saw other details under its key", payout.id)
            raise
        return await kind.fail(payout, refusal_failure(refused), refused.detail)
    return await kind.apply(payout, answer, destination)

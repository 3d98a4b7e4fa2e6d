"""The preorder use cases a user (or developer-portal's events) starts: preorder a game not yet
released, read one's preorders, cancel one before the release; the release and the
unpublication of a game. Charging the remainder and returning money is the release job's
(``use_cases.preorder_release``): a consumer only flags, a user's cancel refunds right after
its commit and leaves any failure to the job.

A preorder is stored before its prepayment payment (purpose ``preorder``, ``reference`` = the
preorder id, metadata ``preorder_id``, ``preorder_part`` = ``prepayment`` | ``remainder`` and
``preorder_paid_in_full`` = ``true`` when that payment completes the price). So the library
knows a preorder is paid for from ``payment.payment.succeeded.v1``: purpose ``preorder``,
``preorder_paid_in_full`` true (the full prepayment, or the remainder charged at the release);
a cancelled preorder's money comes back as ``payment.refund.succeeded.v1`` with reason
``preorder_cancelled``.

Preorders take a card-like method (no wallet, coupons or gift cards): the remainder of a
partial one is charged off-session to the method saved with its prepayment.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import BusinessRuleViolation, NotFound, ParovozError
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.currency_rates import SqlCurrencyRates
from parovoz_payment.db.preorders import SqlGameReleases, SqlPreorders
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.payment_purposes import Origin, Route
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.preorders import (
    PAID_IN_FULL_METADATA,
    Preorder,
    PreorderCancelReason,
    PreorderRules,
    PreorderStatus,
    PrepaymentKind,
    new_preorder,
)
from parovoz_payment.domain.pricing import game_purchase_price
from parovoz_payment.use_cases.fraud import FraudScreen
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment
from parovoz_payment.use_cases.preorder_ledger import PART, PREPAYMENT

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry

log = logging.getLogger(__name__)

_ATTRIBUTES = "/data/attributes"


@dataclass(frozen=True)
class PreorderRequest:
    user_id: uuid.UUID
    game_id: uuid.UUID
    region: str
    currency: str
    kind: PrepaymentKind
    choice: MethodChoice
    return_url: str | None
    save_method: bool = False
    customer_email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PreorderView:
    preorder: Preorder
    #: Where the buyer pays the prepayment (only right after creation).
    confirmation_url: str | None = None


async def create_preorder(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    request: PreorderRequest,
    rules: PreorderRules,
    *,
    fraud: FraudScreen | None = None,
    request_id: str | None = None,
) -> PreorderView:
    """A preorder of a game not yet released, priced from the price table, and its prepayment
    started like any payment (fraud screen, provider routing). A partial prepayment always
    saves its method: the remainder is charged to it at the release."""
    if request.choice.method is PaymentMethod.WALLET:
        raise BusinessRuleViolation(
            "A preorder is paid with a card or another provider method, not the wallet.",
            code="WALLET_NOT_ALLOWED_FOR_PURPOSE",
            pointer=f"{_ATTRIBUTES}/method",
        )
    async with unit_of_work() as uow:
        session = uow.session
        if await SqlGameReleases(session).released_at(request.game_id) is not None:
            raise BusinessRuleViolation(
                "This game is already released: buy it instead of preordering it.",
                code="GAME_ALREADY_RELEASED",
                pointer=f"{_ATTRIBUTES}/game_id",
            )
        prices = await SqlGamePrices(session).get(request.game_id)
        rates = await SqlCurrencyRates(session).current(clock.now())
        price = game_purchase_price(prices, request.region, rates, at=clock.now())
        if price.currency != request.currency:
            raise BusinessRuleViolation(
                f"The price here is in {price.currency}, not {request.currency}.",
                code="CURRENCY_MISMATCH",
                pointer=f"{_ATTRIBUTES}/currency",
            )
        preorder = new_preorder(
            user_id=request.user_id,
            game_id=request.game_id,
            region=request.region,
            price=price,
            kind=request.kind,
            rules=rules,
            now=clock.now(),
        )
        await SqlPreorders(session).add(preorder)
        await uow.commit()
    order = PaymentOrder(
        user_id=request.user_id,
        purpose=PaymentPurpose.PREORDER,
        amount=preorder.prepayment,
        region=request.region,
        choice=request.choice,
        return_url=request.return_url,
        origin=Origin.user(Route.PREORDERS),
        save_method=request.save_method or preorder.kind is PrepaymentKind.PARTIAL,
        reference=str(preorder.id),
        game_id=request.game_id,
        metadata=payment_metadata(preorder, PREPAYMENT),
        customer_email=request.customer_email,
    )
    try:
        view = await create_payment(
            unit_of_work, providers, clock, order, request_id=request_id, fraud=fraud
        )
    except ParovozError:
        # Refused before any money moved (a method, the fraud screen, a provider): no preorder.
        await _drop_unpaid(unit_of_work, clock, preorder.id)
        raise
    async with unit_of_work() as uow:
        preorders = SqlPreorders(uow.session)
        current = await preorders.get(preorder.id, for_update=True)
        assert current is not None
        if current.prepayment_payment_id is None:  # a wallet-free payment settles later
            current = _with_prepayment(current, view.payment.id)
            await preorders.save(current)
        await uow.commit()
    return PreorderView(current, view.confirmation_url)


def payment_metadata(preorder: Preorder, part: str) -> dict[str, str]:
    completes = part != PREPAYMENT or preorder.kind is PrepaymentKind.FULL
    return {
        "preorder_id": str(preorder.id),
        PART: part,
        PAID_IN_FULL_METADATA: "true" if completes else "false",
    }


def _with_prepayment(preorder: Preorder, payment_id: uuid.UUID) -> Preorder:
    return replace(preorder, prepayment_payment_id=payment_id)


async def _drop_unpaid(
    unit_of_work: UnitOfWorkFactory, clock: Clock, preorder_id: uuid.UUID
) -> None:
    async with unit_of_work() as uow:
        preorders = SqlPreorders(uow.session)
        current = await preorders.get(preorder_id, for_update=True)
        if current is not None and current.status is PreorderStatus.AWAITING_PREPAYMENT:
            await preorders.save(
                current.cancel(PreorderCancelReason.PREPAYMENT_FAILED, clock.now())
            )
        await uow.commit()


async def preorders_of(
    unit_of_work: UnitOfWorkFactory, user_id: uuid.UUID, limit: int = 100
) -> list[Preorder]:
    async with unit_of_work() as uow:
        return await SqlPreorders(uow.session).of_user(user_id, limit)


async def preorder_for(
    unit_of_work: UnitOfWorkFactory, viewer: uuid.UUID, preorder_id: uuid.UUID
) -> Preorder:
    """The preorder for its owner; anyone else: 404."""
    async with unit_of_work() as uow:
        preorder = await SqlPreorders(uow.session).get(preorder_id)
    if preorder is None or preorder.user_id != viewer:
        raise _not_found()
    return preorder


def _not_found() -> NotFound:
    return NotFound("The preorder does not exist.", code="PREORDER_NOT_FOUND")


async def cancel_preorder(
    unit_of_work: UnitOfWorkFactory, clock: Clock, viewer: uuid.UUID, preorder_id: uuid.UUID
) -> Preorder:
    """The owner cancels before the release; what was paid is owed back (``refund_due``: the
    caller refunds it after this commit, the release job if that fails)."""
    async with unit_of_work() as uow:
        session = uow.session
        preorders = SqlPreorders(session)
        preorder = await preorders.get(preorder_id, for_update=True)
        if preorder is None or preorder.user_id != viewer:
            raise _not_found()
        if preorder.status is not PreorderStatus.CANCELLED and (
            await SqlGameReleases(session).released_at(preorder.game_id) is not None
        ):
            raise BusinessRuleViolation(
                "The game is released: the preorder can no longer be cancelled.",
                code="PREORDER_NOT_CANCELLABLE",
            )
        cancelled = preorder.cancel(PreorderCancelReason.CANCELLED_BY_USER, clock.now())
        if cancelled is not preorder:
            await preorders.save(cancelled)
        await uow.commit()
    return cancelled


# -- developer-portal's events (in the consumer's inbox transaction) ----------------------
async def record_release(
    session: AsyncSession, game_id: uuid.UUID, released_at: datetime, now: datetime
) -> bool:
    """The game's first publication: new preorders are refused from now on and the open ones
    are due (the release job completes them or charges their remainder)."""
    return await SqlGameReleases(session).record(game_id, released_at, now)


async def cancel_preorders_of_game(session: AsyncSession, game_id: uuid.UUID, now: datetime) -> int:
    """The game left the store before its release: its open preorders are cancelled, their
    money owed back (the release job refunds it). After the release nothing changes."""
    if await SqlGameReleases(session).released_at(game_id) is not None:
        return 0
    preorders = SqlPreorders(session)
    cancelled = 0
    for preorder in await preorders.open_of_game(game_id):
        if preorder.status is PreorderStatus.CHARGING_REMAINDER:
            continue  # only after a release; never here
        await preorders.save(preorder.cancel(PreorderCancelReason.GAME_UNPUBLISHED, now))
        cancelled += 1
    return cancelled

"""Gift cards bought by users: the order (stored before its ``gift_card`` payment), the card
issued when that payment settles, the code revealed once, and refunds of what is left on it.

Ledger: the settlement debits what paid (provider clearing, the wallet) and credits
``gift_card_liability`` — the platform owes the card's value until it is redeemed, broken or
refunded; a refund debits the liability back. The code is sealed (``parovoz_kit.sealing``) at
issue, in the settlement's transaction, and erased when the buyer reveals it: never logged,
never stored in clear, shown once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from parovoz_kit.clock import Clock
from parovoz_kit.errors import Conflict, NotFound
from parovoz_kit.sealing import Sealer
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.audit import record
from parovoz_payment.db.gift_card_purchases import SealedCode, SqlGiftCardPurchases
from parovoz_payment.db.gift_cards import HoldStatus, SqlGiftCards
from parovoz_payment.db.ledger import account_for
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.gift_card_purchases import (
    REFERENCE_PREFIX,
    PurchaseOrder,
    refundable,
)
from parovoz_payment.domain.gift_cards import (
    GiftCard,
    GiftCardOrigin,
    GiftCardRules,
    display_code,
    gift_card_audit,
    hash_code,
    issue_gift_card,
)
from parovoz_payment.domain.ledger import AccountPurpose, Entry, OwnerType, credit, debit
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.references import id_from_reference
from parovoz_payment.domain.refunds import Refund
from parovoz_payment.settings import process_settings

log = logging.getLogger(__name__)


class AlreadyRevealed(Conflict):
    default_code = "GIFT_CARD_ALREADY_REVEALED"


@dataclass(frozen=True)
class RevealedCard:
    card: GiftCard
    #: ``ABCD-EFGH-JKMN-PQRS``: in this answer only.
    code: str


async def record_purchase(unit_of_work: UnitOfWorkFactory, order: PurchaseOrder) -> None:
    """The buyer's order, stored before its payment exists: a wallet-only payment settles
    inside the creation use case and must find it."""
    async with unit_of_work() as uow:
        await SqlGiftCardPurchases(uow.session).add(order)
        await uow.commit()


async def gift_card_purchase_credits(
    session: AsyncSession,
    payment: Payment,
    *,
    rules: GiftCardRules | None = None,
    sealer: Sealer | None = None,
) -> list[Entry] | None:
    """The settling ``gift_card`` payment's credit (the liability) and its card, issued once
    with its code sealed on the purchase row. None for any other payment (and a ``gift_card``
    payment without an order: all platform revenue)."""
    purchase_id = (
        id_from_reference(payment.reference, REFERENCE_PREFIX)
        if payment.purpose is PaymentPurpose.GIFT_CARD
        else None
    )
    purchases = SqlGiftCardPurchases(session)
    purchase = None if purchase_id is None else await purchases.get(purchase_id, for_update=True)
    if purchase is None or purchase.user_id != payment.user_id:
        return None
    liability = await account_for(
        session, OwnerType.PLATFORM, None, AccountPurpose.GIFT_CARD_LIABILITY, payment.currency
    )
    entries = [credit(liability, payment.captured_amount)]
    cards = SqlGiftCards(session)
    if purchase.gift_card_id is not None or await cards.of_payment(payment.id) is not None:
        return entries  # issued by an earlier call: the posting replays
    settings = process_settings()
    now = payment.succeeded_at or payment.updated_at
    card, code = issue_gift_card(
        payment.captured_amount,
        now,
        GiftCardOrigin.PURCHASE,
        rules=rules or settings.gift_card_rules(),
        payment_id=payment.id,
    )
    await cards.add(card, hash_code(code), str(payment.user_id))
    # The purchase's id binds the ciphertext to its row: copied elsewhere it does not open.
    key_id, blob = (sealer or settings.sealer()).seal(code.encode("ascii"), purchase.id.bytes)
    await purchases.issued(purchase.id, payment.id, card.id, SealedCode(key_id, blob))
    await record(session, _audit(card, str(payment.user_id), "gift_card.bought", now))
    return entries


async def reveal_code(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    user_id: uuid.UUID,
    payment_id: uuid.UUID,
    *,
    sealer: Sealer | None = None,
) -> RevealedCard:
    """The bought card's code, to its buyer, once: the ciphertext is erased in the same
    transaction; afterwards ``GIFT_CARD_ALREADY_REVEALED``."""
    async with unit_of_work() as uow:
        session = uow.session
        stored = await SqlPayments(session).get(payment_id)
        if stored is None or stored.payment.user_id != user_id:
            raise NotFound("The gift card purchase does not exist.", code="PAYMENT_NOT_FOUND")
        found = await SqlGiftCardPurchases(session).of_payment(payment_id, for_update=True)
        if found is None:
            if id_from_reference(stored.payment.reference, REFERENCE_PREFIX) is None:
                raise NotFound(
                    "The payment did not buy a gift card.", code="GIFT_CARD_PURCHASE_NOT_FOUND"
                )
            raise Conflict(
                "The gift card is issued when its payment succeeds.", code="GIFT_CARD_NOT_ISSUED"
            )
        purchase, sealed = found
        if sealed is None or purchase.gift_card_id is None:
            raise AlreadyRevealed("The gift card's code was already shown.")
        code = (sealer or process_settings().sealer()).open(
            sealed.key_id, sealed.ciphertext, purchase.id.bytes
        )
        card = await SqlGiftCards(session).get(purchase.gift_card_id)
        assert card is not None
        now = clock.now()
        await SqlGiftCardPurchases(session).revealed(purchase.id, now)
        await record(session, _audit(card, str(user_id), "gift_card.revealed", now))
        await uow.commit()
    return RevealedCard(card, display_code(code.decode("ascii")))


# -- refunds of a bought card -------------------------------------------------------------
async def hold_for_refund(session: AsyncSession, payment: Payment, refund: Refund) -> None:
    """A refund of a bought card takes its value off the card now (reserved under the
    refund's id), or is refused when the card no longer holds it. No-op for other payments."""
    if payment.purpose is not PaymentPurpose.GIFT_CARD:
        return
    cards = SqlGiftCards(session)
    card = await cards.of_payment(payment.id, for_update=True)
    if card is None:
        return
    refundable(card.available, refund.amount)
    await cards.hold(card, refund.id, refund.amount.amount_minor, refund.created_at)


async def release_refund_hold(session: AsyncSession, refund: Refund, now: datetime) -> None:
    """The refund failed or was rejected: its value goes back on the card."""
    await SqlGiftCards(session).finish_holds(refund.id, HoldStatus.RELEASED, now)


async def gift_card_refund_debits(
    session: AsyncSession, payment: Payment, refund: Refund
) -> list[Entry] | None:
    """The succeeded refund's debit of the liability (its hold becomes ``refunded``); None
    for any other payment."""
    if payment.purpose is not PaymentPurpose.GIFT_CARD:
        return None
    cards = SqlGiftCards(session)
    if await cards.of_payment(payment.id) is None:
        return None
    await cards.finish_holds(
        refund.id, HoldStatus.REFUNDED, refund.succeeded_at or refund.updated_at
    )
    liability = await account_for(
        session, OwnerType.PLATFORM, None, AccountPurpose.GIFT_CARD_LIABILITY, payment.currency
    )
    return [debit(liability, refund.amount)]


def _audit(card: GiftCard, actor: str, action: str, now: datetime) -> AuditRecord:
    payment_id = str(card.payment_id) if card.payment_id else None
    return gift_card_audit(card, actor, action, payment_id=payment_id, at=now.isoformat())


__all__ = [
    "AlreadyRevealed",
    "RevealedCard",
    "gift_card_purchase_credits",
    "gift_card_refund_debits",
    "hold_for_refund",
    "record_purchase",
    "release_refund_hold",
    "reveal_code",
]

"""What a payment's first success leaves behind besides the money: its 54-FZ receipt and, when
the payer asked, the saved payment method.

Both are written in the settlement's transaction (on the locked payment row, so once). Where
the receipt is registered depends on who took the money:

- YooKassa: after the commit, ``POST /v3/receipts`` (``receipt_delivery``);
- T-Bank: the receipt travels with the operation itself (``Receipt`` in Init and Cancel, built
  by :func:`payment_receipt` / :func:`refund_receipt` before the call), and the fiscal data
  operator's answer comes back as a ``RECEIPT`` notification (``receipt_notifications``);
- nobody (paid wholly from the wallet or gift cards): 54-FZ still wants a receipt, settled as
  the offset of the advance taken earlier; it is registered at the provider of the user's
  latest top-up, linked to it (YooKassa's ``payment_id``, T-Bank's ``SendClosingReceipt``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime

from parovoz_kit.clock import Clock
from parovoz_kit.errors import ValidationFailed
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.user_service import UserServiceClient
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.db.receipts import SqlReceipts, StoredReceipt, contact_of, remember_contact
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.preorders import (
    PAID_IN_FULL_METADATA,
    PART_METADATA,
    REMAINDER_PART,
    Preorder,
)
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.domain.receipt_rules import PaymentMode
from parovoz_payment.domain.receipts import (
    Customer,
    Receipt,
    ReceiptType,
    build_payment_receipt,
    build_refund_receipt,
    receipt_item,
)
from parovoz_payment.domain.refunds import Refund
from parovoz_payment.domain.saved_methods import SavedMethod

EMAIL_POINTER = "/data/attributes/customer_email"
#: 54-FZ needs the buyer's e-mail or phone: the one given at creation, else the account's from
#: the user service (:func:`buyer_contact`). Only when neither is known (the user service could
#: not be asked, or has no e-mail) does the receipt go to this address (reserved .invalid TLD).
PLACEHOLDER_EMAIL = "receipts@parovoz.invalid"
_ITEM_NAMES = {
    PaymentPurpose.GAME_PURCHASE: "Игра",
    PaymentPurpose.SUBSCRIPTION: "Подписка Parovoz",
    PaymentPurpose.GREENLIGHT_FEE: "Взнос за размещение игры (Greenlight)",
    PaymentPurpose.WALLET_TOP_UP: "Пополнение кошелька Parovoz",
    PaymentPurpose.GIFT_CARD: "Подарочная карта Parovoz",
    PaymentPurpose.DONATION: "Пожертвование",
    PaymentPurpose.PREORDER: "Предзаказ игры",
}
_METHOD_TITLE_LENGTH = 64
log = logging.getLogger(__name__)


def customer_from_order(email: str | None) -> Customer | None:
    """The contact given with a new payment, checked before anything is stored."""
    if not email or not email.strip():
        return None
    try:
        return Customer.of(email=email)
    except ValidationFailed:
        raise ValidationFailed(
            "Not an e-mail address.", code="INVALID_EMAIL", pointer=EMAIL_POINTER
        ) from None


async def buyer_contact(users: UserServiceClient, user_id: uuid.UUID) -> Customer | None:
    """The account's e-mail from the user service, for a payment that names none (before the
    payment's transaction: it is an HTTP call); None when it cannot be asked or has none."""
    facts = await users.facts(user_id)
    if facts is None or facts.email is None:
        return None
    try:
        return Customer.of(email=facts.email)
    except ValidationFailed:
        log.warning("the user service's e-mail of %s is not an address", user_id)
        return None


async def remember_receipt_contact(
    session: AsyncSession, payment: Payment, customer: Customer | None
) -> None:
    if customer is not None:
        await remember_contact(session, payment.id, customer, payment.created_at)


async def payment_receipt(session: AsyncSession, payment: Payment) -> Receipt | None:
    """The receipt of ``payment`` for its whole amount (a wallet or gift-card part is settled
    as the offset of an advance); None when the purpose has no receipt. The same receipt
    whenever it is built: T-Bank is sent it with Init, and it is stored at settlement."""
    name = _ITEM_NAMES.get(payment.purpose)
    if name is None:
        return None  # card verification: no sale, no receipt
    if payment.purpose is PaymentPurpose.GAME_PURCHASE and payment.game_id is not None:
        owner = await SqlGameOwners(session).get(payment.game_id)
        if owner is not None and owner.title.strip():
            name = owner.title
    customer = await contact_of(session, payment.id) or Customer(email=PLACEHOLDER_EMAIL)
    total, mode = payment.amount, None
    if payment.purpose is PaymentPurpose.PREORDER:
        total, mode = await _preorder_terms(session, payment)
    return build_payment_receipt(
        payment.id, total, [receipt_item(name, total, payment.purpose, mode=mode)], customer
    )


async def _preorder_terms(session: AsyncSession, payment: Payment) -> tuple[Money, PaymentMode]:
    """54-FZ for a preorder's payments: a prepayment of the whole price is
    ``full_prepayment``, of a share ``partial_prepayment``; the remainder charged at the
    release hands the game over, so its receipt is ``full_payment`` for the whole price, the
    prepaid share settled as the offset of that advance."""
    if payment.metadata.get(PART_METADATA) == REMAINDER_PART:
        raw_id = payment.metadata.get("preorder_id")
        preorder = await SqlPreorders(session).get(uuid.UUID(raw_id)) if raw_id else None
        return (preorder.price if preorder else payment.amount), PaymentMode.FULL_PAYMENT
    if payment.metadata.get(PAID_IN_FULL_METADATA) == "false":
        return payment.amount, PaymentMode.PARTIAL_PREPAYMENT
    return payment.amount, PaymentMode.FULL_PREPAYMENT


async def store_preorder_release_receipt(
    session: AsyncSession, preorder: Preorder, now: datetime
) -> uuid.UUID | None:
    """A fully prepaid preorder's game handed over at the release: its ``full_payment``
    receipt, settled wholly as the offset of the prepayment and registered against it (the
    receipts job sends it). None without a prepayment receipt to offset, or when it exists."""
    if preorder.prepayment_payment_id is None:
        return None
    receipts = SqlReceipts(session)
    prepaid = [
        r
        for r in await receipts.of_payment(preorder.prepayment_payment_id)
        if r.receipt.type is ReceiptType.PAYMENT
    ]
    if len(prepaid) != 1:
        return None  # no receipt to offset (settled before receipts), or closed already
    bought = prepaid[0].receipt
    item = replace(bought.items[0], payment_mode=PaymentMode.FULL_PAYMENT)
    receipt = build_payment_receipt(bought.payment_id, bought.total, [item], bought.customer)
    receipt_id = uuid.uuid4()
    added = await receipts.add(
        receipt, prepaid[0].provider, now, receipt_id, advance_payment_id=bought.payment_id
    )
    return receipt_id if added else None


# -- in the settlement's transaction -----------------------------------------------------
async def store_payment_receipt(
    session: AsyncSession, payment: Payment, clock: Clock
) -> uuid.UUID | None:
    """The receipt of a payment that just succeeded; None when the purpose has no receipt or
    it exists. A payment no provider took is registered where its advance was taken."""
    receipt = await payment_receipt(session, payment)
    if receipt is None:
        return None
    provider, advance_id = payment.provider, None
    if provider is None:
        advance = await SqlPayments(session).advance_behind(payment)
        if advance is not None:
            provider, advance_id = advance.provider, advance.id
        else:  # funded by refunds or rewards only: a receipt of its own at YooKassa
            provider = Provider.YOOKASSA
    receipt_id = uuid.uuid4()
    added = await SqlReceipts(session).add(
        receipt, provider.value if provider else None, clock.now(), receipt_id, advance_id
    )
    return receipt_id if added else None


async def refund_receipt(
    session: AsyncSession, payment: Payment, refund: Refund
) -> tuple[Receipt, StoredReceipt] | None:
    """The 54-FZ refund receipt of ``refund``, with the payment receipt it reverses: the
    payment receipt's lines, each refunded in proportion to what earlier refund receipts left
    of it, so two partial refunds never refund a line twice. None when the payment has no
    receipt (card verification, or settled before receipts) or this refund has one."""
    stored = await SqlReceipts(session).of_payment(payment.id)
    # The latest: after a preorder's release, its full_payment receipt, not the prepayment's.
    bought = next((r for r in reversed(stored) if r.receipt.type is ReceiptType.PAYMENT), None)
    if bought is None:
        return None
    earlier = [r.receipt for r in stored if r.receipt.type is ReceiptType.REFUND]
    if any(receipt.refund_id == refund.id for receipt in earlier):
        return None  # this refund has its receipt already
    return build_refund_receipt(bought.receipt, refund.id, refund.amount, earlier), bought


async def store_refund_receipt(
    session: AsyncSession, payment: Payment, refund: Refund, clock: Clock
) -> uuid.UUID | None:
    """The refund receipt of a refund that just succeeded (in its transaction, on the locked
    payment row), registered where the payment's receipt is."""
    built = await refund_receipt(session, payment, refund)
    if built is None:
        return None
    receipt, bought = built
    provider, advance_id = bought.provider, bought.advance_payment_id
    if advance_id is not None and provider == Provider.TBANK.value:
        # T-Bank has no closing refund receipt: YooKassa registers it on its own.
        provider, advance_id = Provider.YOOKASSA.value, None
    receipt_id = uuid.uuid4()
    await SqlReceipts(session).add(receipt, provider, clock.now(), receipt_id, advance_id)
    return receipt_id


async def store_saved_method(
    session: AsyncSession, payment: Payment, confirmed: ProviderPayment, clock: Clock
) -> SavedMethod | None:
    """The method the provider saved for this payment, when the payer asked to save it."""
    token = confirmed.saved_method_token
    if not payment.save_method or not token:
        return None
    methods = SqlSavedMethods(session)
    for method in await methods.active_of(payment.user_id):
        if method.provider is confirmed.provider and method.provider_token == token:
            return method  # the same card saved again: one entry
    fallback = payment.method.value.replace("_", " ") if payment.method else "saved method"
    title = (confirmed.method_title or fallback)[:_METHOD_TITLE_LENGTH]
    return await methods.add(payment.user_id, confirmed.provider, token, title, clock.now())


__all__ = [
    "customer_from_order",
    "payment_receipt",
    "refund_receipt",
    "remember_receipt_contact",
    "store_payment_receipt",
    "store_preorder_release_receipt",
    "store_refund_receipt",
    "store_saved_method",
]

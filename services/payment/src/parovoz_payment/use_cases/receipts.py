"""What a payment's first success leaves behind besides the money: its 54-FZ receipt and, when
the payer asked, the saved payment method.

Both are written in the settlement's transaction (on the locked payment row, so once). The
receipt reaches the provider only AFTER that commit, in the background: a slow or failing
fiscal service never holds the webhook's answer nor undoes a settled payment; a receipt left
``pending`` is sent again by :func:`resend_pending_receipts`.

Receipts are registered with YooKassa (``POST /v3/receipts``, the separate-receipt flow); a
payment taken by T-Bank keeps its receipt ``pending`` here (T-Bank fiscalises through its own
``Receipt`` in Init: not wired yet).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import httpx
from parovoz_kit.clock import Clock
from parovoz_kit.errors import ParovozError, ValidationFailed
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.providers import transport
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.yookassa import amount_json, receipt_json
from parovoz_payment.clients.providers.yookassa_http import yookassa_http_client
from parovoz_payment.db.game_owners import SqlGameOwners
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.receipts import SqlReceipts, StoredReceipt, contact_of, remember_contact
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.payments import Payment, PaymentPurpose
from parovoz_payment.domain.providers import ProviderPayment
from parovoz_payment.domain.receipts import (
    Customer,
    ReceiptStatus,
    ReceiptType,
    build_payment_receipt,
    build_refund_receipt,
    receipt_item,
)
from parovoz_payment.domain.refunds import Refund
from parovoz_payment.domain.saved_methods import SavedMethod
from parovoz_payment.settings import process_settings

log = logging.getLogger(__name__)


EMAIL_POINTER = "/data/attributes/customer_email"
#: GAP: 54-FZ needs the buyer's e-mail or phone; without one given at creation the receipt goes
#: to this address (reserved .invalid TLD) until the user service gives us the account's e-mail.
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
_PROVIDER_STATUSES = {
    "pending": ReceiptStatus.PENDING,
    "succeeded": ReceiptStatus.SUCCEEDED,
    "canceled": ReceiptStatus.CANCELLED,
}
#: Seconds between looks at a registered receipt's status (the fiscal data operator is slow).
_FOLLOW_UP_DELAYS = (1.5, 3.0, 6.0, 12.0, 24.0)
_METHOD_TITLE_LENGTH = 64
NAME = "yookassa"

_background: set[asyncio.Task[None]] = set()


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


async def remember_receipt_contact(
    session: AsyncSession, payment: Payment, customer: Customer | None
) -> None:
    if customer is not None:
        await remember_contact(session, payment.id, customer, payment.created_at)


# -- in the settlement's transaction -----------------------------------------------------
async def store_payment_receipt(
    session: AsyncSession, payment: Payment, clock: Clock
) -> uuid.UUID | None:
    """The receipt of a payment that just succeeded, for its whole amount (a wallet part is
    settled as the offset of an advance); None when the purpose has no receipt or it exists."""
    name = _ITEM_NAMES.get(payment.purpose)
    if name is None:
        return None  # card verification: no sale, no receipt
    if payment.purpose is PaymentPurpose.GAME_PURCHASE and payment.game_id is not None:
        owner = await SqlGameOwners(session).get(payment.game_id)
        if owner is not None and owner.title.strip():
            name = owner.title
    customer = await contact_of(session, payment.id) or Customer(email=PLACEHOLDER_EMAIL)
    receipt = build_payment_receipt(
        payment.id,
        payment.amount,
        [receipt_item(name, payment.amount, payment.purpose)],
        customer,
    )
    receipt_id = uuid.uuid4()
    provider = payment.provider.value if payment.provider else None
    added = await SqlReceipts(session).add(receipt, provider, clock.now(), receipt_id)
    return receipt_id if added else None


async def store_refund_receipt(
    session: AsyncSession, payment: Payment, refund: Refund, clock: Clock
) -> uuid.UUID | None:
    """The 54-FZ refund receipt of a refund that just succeeded (in its transaction, on the
    locked payment row): the payment receipt's lines, each refunded in proportion to what
    earlier refund receipts left of it, so two partial refunds never refund a line twice.
    None when the payment has no receipt (card verification, or settled before receipts)."""
    stored = await SqlReceipts(session).of_payment(payment.id)
    bought = next((r for r in stored if r.receipt.type is ReceiptType.PAYMENT), None)
    if bought is None:
        return None
    earlier = [r.receipt for r in stored if r.receipt.type is ReceiptType.REFUND]
    if any(receipt.refund_id == refund.id for receipt in earlier):
        return None  # this refund has its receipt already
    receipt = build_refund_receipt(bought.receipt, refund.id, refund.amount, earlier)
    receipt_id = uuid.uuid4()
    await SqlReceipts(session).add(receipt, bought.provider, clock.now(), receipt_id)
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


# -- after the commit: to the provider ---------------------------------------------------
def _provider_config() -> ProviderConfig:
    return process_settings().providers


def deliver_receipts_later(
    unit_of_work: UnitOfWorkFactory, clock: Clock, payment_id: uuid.UUID
) -> None:
    """Send the payment's pending receipts in the background (never raises)."""
    task = asyncio.get_running_loop().create_task(_deliver_quietly(unit_of_work, clock, payment_id))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _deliver_quietly(
    unit_of_work: UnitOfWorkFactory, clock: Clock, payment_id: uuid.UUID
) -> None:
    try:
        await deliver_receipts(unit_of_work, clock, payment_id)
    except Exception as error:  # the resend job tries again later
        log.warning("receipt of payment %s not delivered: %s", payment_id, type(error).__name__)


async def deliver_receipts(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payment_id: uuid.UUID,
    config: ProviderConfig | None = None,
    follow_up: tuple[float, ...] = _FOLLOW_UP_DELAYS,
) -> None:
    """Register the payment's pending receipts at YooKassa, then follow their status until
    the fiscal data operator answers (or ``follow_up`` runs out: the job goes on)."""
    config = config or _provider_config()
    async with unit_of_work() as uow:
        stored = await SqlPayments(uow.session).get(payment_id)
        pending = [
            receipt
            for receipt in await SqlReceipts(uow.session).of_payment(payment_id)
            if receipt.receipt.status is ReceiptStatus.PENDING
        ]
    if stored is None or stored.payment.provider is not Provider.YOOKASSA or not pending:
        return
    async with yookassa_http_client(config) as client:
        for receipt in pending:
            await _register_and_follow(
                unit_of_work, clock, client, stored.payment, receipt, follow_up
            )


async def resend_pending_receipts(
    unit_of_work: UnitOfWorkFactory, clock: Clock, config: ProviderConfig | None = None
) -> int:
    """The job: every receipt still pending at YooKassa, sent (again, idempotently) or looked
    up. Returns how many it saw."""
    config = config or _provider_config()
    async with unit_of_work() as uow:
        pending = await SqlReceipts(uow.session).pending(Provider.YOOKASSA.value)
    payment_ids = {receipt.receipt.payment_id for receipt in pending}
    for payment_id in payment_ids:
        try:
            await deliver_receipts(unit_of_work, clock, payment_id, config, follow_up=())
        except ParovozError as error:
            log.warning("receipt of payment %s still pending: %s", payment_id, error.code)
    return len(pending)


async def _register_and_follow(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    client: httpx.AsyncClient,
    payment: Payment,
    stored: StoredReceipt,
    follow_up: tuple[float, ...],
) -> None:
    provider_id = stored.receipt.provider_receipt_id
    if provider_id is None:
        answer = await _call(
            client,
            "POST",
            "/receipts",
            _receipt_request(payment, stored),
            key=f"receipt:{stored.id}",
        )
    else:
        answer = await _call(client, "GET", f"/receipts/{provider_id}")
    provider_id, status = _receipt_state(answer)
    await _record(unit_of_work, clock, stored.id, provider_id, status)
    for delay in follow_up:
        if status is not ReceiptStatus.PENDING:
            return
        await asyncio.sleep(delay)
        provider_id, status = _receipt_state(await _call(client, "GET", f"/receipts/{provider_id}"))
        if status is not ReceiptStatus.PENDING:
            await _record(unit_of_work, clock, stored.id, provider_id, status)


def _receipt_request(payment: Payment, stored: StoredReceipt) -> dict[str, Any]:
    if stored.receipt.type is ReceiptType.REFUND:
        # Money goes back the way it came; the refund's split is on the refund, not here.
        return {
            "type": "refund",
            "payment_id": payment.provider_payment_id,
            "send": True,
            **receipt_json(stored.receipt),
            "settlements": [{"type": "cashless", "amount": amount_json(stored.receipt.total)}],
        }
    settlements = [{"type": "cashless", "amount": amount_json(payment.card_amount)}]
    prepaid = payment.wallet_amount + payment.gift_card_amount
    if prepaid.is_positive:
        # Paid from the wallet or gift cards: the offset of money received in advance (the
        # top-up's or the gift card's own receipt).
        settlements.append({"type": "prepayment", "amount": amount_json(prepaid)})
    return {
        "type": "payment",
        "payment_id": payment.provider_payment_id,
        "send": True,
        **receipt_json(stored.receipt),
        "settlements": settlements,
    }


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    headers = {"Idempotence-Key": key} if key else None
    response = await transport.send(client, NAME, method, path, json=body, headers=headers)
    if response.status_code >= 400:
        raise transport.ProviderRejected(
            f"{NAME} refused the receipt (HTTP {response.status_code})."
        )
    return transport.json_object(response, NAME)


def _receipt_state(answer: dict[str, Any]) -> tuple[str, ReceiptStatus]:
    provider_id = transport.field(answer, "id", str, NAME)
    status = _PROVIDER_STATUSES.get(answer.get("status"), ReceiptStatus.PENDING)  # type: ignore[arg-type]
    return provider_id, status


async def _record(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    receipt_id: uuid.UUID,
    provider_receipt_id: str,
    status: ReceiptStatus,
) -> None:
    async with unit_of_work() as uow:
        await SqlReceipts(uow.session).record_provider_state(
            receipt_id, provider_receipt_id, status, clock.now()
        )
        await uow.commit()


__all__ = [
    "customer_from_order",
    "deliver_receipts",
    "deliver_receipts_later",
    "remember_receipt_contact",
    "resend_pending_receipts",
    "store_payment_receipt",
    "store_refund_receipt",
    "store_saved_method",
]

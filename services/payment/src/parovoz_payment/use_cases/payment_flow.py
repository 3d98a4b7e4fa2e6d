"""The payment use cases: create a payment, settle it from a provider's notification, read it.

Money moves only after the provider CONFIRMS a status (``get_payment``): a notification's body
is never trusted, only its signature tells us to go and ask. Each settlement runs in one
transaction holding the payment row (``SELECT ... FOR UPDATE``): the state machine says
whether anything changes, so duplicates and out-of-order deliveries have one effect.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound
from parovoz_kit.logging import error_fields
from parovoz_kit.uow import UnitOfWork

from parovoz_payment.db.audit import record
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.payments import SqlPayments, StoredPayment
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import MethodChoice, Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payments import Payment, PaymentPurpose, PaymentStatus
from parovoz_payment.domain.pricing import check_client_amount, game_purchase_price
from parovoz_payment.domain.providers import (
    NotificationSubject,
    ProviderPayment,
    ProviderPaymentRequest,
)
from parovoz_payment.domain.wallet import WalletRules, split_payment
from parovoz_payment.use_cases.payment_ledger import cancelled_event, settle, succeeded_event
from parovoz_payment.use_cases.receipts import (
    customer_from_order,
    deliver_receipts_later,
    remember_receipt_contact,
    store_payment_receipt,
    store_saved_method,
)
from parovoz_payment.use_cases.refunds import RefundService, refund_wallet_cap_overflow

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry

log = logging.getLogger(__name__)

UnitOfWorkFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class PaymentOrder:
    """What the payer asked for (already parsed from the request)."""

    user_id: uuid.UUID
    purpose: PaymentPurpose
    amount: Money
    region: str
    choice: MethodChoice
    return_url: str | None
    use_wallet: bool = False
    save_method: bool = False
    reference: str | None = None
    game_id: uuid.UUID | None = None
    metadata: Mapping[str, str] | None = None
    #: Where the 54-FZ receipt goes.
    customer_email: str | None = None


@dataclass(frozen=True)
class PaymentView:
    payment: Payment
    confirmation_url: str | None


def _audit(payment: Payment, actor: str, action: str, request_id: str | None) -> AuditRecord:
    return AuditRecord(
        actor=actor,
        action=action,
        subject_type="payment",
        subject_id=str(payment.id),
        after={
            "status": payment.status.value,
            "amount_minor": payment.amount.amount_minor,
            "wallet_amount_minor": payment.wallet_amount.amount_minor,
            "currency": payment.currency,
            "provider": payment.provider.value if payment.provider else None,
            "cancellation_reason": (
                payment.cancellation_reason.value if payment.cancellation_reason else None
            ),
        },
        request_id=request_id,
    )


async def create_payment(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    order: PaymentOrder,
    *,
    request_id: str | None = None,
) -> PaymentView:
    """A new payment: priced (games from our own price table), split with the wallet, stored,
    then sent to the routed provider. A wallet-only payment settles at once."""
    actor = str(order.user_id)
    customer = customer_from_order(order.customer_email)
    async with unit_of_work() as uow:
        session = uow.session
        if order.purpose is PaymentPurpose.GAME_PURCHASE and order.game_id is not None:
            prices = await SqlGamePrices(session).get(order.game_id)
            check_client_amount(game_purchase_price(prices, order.region), order.amount)
        balance = Money.zero(order.amount.currency)
        if order.use_wallet:
            key = AccountKey.of(
                OwnerType.USER, order.user_id, AccountPurpose.USER_WALLET, order.amount.currency
            )
            wallet = await find_account(session, key)
            if wallet is not None:
                balance = wallet.credit_balance
        split = split_payment(order.amount, balance, order.use_wallet)
        payment = start_payment(
            user_id=order.user_id,
            purpose=order.purpose,
            amount=order.amount,
            region=order.region,
            now=clock.now(),
            choice=order.choice,
            wallet_amount=split.wallet,
            reference=order.reference,
            game_id=order.game_id,
            save_method=order.save_method,
            metadata=order.metadata,
        )
        payments = SqlPayments(session)
        if payment.card_amount.is_zero:
            # Wallet-only: no provider involved, the money moves now.
            succeeded = payment.succeed(clock.now())
            await payments.add(succeeded)
            await settle(session, succeeded, None)
            uow.emit(succeeded_event(succeeded))
            await record(session, _audit(succeeded, actor, "payment.created", request_id))
            await record(session, _audit(succeeded, actor, "payment.succeeded", request_id))
            await uow.commit()
            return PaymentView(succeeded, None)
        saved_token, saved_with = None, None
        if payment.saved_method_id is not None:
            # Only the owner's active method, and only at the provider holding its token.
            method = await SqlSavedMethods(session).active_for_owner(
                order.user_id, payment.saved_method_id
            )
            saved_token, saved_with = method.provider_token, method.provider
        provider = providers.route(order.choice, payment.currency, saved_with=saved_with)
        # Stored before the provider hears of it: a notification always finds its payment.
        await payments.add(payment)
        await remember_receipt_contact(session, payment, customer)
        await record(session, _audit(payment, actor, "payment.created", request_id))
        await uow.commit()

    answer: ProviderPayment = await provider.create_payment(
        ProviderPaymentRequest(
            payment_id=payment.id,
            amount=payment.card_amount,
            description=_description(payment),
            return_url=order.return_url,
            method=payment.method,
            saved_method_token=saved_token,
            save_method=payment.save_method,
            # A card verification only authorizes; the hold is cancelled once the card is saved.
            capture=payment.purpose is not PaymentPurpose.CARD_VERIFICATION,
            metadata=dict(payment.metadata),
        ),
        idempotency_key=f"payment:{payment.id}:create",
    )
    async with unit_of_work() as uow:
        payments = SqlPayments(uow.session)
        stored = await payments.get(payment.id, for_update=True)
        assert stored is not None  # committed above
        current = stored.payment.assign_provider(
            answer.provider, answer.provider_payment_id, clock.now()
        )
        await payments.save(current, confirmation_url=answer.confirmation_url)
        await uow.commit()
    if answer.status is not PaymentStatus.PENDING:
        # Answered at once (off-session charges): settle now, once, as a notification would.
        current = await apply_confirmed_status(
            unit_of_work, clock, payment.id, answer, providers=providers
        )
    return PaymentView(current, answer.confirmation_url)


def _description(payment: Payment) -> str:
    return f"Parovoz {payment.purpose.value.replace('_', ' ')} {payment.id}"


async def settle_from_provider(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    provider: Provider,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    """A provider's notification: verified (raises on a bad signature), then the payment's
    status asked from the provider and applied once."""
    adapter = providers.get(provider)
    notification = adapter.verify_notification(headers, body)
    if notification.subject is not NotificationSubject.PAYMENT:
        log.info("ignoring %s notification %s", provider.value, notification.event)
        return
    async with unit_of_work() as uow:
        payments = SqlPayments(uow.session)
        stored = None
        if notification.payment_id is not None:
            stored = await payments.get(notification.payment_id)
        if stored is None:
            stored = await payments.find_by_provider(provider, notification.provider_object_id)
    if stored is None or stored.payment.provider not in (None, provider):
        # Not ours (another environment's shop, or a forged id with a valid signature): answer
        # as accepted so the provider stops retrying something that can never apply here.
        log.warning(
            "%s notification for unknown payment %s", provider.value, notification.payment_id
        )
        return
    confirmed = await adapter.get_payment(notification.provider_object_id)
    if confirmed.saved_method_token is None and notification.saved_method_token:
        # T-Bank tells the saved method's token in the notification only.
        confirmed = replace(confirmed, saved_method_token=notification.saved_method_token)
    await apply_confirmed_status(
        unit_of_work, clock, stored.payment.id, confirmed, providers=providers
    )


async def apply_confirmed_status(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payment_id: uuid.UUID,
    confirmed: ProviderPayment,
    *,
    providers: ProviderRegistry | None = None,
) -> Payment:
    """Apply a status the provider confirmed, in one transaction on the locked payment row.

    A card verification reaching ``waiting_for_capture`` has its authorization cancelled at
    the provider (``providers``) right after: the card is saved, no money moves."""
    actor = f"provider:{confirmed.provider.value}"
    receipt_id = None
    overflow = None
    async with unit_of_work() as uow:
        session = uow.session
        payments = SqlPayments(session)
        stored = await payments.get(payment_id, for_update=True)
        if stored is None:
            raise NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")
        before = stored.payment
        current = before
        if current.provider_payment_id is None:
            current = current.assign_provider(
                confirmed.provider, confirmed.provider_payment_id, clock.now()
            )
        current = current.apply_provider_status(
            confirmed.status, clock.now(), reason=confirmed.cancellation_reason
        )
        if current is before:
            return before  # a duplicate or a stale report: nothing changes
        changed = current.status is not before.status
        if changed and current.status in _AUTHORIZED:
            saved = await store_saved_method(session, current, confirmed, clock)
            if saved is not None:  # named in the events: callers charge it later
                current = current.remember_saved_method(saved.id, clock.now())
        await payments.save(current)
        if changed:
            if current.status is PaymentStatus.SUCCEEDED:
                overflow = (await settle(session, current, confirmed.provider)).cap_overflow
                receipt_id = await store_payment_receipt(session, current, clock)
                uow.emit(succeeded_event(current))
                await record(session, _audit(current, actor, "payment.succeeded", None))
            elif current.status is PaymentStatus.CANCELLED:
                uow.emit(cancelled_event(current))
                await record(session, _audit(current, actor, "payment.cancelled", None))
            else:
                await record(session, _audit(current, actor, "payment.status_changed", None))
        await uow.commit()
    if receipt_id is not None:
        deliver_receipts_later(unit_of_work, clock, current.id)  # after the commit, never before
    if overflow is not None and overflow.is_positive:
        await _refund_cap_overflow(unit_of_work, providers, clock, current, overflow)
    if (
        changed
        and providers is not None
        and current.purpose is PaymentPurpose.CARD_VERIFICATION
        and current.status is PaymentStatus.WAITING_FOR_CAPTURE
    ):
        # Only the transaction that made the transition releases the hold: exactly once.
        adapter = providers.get(confirmed.provider)
        released = await adapter.cancel(
            confirmed.provider_payment_id, idempotency_key=f"payment:{current.id}:release"
        )
        current = await apply_confirmed_status(unit_of_work, clock, current.id, released)
    return current


_AUTHORIZED = (PaymentStatus.WAITING_FOR_CAPTURE, PaymentStatus.SUCCEEDED)


async def _refund_cap_overflow(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry | None,
    clock: Clock,
    payment: Payment,
    overflow: Money,
) -> None:
    """The top-up's part past the wallet cap goes back to the card, after the settlement's
    commit (a provider call never runs inside a transaction). The settlement already stands:
    a failure here leaves the debt on ``refunds_payable``, logged, for a retry or an admin."""
    if providers is None:
        log.error("top-up %s: no provider registry to refund %s", payment.id, overflow)
        return
    service = RefundService(unit_of_work, providers, clock, WalletRules())
    try:
        refund = await refund_wallet_cap_overflow(service, payment.id, overflow)
    except Exception as error:  # the settlement stands whatever happens here
        log.error(
            "refunding a top-up's cap overflow failed",
            extra={"payment_id": str(payment.id), **error_fields(error)},
        )
        return
    log.info("top-up %s: cap overflow refund %s is %s", payment.id, refund.id, refund.status)


async def payment_for(
    unit_of_work: UnitOfWorkFactory, viewer: uuid.UUID | None, payment_id: uuid.UUID
) -> PaymentView:
    """The payment for its owner (``viewer``) or a service (``viewer`` None); others: 404."""
    async with unit_of_work() as uow:
        stored: StoredPayment | None = await SqlPayments(uow.session).get(payment_id)
    if stored is None or (viewer is not None and stored.payment.user_id != viewer):
        raise NotFound("The payment does not exist.", code="PAYMENT_NOT_FOUND")
    return PaymentView(stored.payment, stored.confirmation_url)


__all__ = [
    "PaymentOrder",
    "PaymentView",
    "apply_confirmed_status",
    "create_payment",
    "payment_for",
    "settle_from_provider",
]

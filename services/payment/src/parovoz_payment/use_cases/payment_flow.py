"""The payment use cases: create a payment (priced, discounted, split with the wallet, screened
for fraud, sent to the routed provider) and read it. What happens when the provider answers is
in ``payment_confirmation``."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound
from parovoz_kit.uow import UnitOfWorkFactory

from parovoz_payment.db.audit import record
from parovoz_payment.db.chargebacks import has_open_dispute
from parovoz_payment.db.currency_rates import SqlCurrencyRates
from parovoz_payment.db.game_listings import SqlGameListings
from parovoz_payment.db.ledger import find_account
from parovoz_payment.db.payments import SqlPayments, StoredPayment
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.db.saved_methods import SqlSavedMethods
from parovoz_payment.db.wallets import wallet_of
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_purposes import (
    Origin,
    check_game_on_sale,
    check_origin,
    check_preorder_payment,
)
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.pricing import check_client_amount, game_purchase_price
from parovoz_payment.domain.providers import (
    PaymentProvider,
    ProviderPayment,
    ProviderPaymentRequest,
)
from parovoz_payment.domain.receipts import RECEIPT_WITH_OPERATION
from parovoz_payment.domain.references import id_from_reference
from parovoz_payment.domain.wallet import check_top_up_start, split_payment
from parovoz_payment.settings import process_settings
from parovoz_payment.use_cases.discounts import (
    CodeOffer,
    plan_discounts,
    reserve_discounts,
)
from parovoz_payment.use_cases.fraud import FraudScreen, hold_for_review
from parovoz_payment.use_cases.payment_confirmation import (
    apply_confirmed_status,
    payment_audit,
)
from parovoz_payment.use_cases.payment_ledger import settle, succeeded_event
from parovoz_payment.use_cases.receipt_delivery import deliver_receipts_later
from parovoz_payment.use_cases.receipts import (
    buyer_contact,
    customer_from_order,
    payment_receipt,
    remember_receipt_contact,
    store_payment_receipt,
)

if TYPE_CHECKING:
    from parovoz_payment.clients.providers.registry import ProviderRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentOrder:
    """What the payer asked for (already parsed from the request)."""

    user_id: uuid.UUID
    purpose: PaymentPurpose
    amount: Money
    region: str
    choice: MethodChoice
    return_url: str | None
    #: Where it is started from: the purpose's one path checks it (``domain.payment_purposes``).
    origin: Origin
    use_wallet: bool = False
    save_method: bool = False
    reference: str | None = None
    game_id: uuid.UUID | None = None
    metadata: Mapping[str, str] | None = None
    #: Where the 54-FZ receipt goes.
    customer_email: str | None = None
    #: Coupons offered (the best one applies) and gift cards to pay with; never in a repr.
    coupons: tuple[CodeOffer, ...] = field(default=(), repr=False)
    gift_cards: tuple[CodeOffer, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class PaymentView:
    payment: Payment
    confirmation_url: str | None


async def create_payment(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    order: PaymentOrder,
    *,
    request_id: str | None = None,
    fraud: FraudScreen | None = None,
) -> PaymentView:
    """A new payment: priced (games from our own price table), split with the wallet, stored,
    then sent to the routed provider. A wallet-only payment settles at once. ``fraud`` screens
    it first: a refusal raises, a review stores it ``on_hold`` without a provider call."""
    # Before anything else: the purpose's own path, by whoever owns it.
    check_origin(order.purpose, order.origin)
    actor = str(order.user_id)
    customer = customer_from_order(order.customer_email)
    # Before the transaction: the screen may ask the user service over HTTP.
    verdict = await fraud.screen(order, clock.now()) if fraud is not None else None
    if customer is None and fraud is not None:
        # 54-FZ: the receipt goes to the buyer; named none, the account's e-mail is theirs.
        customer = await buyer_contact(fraud.users, order.user_id)
    async with unit_of_work() as uow:
        session = uow.session
        if order.purpose is PaymentPurpose.WALLET_TOP_UP:
            # The wallet's one rules object, whichever endpoint or RPC starts the top-up.
            wallet_now = await wallet_of(session, order.user_id, process_settings().wallet_rules())
            from_wallet = order.use_wallet or order.choice.method is PaymentMethod.WALLET
            check_top_up_start(wallet_now, order.amount, from_wallet=from_wallet)
        if order.purpose is PaymentPurpose.PREORDER:
            # A preorder's payment is its own prepayment, started by its owner.
            preorder_id = id_from_reference(order.reference, "")
            preorder = None
            if preorder_id is not None:
                preorder = await SqlPreorders(session).get(preorder_id, for_update=True)
            check_preorder_payment(
                preorder,
                user_id=order.user_id,
                amount=order.amount,
                game_id=order.game_id,
                region=order.region,
            )
        if order.purpose is PaymentPurpose.GAME_PURCHASE and order.game_id is not None:
            # Only a game published in the store is sold: a price alone does not make it so.
            check_game_on_sale(await SqlGameListings(session).is_published(order.game_id))
            prices = await SqlGamePrices(session).get(order.game_id)
            rates = await SqlCurrencyRates(session).current(clock.now())
            price = game_purchase_price(prices, order.region, rates, at=clock.now())
            check_client_amount(price, order.amount)
        # Price → coupon → gift cards (reserved on locked rows below) → wallet → card.
        payment_id = uuid.uuid4()
        discounts = await plan_discounts(
            session,
            user_id=order.user_id,
            purpose=order.purpose,
            price=order.amount,
            coupons=order.coupons,
            gift_cards=order.gift_cards,
            now=clock.now(),
        )
        payable = discounts.payable
        balance = Money.zero(order.amount.currency)
        if order.use_wallet:
            key = AccountKey.of(
                OwnerType.USER, order.user_id, AccountPurpose.USER_WALLET, order.amount.currency
            )
            wallet = await find_account(session, key)
            if wallet is not None:
                balance = wallet.credit_balance
        rest = payable - discounts.gift_card_amount
        # An open chargeback of the user's locks their wallet (WALLET_LOCKED).
        locked = order.use_wallet and await has_open_dispute(session, order.user_id)
        split = (
            split_payment(rest, balance, order.use_wallet, wallet_locked=locked)
            if rest.is_positive
            else None
        )
        payment = start_payment(
            user_id=order.user_id,
            purpose=order.purpose,
            amount=payable,
            region=order.region,
            now=clock.now(),
            choice=order.choice,
            wallet_amount=split.wallet if split else None,
            reference=order.reference,
            game_id=order.game_id,
            save_method=order.save_method,
            metadata=order.metadata,
            payment_id=payment_id,
            gift_card_amount=discounts.gift_card_amount,
            discount=discounts.discount,
            coupon_id=discounts.coupon.id if discounts.coupon else None,
        )
        payments = SqlPayments(session)
        if payment.card_amount.is_zero:
            # Wallet (and gift cards) only: no provider involved, the money moves now.
            succeeded = payment.succeed(clock.now())
            await payments.add(succeeded)
            await reserve_discounts(session, discounts, succeeded, clock.now())
            await settle(session, succeeded, None)
            # 54-FZ: handed over against the advance the wallet holds: a closing receipt.
            await remember_receipt_contact(session, succeeded, customer)
            receipt_id = await store_payment_receipt(session, succeeded, clock)
            uow.emit(succeeded_event(succeeded))
            await record(session, payment_audit(succeeded, actor, "payment.created", request_id))
            await record(
                session,
                payment_audit(succeeded, actor, "payment.succeeded", request_id, before=payment),
            )
            await uow.commit()
            if receipt_id is not None:
                deliver_receipts_later(unit_of_work, clock, succeeded.id)
            return PaymentView(succeeded, None)
        saved_token, saved_with = None, None
        if payment.saved_method_id is not None:
            # Only the owner's active method, and only at the provider holding its token.
            method = await SqlSavedMethods(session).active_for_owner(
                order.user_id, payment.saved_method_id
            )
            saved_token, saved_with = method.provider_token, method.provider
        if verdict is not None and verdict.holds:
            # A fraud rule asks for review: no provider hears of it until an admin decides.
            held = await hold_for_review(
                session, payment, verdict, order.return_url, actor, request_id, clock.now()
            )
            await reserve_discounts(session, discounts, held, clock.now())
            await remember_receipt_contact(session, held, customer)
            await record(session, payment_audit(held, actor, "payment.created", request_id))
            await uow.commit()
            return PaymentView(held, None)
        provider = providers.route(order.choice, payment.currency, saved_with=saved_with)
        # Stored before the provider hears of it: a notification always finds its payment.
        await payments.add(payment)
        await reserve_discounts(session, discounts, payment, clock.now())
        await remember_receipt_contact(session, payment, customer)
        await record(session, payment_audit(payment, actor, "payment.created", request_id))
        await uow.commit()
    return await send_to_provider(
        unit_of_work,
        providers,
        clock,
        payment,
        provider,
        return_url=order.return_url,
        saved_token=saved_token,
        fraud=fraud,
    )


async def send_to_provider(
    unit_of_work: UnitOfWorkFactory,
    providers: ProviderRegistry,
    clock: Clock,
    payment: Payment,
    provider: PaymentProvider,
    *,
    return_url: str | None,
    saved_token: str | None,
    fraud: FraudScreen | None = None,
) -> PaymentView:
    """The stored ``pending`` payment goes to ``provider`` (after creation, or once an admin
    released its hold); an answer given at once (off-session) is settled now."""
    receipt = None
    if provider.name in RECEIPT_WITH_OPERATION:
        async with unit_of_work() as uow:
            receipt = await payment_receipt(uow.session, payment)
    answer: ProviderPayment = await provider.create_payment(
        ProviderPaymentRequest(
            payment_id=payment.id,
            amount=payment.card_amount,
            description=_description(payment),
            return_url=return_url,
            method=payment.method,
            saved_method_token=saved_token,
            save_method=payment.save_method,
            # A card verification only authorizes; the hold is cancelled once the card is saved.
            capture=payment.purpose is not PaymentPurpose.CARD_VERIFICATION,
            receipt=receipt,
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
        if fraud is not None:
            await fraud.observe(current, answer, clock)
    return PaymentView(current, answer.confirmation_url)


def _description(payment: Payment) -> str:
    return f"Parovoz {payment.purpose.value.replace('_', ' ')} {payment.id}"


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
    "create_payment",
    "payment_for",
    "send_to_provider",
]

"""Events payment publishes on ``payment.events.v1``.

Vocabularies match ``parovoz.payment.v1`` (purposes, cancellation and refund reasons) in lower
case; ``cancelled`` is spelled with two l's everywhere (providers' ``canceled`` is mapped).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from parovoz_events import example_ids as ids
from parovoz_events.base import EventData, register
from parovoz_events.common import Reference, Region, Text, UtcDatetime
from parovoz_events.money import Money, NonNegativeMoney, PositiveMoney, rub

PaymentPurpose = Literal[
    "game_purchase",
    "subscription",
    "greenlight_fee",
    "wallet_top_up",
    "gift_card",
    "donation",
    "preorder",
    "card_verification",
]
PaymentMethodType = Literal["bank_card", "sbp", "sberpay", "yoomoney", "wallet"]
CancellationReason = Literal[
    "expired_on_confirmation",
    "card_expired",
    "insufficient_funds",
    "fraud_suspected",
    "provider_error",
    "three_d_secure_failed",
    "card_declined",
    "payment_method_unavailable",
    "user_blocked",
    "cancelled_by_user",
    "cancelled_by_platform",
]
RefundReason = Literal[
    "customer_request",
    "submission_withdrawn",
    "subscription_adjustment",
    "preorder_cancelled",
    "duplicate",
    "fraud",
    "other",
    # A top-up settled past the wallet's balance cap: the overflow goes back to the card.
    "wallet_cap_overflow",
]
#: Caller metadata echoed back: at most 16 keys of 64 characters, values of 512.
Metadata = Annotated[
    dict[
        Annotated[str, StringConstraints(min_length=1, max_length=64)],
        Annotated[str, StringConstraints(max_length=512)],
    ],
    Field(max_length=16),
]

_PAYMENT_WATCHERS = ("greenlight", "subscription", "catalog-library")
_GAME_PURPOSES = ("game_purchase", "preorder")


class _PaymentEvent(EventData):
    topic: ClassVar[str] = "payment.events.v1"
    producer: ClassVar[str] = "payment"


class _PaymentFacts(_PaymentEvent):
    """What every payment and refund outcome says about the payment, so callers can match it."""

    key_field: ClassVar[str] = "payment_id"
    consumers: ClassVar[tuple[str, ...]] = _PAYMENT_WATCHERS

    payment_id: UUID = Field(description="The payment: the aggregate.")
    user_id: UUID = Field(description="The payer.")
    purpose: PaymentPurpose = Field(description="What the payment is for.")
    reference: Reference | None = Field(
        description="The caller's own reference, as sent in CreatePayment / ChargeSavedMethod "
        '(e.g. "greenlight-submission:<uuid>"); null when none was sent.'
    )
    game_id: UUID | None = Field(description="The game, for game_purchase and preorder only.")

    @model_validator(mode="after")
    def _game_for_game_purposes(self) -> Self:
        if (self.purpose in _GAME_PURPOSES) != (self.game_id is not None):
            raise ValueError("game_id is set exactly for game_purchase and preorder")
        return self


class _PaymentOutcome(_PaymentFacts):
    amount: NonNegativeMoney = Field(
        description="What the user pays in total, after coupons and gift cards, wallet part "
        "included."
    )
    region: Region = Field(description="The buyer's region (ISO 3166-1 alpha-2).")
    saved_method_id: UUID | None = Field(
        description="The saved method, when one was saved by this payment or charged by it: use "
        "it for ChargeSavedMethod. Null otherwise."
    )
    metadata: Metadata = Field(description="The caller's metadata, as sent.")


@register
class PaymentSucceeded(_PaymentOutcome):
    """A payment succeeded: the money is received. The caller named by `purpose`/`reference`
    reacts: greenlight sends the submission to moderation, subscription activates or renews,
    the library grants the game."""

    event_type: ClassVar[str] = "payment.payment.succeeded.v1"

    method_type: PaymentMethodType = Field(description="How the user paid.")
    wallet_amount: NonNegativeMoney = Field(description="Part of `amount` paid from the wallet.")
    succeeded_at: UtcDatetime = Field(description="When the money was received.")

    example_data: ClassVar[dict[str, object]] = {
        "payment_id": ids.PAYMENT_ID,
        "user_id": ids.PLAYER_ID,
        "purpose": "game_purchase",
        "reference": "order:7c0e5a52-2b8f-4b0e-9a55-d5a1c9a7e001",
        "game_id": ids.GAME_ID,
        "amount": rub(99900),
        "region": "RU",
        "saved_method_id": None,
        "metadata": {},
        "method_type": "bank_card",
        "wallet_amount": rub(0),
        "succeeded_at": "2025-06-01T12:00:05Z",
    }

    @model_validator(mode="after")
    def _wallet_part_within_amount(self) -> Self:
        if self.wallet_amount.currency != self.amount.currency:
            raise ValueError("wallet_amount is in the payment's currency")
        if self.wallet_amount.amount_minor > self.amount.amount_minor:
            raise ValueError("wallet_amount is part of amount")
        return self


@register
class PaymentCancelled(_PaymentOutcome):
    """A payment ended without money (final). Callers release what they reserved; a cancelled
    `card_verification` with a `saved_method_id` means the card was bound (e.g. for a trial)."""

    event_type: ClassVar[str] = "payment.payment.cancelled.v1"

    method_type: PaymentMethodType | None = Field(
        description="The method tried; null if the user never chose one."
    )
    cancellation_reason: CancellationReason = Field(description="Why it was cancelled.")
    cancelled_at: UtcDatetime = Field(description="When it was cancelled.")

    example_data: ClassVar[dict[str, object]] = {
        "payment_id": ids.PAYMENT_ID,
        "user_id": ids.PLAYER_ID,
        "purpose": "subscription",
        "reference": f"subscription:{ids.SUBSCRIPTION_ID}:period:3",
        "game_id": None,
        "amount": rub(39900),
        "region": "RU",
        "saved_method_id": ids.SAVED_METHOD_ID,
        "metadata": {"attempt": "1"},
        "method_type": "bank_card",
        "cancellation_reason": "insufficient_funds",
        "cancelled_at": "2025-07-01T00:00:03Z",
    }


class _RefundOutcome(_PaymentFacts):
    refund_id: UUID = Field(description="The refund (a payment may have several partial ones).")
    amount: PositiveMoney = Field(description="Amount of this refund.")
    refund_reason: RefundReason = Field(description="Why the refund was asked for.")


@register
class RefundSucceeded(_RefundOutcome):
    """Money went back to the user. greenlight closes the withdrawn submission's fee,
    subscription adjusts, the library revokes a fully refunded game."""

    event_type: ClassVar[str] = "payment.refund.succeeded.v1"

    destination: Literal["original_method", "wallet"] = Field(
        description="Where the money went (the wallet cap may have forced the original method)."
    )
    refunded_total: PositiveMoney = Field(
        description="All succeeded refunds of the payment so far, this one included."
    )
    fully_refunded: bool = Field(description="True when nothing of the payment is left.")
    succeeded_at: UtcDatetime = Field(description="When the money was returned.")

    example_data: ClassVar[dict[str, object]] = {
        "payment_id": ids.PAYMENT_ID,
        "user_id": ids.PLAYER_ID,
        "purpose": "game_purchase",
        "reference": "order:7c0e5a52-2b8f-4b0e-9a55-d5a1c9a7e001",
        "game_id": ids.GAME_ID,
        "refund_id": ids.REFUND_ID,
        "amount": rub(99900),
        "refund_reason": "customer_request",
        "destination": "original_method",
        "refunded_total": rub(99900),
        "fully_refunded": True,
        "succeeded_at": "2025-06-03T09:00:00Z",
    }

    @model_validator(mode="after")
    def _total_covers_this_refund(self) -> Self:
        if self.refunded_total.currency != self.amount.currency:
            raise ValueError("refunded_total is in the refund's currency")
        if self.refunded_total.amount_minor < self.amount.amount_minor:
            raise ValueError("refunded_total includes this refund")
        return self


@register
class RefundFailed(_RefundOutcome):
    """A refund was rejected (by an admin or the provider); the payment stays as it was."""

    event_type: ClassVar[str] = "payment.refund.failed.v1"

    failure_reason: Text = Field(description="Why it failed.")
    failed_at: UtcDatetime = Field(description="When it failed.")

    example_data: ClassVar[dict[str, object]] = {
        "payment_id": ids.PAYMENT_ID,
        "user_id": ids.PLAYER_ID,
        "purpose": "greenlight_fee",
        "reference": f"greenlight-submission:{ids.SUBMISSION_ID}",
        "game_id": None,
        "refund_id": ids.REFUND_ID,
        "amount": rub(500000),
        "refund_reason": "submission_withdrawn",
        "failure_reason": "Провайдер отклонил возврат: карта закрыта",
        "failed_at": "2025-03-20T10:00:00Z",
    }


@register
class SaleRecorded(_PaymentEvent):
    """A game sale (or its reversal) was posted with its revenue split. Refunds and chargebacks
    carry negative amounts. developer-portal feeds its sales analytics."""

    event_type: ClassVar[str] = "payment.sale.recorded.v1"
    key_field: ClassVar[str] = "game_id"
    consumers: ClassVar[tuple[str, ...]] = ("developer-portal",)

    sale_id: UUID = Field(description="Ledger transaction id of this posting.")
    kind: Literal["purchase", "refund", "chargeback"] = Field(
        description="A purchase (positive amounts) or its reversal (negative amounts)."
    )
    game_id: UUID = Field(description="The game sold: the aggregate.")
    developer_id: UUID = Field(description="The developer who earns from it.")
    payment_id: UUID = Field(description="The payment behind the sale.")
    refund_id: UUID | None = Field(description="The refund, for kind `refund`; null otherwise.")
    region: Region = Field(description="The buyer's region.")
    gross_amount: Money = Field(description="What the buyer paid (or got back), VAT included.")
    platform_fee_amount: Money = Field(description="The platform's share.")
    net_amount: Money = Field(
        description="The developer's share: gross_amount minus platform_fee_amount."
    )
    recorded_at: UtcDatetime = Field(description="When it was posted.")

    example_data: ClassVar[dict[str, object]] = {
        "sale_id": ids.SALE_ID,
        "kind": "purchase",
        "game_id": ids.GAME_ID,
        "developer_id": ids.DEVELOPER_ID,
        "payment_id": ids.PAYMENT_ID,
        "refund_id": None,
        "region": "RU",
        "gross_amount": rub(99900),
        "platform_fee_amount": rub(29970),
        "net_amount": rub(69930),
        "recorded_at": "2025-06-01T12:00:06Z",
    }

    @model_validator(mode="after")
    def _split_adds_up(self) -> Self:
        parts = (self.gross_amount, self.platform_fee_amount, self.net_amount)
        if len({money.currency for money in parts}) != 1:
            raise ValueError("gross, fee and net are in one currency")
        if self.gross_amount.amount_minor != (
            self.platform_fee_amount.amount_minor + self.net_amount.amount_minor
        ):
            raise ValueError("gross_amount = platform_fee_amount + net_amount")
        sign = 1 if self.kind == "purchase" else -1
        if (
            any(money.amount_minor * sign < 0 for money in parts)
            or self.gross_amount.amount_minor == 0
        ):
            raise ValueError("a purchase is positive, a refund or chargeback negative")
        if (self.kind == "refund") != (self.refund_id is not None):
            raise ValueError("refund_id is set exactly for kind refund")
        return self


PayoutFailureCode = Literal[
    "insufficient_balance",
    "below_minimum",
    "developer_not_active",
    "payout_method_unavailable",
    "provider_rejected",
    "provider_error",
]


@register
class PayoutStatusChanged(_PaymentEvent):
    """A developer payout moved: `processing` (money held), then `completed` or `failed` (the hold
    returned). Always names the `payout_request_id` of ``developer.payout.requested.v1``;
    developer-portal updates the payout request and tells the developer (seed 001)."""

    event_type: ClassVar[str] = "payment.payout.status.changed.v1"
    key_field: ClassVar[str] = "developer_id"
    consumers: ClassVar[tuple[str, ...]] = ("developer-portal",)

    developer_id: UUID = Field(description="The developer paid out: the aggregate.")
    payout_request_id: UUID = Field(description="developer-portal's payout request id.")
    payment_service_transaction_id: UUID = Field(description="payment's id of the payout.")
    amount: PositiveMoney = Field(description="Amount of the payout.")
    new_status: Literal["processing", "completed", "failed"] = Field(
        description="Status after the change."
    )
    failure_reason_code: PayoutFailureCode | None = Field(
        description="Why it failed; null unless `failed`."
    )
    failure_reason_message: Text | None = Field(
        description="Human-readable detail of the failure; null unless `failed`."
    )
    processed_at: UtcDatetime = Field(description="When the status changed.")

    example_data: ClassVar[dict[str, object]] = {
        "developer_id": ids.DEVELOPER_ID,
        "payout_request_id": ids.PAYOUT_REQUEST_ID,
        "payment_service_transaction_id": ids.PAYOUT_ID,
        "amount": rub(5000000),
        "new_status": "completed",
        "failure_reason_code": None,
        "failure_reason_message": None,
        "processed_at": "2025-07-18T10:00:00Z",
    }

    @model_validator(mode="after")
    def _reason_only_when_failed(self) -> Self:
        if (self.new_status == "failed") != (self.failure_reason_code is not None):
            raise ValueError("failure_reason_code is set exactly when new_status is failed")
        if self.new_status != "failed" and self.failure_reason_message is not None:
            raise ValueError("failure_reason_message is only for a failed payout")
        return self


class _ReferralPayoutOutcome(_PaymentEvent):
    key_field: ClassVar[str] = "referral_payout_id"
    consumers: ClassVar[tuple[str, ...]] = ("social",)

    referral_payout_id: UUID = Field(description="payment's id of the payout: the aggregate.")
    reference: Reference = Field(description="The social service's id of its payout request.")
    user_id: UUID = Field(description="The referrer being paid.")
    amount: PositiveMoney = Field(description="Amount paid out.")
    destination: Literal["wallet", "bank_transfer", "e_wallet"] = Field(
        description="Where the money goes: the Parovoz wallet, a bank, an e-wallet."
    )


@register
class ReferralPayoutCompleted(_ReferralPayoutOutcome):
    """A referral payout asked for by the social service was paid ("PaymentCompleted" of seed
    004). The social service marks its reward paid."""

    event_type: ClassVar[str] = "payment.referral_payout.completed.v1"

    completed_at: UtcDatetime = Field(description="When the money was paid.")

    example_data: ClassVar[dict[str, object]] = {
        "referral_payout_id": ids.REFERRAL_PAYOUT_ID,
        "reference": "referral-reward:5521",
        "user_id": ids.PLAYER_ID,
        "amount": rub(50000),
        "destination": "wallet",
        "completed_at": "2025-05-01T10:00:00Z",
    }


@register
class ReferralPayoutFailed(_ReferralPayoutOutcome):
    """A referral payout could not be made ("PaymentFailed" of seed 004). The social service
    may ask again."""

    event_type: ClassVar[str] = "payment.referral_payout.failed.v1"

    failure_reason_code: Literal[
        "user_blocked", "destination_unavailable", "limit_exceeded", "provider_error"
    ] = Field(description="Why it failed.")
    failure_reason_message: Text | None = Field(description="Human-readable detail, if any.")
    failed_at: UtcDatetime = Field(description="When it failed.")

    example_data: ClassVar[dict[str, object]] = {
        "referral_payout_id": ids.REFERRAL_PAYOUT_ID,
        "reference": "referral-reward:5521",
        "user_id": ids.PLAYER_ID,
        "amount": rub(50000),
        "destination": "wallet",
        "failure_reason_code": "limit_exceeded",
        "failure_reason_message": "Wallet balance cap of 60,000.00 RUB would be passed",
        "failed_at": "2025-05-01T10:00:00Z",
    }


_CHARGEBACK_FACTS: dict[str, object] = {
    "payment_id": ids.PAYMENT_ID,
    "user_id": ids.PLAYER_ID,
    "purpose": "game_purchase",
    "reference": None,
    "game_id": ids.GAME_ID,
    "chargeback_id": "3b1f0b8e-6d1c-4f0a-9a51-2f6f3c9a7d10",
    "amount": rub(99900),
}


class _ChargebackEvent(_PaymentFacts):
    # The library takes the game away while the money is disputed, and gives it back if won.
    consumers: ClassVar[tuple[str, ...]] = ("catalog-library",)

    chargeback_id: UUID = Field(description="payment's id of the dispute.")
    amount: PositiveMoney = Field(description="The disputed amount (taken back by the acquirer).")


@register
class ChargebackOpened(_ChargebackEvent):
    """The cardholder disputed the payment with their bank: the acquirer took the money back,
    the sale is reversed in the ledger and the user's wallet is locked until the dispute ends.
    The library suspends the game's licence."""

    event_type: ClassVar[str] = "payment.chargeback.opened.v1"

    reason: Text | None = Field(description="The provider's reason code (e.g. `fraud`), if any.")
    opened_at: UtcDatetime = Field(description="When payment learned of the dispute.")

    example_data: ClassVar[dict[str, object]] = {
        **_CHARGEBACK_FACTS,
        "reason": "fraud",
        "opened_at": "2025-06-20T09:00:00Z",
    }


@register
class ChargebackResolved(_ChargebackEvent):
    """A dispute ended: `won` (the merchant proved the sale, the money came back and the sale
    stands again: the library restores the licence) or `lost` (the money stays with the
    cardholder: the licence stays revoked). Either way the wallet lock of this dispute ends."""

    event_type: ClassVar[str] = "payment.chargeback.resolved.v1"

    outcome: Literal["won", "lost"] = Field(description="Who won: `won` means the platform did.")
    resolved_at: UtcDatetime = Field(description="When the dispute ended.")

    example_data: ClassVar[dict[str, object]] = {
        **_CHARGEBACK_FACTS,
        "outcome": "won",
        "resolved_at": "2025-07-20T09:00:00Z",
    }

"""The words a payment is described in (PRODUCT.md "Payment"): what it is for, its statuses
and why it was cancelled, with the providers' spellings of statuses and cancellation reasons
mapped to ours."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from parovoz_kit.errors import ValidationFailed


class PaymentStatus(StrEnum):
    PENDING = "pending"
    WAITING_FOR_CAPTURE = "waiting_for_capture"
    SUCCEEDED = "succeeded"
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"


class CancellationReason(StrEnum):
    """Our vocabulary (``parovoz.payment.v1`` and the events); providers' reasons are mapped."""

    EXPIRED_ON_CONFIRMATION = "expired_on_confirmation"
    CARD_EXPIRED = "card_expired"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    FRAUD_SUSPECTED = "fraud_suspected"
    PROVIDER_ERROR = "provider_error"
    THREE_D_SECURE_FAILED = "three_d_secure_failed"
    CARD_DECLINED = "card_declined"
    PAYMENT_METHOD_UNAVAILABLE = "payment_method_unavailable"
    USER_BLOCKED = "user_blocked"
    CANCELLED_BY_USER = "cancelled_by_user"
    CANCELLED_BY_PLATFORM = "cancelled_by_platform"


class PaymentPurpose(StrEnum):
    GAME_PURCHASE = "game_purchase"
    SUBSCRIPTION = "subscription"
    GREENLIGHT_FEE = "greenlight_fee"
    WALLET_TOP_UP = "wallet_top_up"
    GIFT_CARD = "gift_card"
    DONATION = "donation"
    PREORDER = "preorder"
    CARD_VERIFICATION = "card_verification"


# ``on_hold`` is ours alone: no provider reports it.
_PROVIDER_STATUSES = frozenset(
    status.value for status in PaymentStatus if status is not PaymentStatus.ON_HOLD
)


def status_from_provider(raw: str) -> PaymentStatus:
    """A provider's payment status in our spelling (YooKassa says ``canceled``)."""
    normalized = raw.strip().lower().replace("canceled", "cancelled")
    if normalized not in _PROVIDER_STATUSES:
        raise ValidationFailed(
            f"Unknown provider payment status {raw!r}.", code="UNKNOWN_PROVIDER_STATUS"
        )
    return PaymentStatus(normalized)


_R = CancellationReason
#: YooKassa's ``cancellation_details.reason`` → ours
#: (https://yookassa.ru/developers/payments/declined-payments).
YOOKASSA_CANCELLATION_REASONS: Mapping[str, CancellationReason] = MappingProxyType(
    {
        "3d_secure_failed": _R.THREE_D_SECURE_FAILED,
        "call_issuer": _R.CARD_DECLINED,
        "general_decline": _R.CARD_DECLINED,
        "invalid_card_number": _R.CARD_DECLINED,
        "invalid_csc": _R.CARD_DECLINED,
        "card_expired": _R.CARD_EXPIRED,
        "insufficient_funds": _R.INSUFFICIENT_FUNDS,
        "fraud_suspected": _R.FRAUD_SUSPECTED,
        "expired_on_confirmation": _R.EXPIRED_ON_CONFIRMATION,
        # We cancel two-step payments ourselves, and an uncaptured one expiring is our doing too.
        "canceled_by_merchant": _R.CANCELLED_BY_PLATFORM,
        "expired_on_capture": _R.CANCELLED_BY_PLATFORM,
        "payment_method_restricted": _R.PAYMENT_METHOD_UNAVAILABLE,
        "payment_method_limit_exceeded": _R.PAYMENT_METHOD_UNAVAILABLE,
        "permission_revoked": _R.PAYMENT_METHOD_UNAVAILABLE,
        "country_forbidden": _R.PAYMENT_METHOD_UNAVAILABLE,
        "identification_required": _R.PAYMENT_METHOD_UNAVAILABLE,
        "unsupported_mobile_operator": _R.PAYMENT_METHOD_UNAVAILABLE,
        "issuer_unavailable": _R.PROVIDER_ERROR,
        "internal_timeout": _R.PROVIDER_ERROR,
        "deal_expired": _R.PROVIDER_ERROR,
    }
)


def cancellation_reason_from_provider(raw: str | None) -> CancellationReason:
    """A provider's cancellation reason in our vocabulary; unknown or missing → provider_error."""
    if not raw:
        return CancellationReason.PROVIDER_ERROR
    normalized = raw.strip().lower().replace("canceled", "cancelled")
    if normalized in {reason.value for reason in CancellationReason}:
        return CancellationReason(normalized)
    return YOOKASSA_CANCELLATION_REASONS.get(raw.strip().lower(), CancellationReason.PROVIDER_ERROR)

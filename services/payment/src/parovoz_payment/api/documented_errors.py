"""The business error codes each payment route answers, by HTTP status, for its OpenAPI
document (``parovoz_kit.http.openapi.error_responses``; the kit adds the generic ones: 400
VALIDATION_ERROR, 401, 403, 404 for path ids, Idempotency-Key's, 413, 415, 500, 503)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from parovoz_kit.http.openapi import error_responses

Codes = Mapping[int, Iterable[str]]

#: Every route that starts a payment (payments, top-ups, donations, gift cards, preorders).
PAYMENT_START: Codes = {
    400: ["UNKNOWN_PAYMENT_METHOD", "INVALID_EMAIL", "INVALID_AMOUNT"],
    403: ["PAYMENT_BLOCKED"],
    404: ["SAVED_METHOD_NOT_FOUND"],
    422: [
        "UNSUPPORTED_CURRENCY",
        "INSUFFICIENT_WALLET_BALANCE",
        "WALLET_LOCKED",
        "METHOD_NOT_AVAILABLE_FOR_CURRENCY",
        "METHOD_NOT_SUPPORTED_BY_PROVIDER",
        "CURRENCY_NOT_SUPPORTED_BY_PROVIDER",
        "PAYMENT_BLOCKED",
        "CARD_LOCKED",
        "PROVIDER_REJECTED",
    ],
    503: ["NO_PROVIDER_AVAILABLE", "PROVIDER_UNAVAILABLE"],
}


def documented(*groups: Codes) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: the union of its groups of codes."""
    merged: dict[int, list[str]] = {}
    for group in groups:
        for status, codes in group.items():
            merged.setdefault(status, [])
            merged[status] += [code for code in codes if code not in merged[status]]
    return error_responses(merged)


PAYMENT: Codes = {
    400: ["GAME_ID_REQUIRED", "INVALID_REFERENCE"],
    404: ["GAME_NOT_FOUND"],
    422: [
        "PAYMENT_PURPOSE_NOT_ALLOWED",
        "GAME_NOT_PUBLISHED",
        "AMOUNT_MISMATCH",
        "GAME_NOT_FOR_SALE",
        "GAME_IS_FREE",
        "NO_EXCHANGE_RATE",
        "WALLET_NOT_ALLOWED_FOR_PURPOSE",
        "INVALID_CARD_VERIFICATION",
        "COUPON_NOT_FOUND",
        "COUPON_NOT_STARTED",
        "COUPON_EXPIRED",
        "COUPON_DISABLED",
        "COUPON_EXHAUSTED",
        "COUPON_USER_LIMIT_REACHED",
        "COUPON_MIN_AMOUNT",
        "COUPON_NOT_APPLICABLE",
        "COUPON_CURRENCY_MISMATCH",
        "TOO_MANY_COUPONS",
        "GIFT_CARD_NOT_FOUND",
        "GIFT_CARD_NOT_APPLICABLE",
        "GIFT_CARD_EXPIRED",
        "GIFT_CARD_EXHAUSTED",
        "GIFT_CARD_CURRENCY_MISMATCH",
        "TOO_MANY_GIFT_CARDS",
    ],
    429: ["GIFT_CARD_ATTEMPTS_EXCEEDED"],
}
TOP_UP: Codes = {
    422: [
        "TOP_UP_METHOD_NOT_ALLOWED",
        "TOP_UP_BELOW_MINIMUM",
        "TOP_UP_ABOVE_MAXIMUM",
        "WALLET_BALANCE_CAP_EXCEEDED",
        "WALLET_CURRENCY_NOT_SUPPORTED",
    ]
}
DONATION: Codes = {
    400: ["DONATION_AMOUNT_NOT_POSITIVE", "DONATION_MESSAGE_TOO_LONG"],
    422: ["DONATION_TO_SELF", "DONATION_CURRENCY_NOT_SUPPORTED"],
}
STREAMER_BALANCE: Codes = {403: ["STREAMER_BALANCE_FORBIDDEN"]}
GIFT_CARD_PURCHASE: Codes = {
    400: ["GIFT_CARD_MESSAGE_TOO_LONG"],
    422: ["INVALID_GIFT_CARD_VALUE", "GIFT_CARD_CURRENCY_NOT_SUPPORTED"],
}
GIFT_CARD_REVEAL: Codes = {
    404: ["PAYMENT_NOT_FOUND", "GIFT_CARD_PURCHASE_NOT_FOUND"],
    409: ["GIFT_CARD_NOT_ISSUED", "GIFT_CARD_ALREADY_REVEALED"],
}
GIFT_CARD_ISSUE: Codes = {
    400: ["INVALID_GIFT_CARD_EXPIRY"],
    422: ["INVALID_GIFT_CARD_VALUE"],
}
GIFT_CARD_BALANCE: Codes = {
    404: ["GIFT_CARD_NOT_FOUND"],
    429: ["GIFT_CARD_ATTEMPTS_EXCEEDED"],
}
PREORDER: Codes = {
    404: ["GAME_NOT_FOUND"],
    422: [
        "AMOUNT_MISMATCH",
        "GAME_NOT_FOR_SALE",
        "GAME_IS_FREE",
        "GAME_ALREADY_RELEASED",
        "NO_EXCHANGE_RATE",
        "PARTIAL_PREPAYMENT_UNAVAILABLE",
    ],
}
PREORDER_READ: Codes = {404: ["PREORDER_NOT_FOUND"]}
PREORDER_CANCEL: Codes = {
    404: ["PREORDER_NOT_FOUND"],
    422: ["PREORDER_NOT_CANCELLABLE", "ILLEGAL_PREORDER_STATE"],
}
PAYMENT_READ: Codes = {404: ["PAYMENT_NOT_FOUND"]}
REFUND_REQUEST: Codes = {
    400: ["INVALID_AMOUNT", "INVALID_REFUND_REASON"],
    403: ["REFUND_REASON_NOT_ALLOWED"],
    404: ["PAYMENT_NOT_FOUND"],
    422: [
        "CURRENCY_MISMATCH",
        "PAYMENT_NOT_REFUNDABLE",
        "REFUND_EXCEEDS_CAPTURED",
        "REFUND_WOULD_EXCEED_WALLET_CAP",
        "PAYMENT_DISPUTED",
        "PREORDER_OPEN",
    ],
    503: ["PROVIDER_UNAVAILABLE"],
}
REFUND_DECISION: Codes = {
    404: ["REFUND_NOT_FOUND"],
    422: ["ILLEGAL_REFUND_TRANSITION", "REFUND_WOULD_EXCEED_WALLET_CAP"],
    503: ["PROVIDER_UNAVAILABLE"],
}
COUPON_CREATION: Codes = {
    400: [
        "INVALID_COUPON_CODE",
        "INVALID_COUPON_DISCOUNT",
        "INVALID_MIN_ORDER",
        "INVALID_COUPON_LIMIT",
        "INVALID_COUPON_PERIOD",
    ],
    409: ["COUPON_CODE_TAKEN"],
    422: ["CURRENCY_MISMATCH"],
}
COUPON_DISABLE: Codes = {404: ["COUPON_NOT_FOUND"]}
RATE_CHANGE: Codes = {
    400: ["INVALID_RATE"],
    422: ["BASE_CURRENCY_RATE", "UNSUPPORTED_CURRENCY"],
}
GAME_PRICE: Codes = {422: ["NO_EXCHANGE_RATE"]}
FRAUD_RULE_CHANGE: Codes = {
    400: ["UNKNOWN_RULE_PARAMETER", "INVALID_RULE_PARAMETER", "INVALID_RULE_ACTION"],
    404: ["FRAUD_RULE_NOT_FOUND"],
}
HOLD_DECISION: Codes = {
    404: ["PAYMENT_NOT_FOUND"],
    422: ["PAYMENT_NOT_ON_HOLD", "HOLD_ALREADY_DECIDED"],
}
SAVED_METHOD_REMOVAL: Codes = {404: ["SAVED_METHOD_NOT_FOUND"]}
REFERRAL_PAYOUT: Codes = {
    400: ["REFERRAL_AMOUNT_NOT_POSITIVE", "REFERRAL_INVALID_REFERENCE"],
    409: ["REFERRAL_REFERENCE_REUSED"],
    422: ["REFERRAL_DESTINATION_NOT_SUPPORTED", "REFERRAL_CURRENCY_NOT_SUPPORTED"],
}
PAYOUT_DESTINATION_CHANGE: Codes = {400: ["INVALID_PAYOUT_DESTINATION"]}
PAYOUT_DESTINATION_READ: Codes = {404: ["PAYOUT_DESTINATION_NOT_FOUND"]}
WEBHOOK: Codes = {400: ["WEBHOOK_BODY_INVALID"], 401: ["WEBHOOK_SIGNATURE_INVALID"]}

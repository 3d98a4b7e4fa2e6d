"""Billing's configurable numbers of the money side (PRODUCT.md "Subscription"), built by
``settings.billing_rules()``. Renewals and dunning have theirs in ``renewal_rules.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class BillingRules:
    #: The subscriber gets the whole first payment back within this time of paying it.
    owner_refund_window: timedelta
    #: The authorization that binds a card (payment accepts exactly 1.00 RUB), in minor units.
    card_verification_amount_minor: int
    card_verification_currency: str
    #: Where the provider sends the user back after confirming, when the request names none.
    payment_return_url: str

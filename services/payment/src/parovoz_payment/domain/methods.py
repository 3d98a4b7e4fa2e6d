"""Payment methods, providers and routing: which acquirer may take a payment, in which order.

Routing is a table (method, currency) → providers in order of preference; the first provider
whose circuit breaker is closed gets the payment (failover). A saved method is a provider's
token, so it can only be charged where it was saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from parovoz_kit.errors import BusinessRuleViolation, Unavailable, ValidationFailed

METHOD_POINTER = "/data/attributes/method"
#: Currency column of a route that matches every currency not listed explicitly.
ANY_CURRENCY = "*"


class PaymentMethod(StrEnum):
    BANK_CARD = "bank_card"
    SBP = "sbp"
    SBERPAY = "sberpay"
    YOOMONEY = "yoomoney"
    #: The user's Parovoz wallet balance: no provider is involved.
    WALLET = "wallet"


class Provider(StrEnum):
    YOOKASSA = "yookassa"
    TBANK = "tbank"


@dataclass(frozen=True)
class MethodChoice:
    """What the payer picked: a method type, a saved method, or nothing (choose at the
    provider's page). At most one of the two is set."""

    method: PaymentMethod | None = None
    saved_method_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.method is not None and self.saved_method_id is not None:
            raise ValueError("a choice is either a method type or a saved method, not both")


def parse_method_choice(raw: str | None, pointer: str = METHOD_POINTER) -> MethodChoice:
    """``bank_card`` / ``sbp`` / ``sberpay`` / ``yoomoney`` / ``wallet`` or a saved method id."""
    if raw is None or raw == "":
        return MethodChoice()
    try:
        return MethodChoice(method=PaymentMethod(raw))
    except ValueError:
        pass
    try:
        return MethodChoice(saved_method_id=uuid.UUID(raw))
    except ValueError:
        raise ValidationFailed(
            f"Unknown payment method {raw!r}: use one of "
            f"{', '.join(m.value for m in PaymentMethod)} or a saved method id.",
            code="UNKNOWN_PAYMENT_METHOD",
            pointer=pointer,
        ) from None


def _default_routes() -> Mapping[tuple[PaymentMethod, str], tuple[Provider, ...]]:
    return MappingProxyType(
        {
            # T-Bank acquiring is wired for RUB bank cards only; YooKassa first (more methods,
            # so one provider sees most of a user's attempts for the fraud rules).
            (PaymentMethod.BANK_CARD, "RUB"): (Provider.YOOKASSA, Provider.TBANK),
            (PaymentMethod.BANK_CARD, ANY_CURRENCY): (Provider.YOOKASSA,),
            # SBP, SberPay and the YooMoney wallet settle in roubles only.
            (PaymentMethod.SBP, "RUB"): (Provider.YOOKASSA,),
            (PaymentMethod.SBERPAY, "RUB"): (Provider.YOOKASSA,),
            (PaymentMethod.YOOMONEY, "RUB"): (Provider.YOOKASSA,),
        }
    )


@dataclass(frozen=True)
class RoutingRules:
    """Routing table; settings may replace it or switch a provider off."""

    routes: Mapping[tuple[PaymentMethod, str], tuple[Provider, ...]] = field(
        default_factory=_default_routes
    )
    disabled_providers: frozenset[Provider] = frozenset()
    #: Used when the payer has not chosen a method: the provider's page offers its own choice.
    method_when_unchosen: PaymentMethod = PaymentMethod.BANK_CARD


def candidate_providers(
    choice: MethodChoice | PaymentMethod | None,
    currency: str,
    rules: RoutingRules | None = None,
    *,
    saved_with: Provider | None = None,
) -> tuple[Provider, ...]:
    """Providers that may take the payment, in order of preference (never empty).

    ``saved_with`` is the provider that holds the saved method's token, required when the
    choice is a saved method.
    """
    rules = rules or RoutingRules()
    if not isinstance(choice, MethodChoice):
        choice = MethodChoice(method=choice)
    if choice.saved_method_id is not None:
        if saved_with is None:
            raise ValueError("saved_with is required to route a saved method")
        candidates: tuple[Provider, ...] = (saved_with,)
    else:
        method = choice.method or rules.method_when_unchosen
        if method is PaymentMethod.WALLET:
            raise BusinessRuleViolation(
                "A payment from the wallet needs no provider.", code="WALLET_NEEDS_NO_PROVIDER"
            )
        routed = rules.routes.get((method, currency)) or rules.routes.get((method, ANY_CURRENCY))
        if not routed:
            raise BusinessRuleViolation(
                f"{method.value} is not available for payments in {currency}.",
                code="METHOD_NOT_AVAILABLE_FOR_CURRENCY",
                pointer=METHOD_POINTER,
            )
        candidates = routed
    enabled = tuple(p for p in candidates if p not in rules.disabled_providers)
    if not enabled:
        raise Unavailable(
            "No payment provider is enabled for this method.", code="NO_PROVIDER_AVAILABLE"
        )
    return enabled


def choose_provider(
    candidates: Sequence[Provider], is_open: Callable[[Provider], bool]
) -> Provider:
    """The first candidate whose circuit breaker is not open (failover in routing order)."""
    for provider in candidates:
        if not is_open(provider):
            return provider
    raise Unavailable(
        "Every payment provider for this method is unavailable right now; try again later.",
        code="NO_PROVIDER_AVAILABLE",
    )

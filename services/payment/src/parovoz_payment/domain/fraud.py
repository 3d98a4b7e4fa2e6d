"""Fraud rules (PRODUCT.md "Payment"): switchable rows, evaluated on every payment creation.

Defaults (seeded by migration 0015):

- ``card_failures``: more than 5 failed attempts with one card in 10 minutes → the card is
  locked for 24 h (a payment with it is refused, ``CARD_LOCKED``);
- ``distinct_cards``: more than 3 distinct cards for one user in 24 h → review;
- ``new_account_large_payment``: one payment over 100,000.00 RUB from an account younger than
  7 days → review;
- ``blocked_user``: a user the user service blocked cannot pay (``PAYMENT_BLOCKED``).

Review means the payment is created ``on_hold`` and waits for an admin. When the user service
cannot be asked (down, timing out, circuit open) the screen **fails closed**: the payment is
held for review rather than let through unchecked — a late purchase costs less than a payment
from a blocked account. A user the user service does not know is not blocked but has no known
account age, so the large-payment rule treats the account as new.

The card is the provider's card identity (first6 + last4 + expiry, hashed): known before the
payment only for a saved method; otherwise learned from the provider's report afterwards.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied, ValidationFailed

from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import CancellationReason


class FraudRuleKind(StrEnum):
    CARD_FAILURES = "card_failures"
    DISTINCT_CARDS = "distinct_cards"
    NEW_ACCOUNT_LARGE_PAYMENT = "new_account_large_payment"
    BLOCKED_USER = "blocked_user"


class FraudAction(StrEnum):
    LOCK_CARD = "lock_card"
    REVIEW = "review"
    BLOCK = "block"


#: What each kind may do; the first is its default.
ALLOWED_ACTIONS: Mapping[FraudRuleKind, tuple[FraudAction, ...]] = {
    FraudRuleKind.CARD_FAILURES: (FraudAction.LOCK_CARD,),
    FraudRuleKind.DISTINCT_CARDS: (FraudAction.REVIEW, FraudAction.BLOCK),
    FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT: (FraudAction.REVIEW, FraudAction.BLOCK),
    FraudRuleKind.BLOCKED_USER: (FraudAction.BLOCK,),
}

#: PRODUCT.md's numbers; each a positive integer parameter of its kind.
DEFAULT_PARAMETERS: Mapping[FraudRuleKind, Mapping[str, int]] = {
    FraudRuleKind.CARD_FAILURES: {"max_failures": 5, "window_seconds": 600, "lock_seconds": 86400},
    FraudRuleKind.DISTINCT_CARDS: {"max_cards": 3, "window_seconds": 86400},
    FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT: {
        "threshold_rub_minor": 10_000_000,
        "max_account_age_seconds": 604800,
    },
    FraudRuleKind.BLOCKED_USER: {},
}

#: Cancellations that say something about the card (its failures lock it).
CARD_FAILURE_REASONS = frozenset(
    {
        CancellationReason.CARD_DECLINED,
        CancellationReason.CARD_EXPIRED,
        CancellationReason.INSUFFICIENT_FUNDS,
        CancellationReason.THREE_D_SECURE_FAILED,
        CancellationReason.FRAUD_SUSPECTED,
    }
)

_PARAMETERS_POINTER = "/data/attributes/parameters"
#: A parameter is seconds, a count or an amount in kopecks: int32 keeps every window within
#: the calendar (68 years) and every threshold within 21,474,836.47 RUB.
MAX_PARAMETER = 2**31 - 1


def check_parameters(kind: FraudRuleKind, raw: Mapping[str, Any]) -> dict[str, int]:
    """Exactly the kind's parameter names, each a positive integer up to :data:`MAX_PARAMETER`
    (JSON numbers, no floats)."""
    expected = DEFAULT_PARAMETERS[kind]
    for name in raw:
        if name not in expected:
            raise ValidationFailed(
                f"{kind.value} has no parameter {name!r} "
                f"(it has: {', '.join(expected) or 'none'}).",
                code="UNKNOWN_RULE_PARAMETER",
                pointer=f"{_PARAMETERS_POINTER}/{name}",
            )
    checked = dict(expected)
    for name, value in raw.items():
        if type(value) is not int or not 0 < value <= MAX_PARAMETER:
            raise ValidationFailed(
                f"{name} is a whole number from 1 to {MAX_PARAMETER}.",
                code="INVALID_RULE_PARAMETER",
                pointer=f"{_PARAMETERS_POINTER}/{name}",
            )
        checked[name] = value
    return checked


@dataclass(frozen=True)
class FraudRule:
    id: uuid.UUID
    kind: FraudRuleKind
    enabled: bool
    parameters: Mapping[str, int]
    action: FraudAction

    def param(self, name: str) -> int:
        return int(self.parameters.get(name, DEFAULT_PARAMETERS[self.kind][name]))

    def window(self, name: str = "window_seconds") -> timedelta:
        return timedelta(seconds=self.param(name))

    def changed(
        self,
        *,
        enabled: bool | None = None,
        parameters: Mapping[str, Any] | None = None,
        action: FraudAction | None = None,
    ) -> FraudRule:
        """An admin's change: only what is given changes; parameters are merged and checked."""
        if action is not None and action not in ALLOWED_ACTIONS[self.kind]:
            allowed = ", ".join(a.value for a in ALLOWED_ACTIONS[self.kind])
            raise ValidationFailed(
                f"A {self.kind.value} rule can only {allowed}.",
                code="INVALID_RULE_ACTION",
                pointer="/data/attributes/action",
            )
        merged = self.parameters
        if parameters is not None:
            merged = check_parameters(self.kind, {**self.parameters, **parameters})
        return replace(
            self,
            enabled=self.enabled if enabled is None else enabled,
            parameters=merged,
            action=action or self.action,
        )

    def audit_state(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "enabled": self.enabled,
            "parameters": dict(self.parameters),
            "action": self.action.value,
        }


def card_fingerprint(first6: str, last4: str, expiry_month: str, expiry_year: str) -> str | None:
    """One card's identity as providers report it (never the number): a hash of first6, last4
    and expiry; None when a part is missing or malformed."""
    month, year = expiry_month.strip().zfill(2), expiry_year.strip()
    if len(year) == 2:
        year = f"20{year}"
    parts = (first6.strip(), last4.strip(), month, year)
    lengths = (6, 4, 2, 4)
    if not all(p.isdigit() and len(p) == n for p, n in zip(parts, lengths, strict=True)):
        return None
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class UserFacts:
    """What the user service says about the payer."""

    blocked: bool
    #: None when the user service has no profile for the user.
    account_created_at: datetime | None
    #: The account's e-mail (the 54-FZ receipt's contact when a payment names none), if any.
    email: str | None = None


@dataclass(frozen=True)
class PaymentFacts:
    """Everything the rules look at, gathered before the payment exists."""

    now: datetime
    #: The payment's amount in roubles; None when its currency has no rate.
    amount_rub: Money | None
    #: None: the user service could not be asked.
    user: UserFacts | None
    #: Distinct cards seen for the user inside the rule's window (the payment's own included).
    distinct_cards: int = 0
    #: Until when the payment's card (a saved method's) is locked, if it is.
    card_locked_until: datetime | None = None


@dataclass(frozen=True)
class FraudVerdict:
    #: (rule kind, why) of every rule asking for review.
    review: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def holds(self) -> bool:
        return bool(self.review)


def _refuse(action: FraudAction, kind: FraudRuleKind, reason: str) -> FraudVerdict:
    if action is FraudAction.BLOCK:
        raise BusinessRuleViolation(f"The payment is refused: {reason}.", code="PAYMENT_BLOCKED")
    return FraudVerdict(((kind.value, reason),))


def evaluate(rules: Sequence[FraudRule], facts: PaymentFacts) -> FraudVerdict:
    """Raise for a refusal (``PAYMENT_BLOCKED`` 403, ``CARD_LOCKED`` 422); otherwise the rules
    asking for review (none: the payment goes on)."""
    review: list[tuple[str, str]] = []
    enabled = {rule.kind: rule for rule in rules if rule.enabled}
    if FraudRuleKind.BLOCKED_USER in enabled and facts.user is not None and facts.user.blocked:
        raise PermissionDenied("This account is blocked and cannot pay.", code="PAYMENT_BLOCKED")
    locked = facts.card_locked_until
    if FraudRuleKind.CARD_FAILURES in enabled and locked is not None and locked > facts.now:
        raise BusinessRuleViolation(
            f"This card is locked after repeated failed payments until {locked.isoformat()}; "
            "use another method.",
            code="CARD_LOCKED",
        )
    needs_user = {FraudRuleKind.BLOCKED_USER, FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT}
    if facts.user is None and needs_user & enabled.keys():
        review.append(("user_service_unavailable", "the user service could not be asked"))
    rule = enabled.get(FraudRuleKind.DISTINCT_CARDS)
    if rule is not None and facts.distinct_cards > rule.param("max_cards"):
        why = f"{facts.distinct_cards} cards within {rule.window()}"
        review.extend(_refuse(rule.action, rule.kind, why).review)
    rule = enabled.get(FraudRuleKind.NEW_ACCOUNT_LARGE_PAYMENT)
    if rule is not None and facts.user is not None:
        threshold = Money(rule.param("threshold_rub_minor"), "RUB")
        large = facts.amount_rub is None or facts.amount_rub > threshold
        created = facts.user.account_created_at
        young = created is None or facts.now - created < rule.window("max_account_age_seconds")
        if large and young:
            why = "a large payment from a new account"
            review.extend(_refuse(rule.action, rule.kind, why).review)
    return FraudVerdict(tuple(review))


class HoldDecision(StrEnum):
    RELEASE = "release"
    REJECT = "reject"


@dataclass(frozen=True)
class PaymentHold:
    payment_id: uuid.UUID
    reasons: tuple[tuple[str, str], ...]
    return_url: str | None
    held_at: datetime
    decision: HoldDecision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None

    def decide(
        self, decision: HoldDecision, admin: str, now: datetime, comment: str | None
    ) -> PaymentHold:
        if self.decision is not None:
            raise BusinessRuleViolation(
                f"This hold was already decided ({self.decision.value}).",
                code="HOLD_ALREADY_DECIDED",
            )
        return replace(self, decision=decision, decided_by=admin, decided_at=now, comment=comment)

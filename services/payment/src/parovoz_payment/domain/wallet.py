"""The user's wallet: top-up limits, the 161-FZ balance cap, paying wallet-first, the lock.

The ledger is the source of truth for the balance (and refuses an overdraft under
concurrency); these rules are the domain's first word, with messages a user understands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_payment.domain.methods import METHOD_POINTER
from parovoz_payment.domain.money import Money

AMOUNT_POINTER = "/data/attributes/amount"
CURRENCY_POINTER = "/data/attributes/currency"


def format_amount(money: Money) -> str:
    """``Money(1_500_000, "RUB")`` → ``"15,000.00 RUB"`` (every currency we take has 2 decimals)."""
    sign = "-" if money.amount_minor < 0 else ""
    units, cents = divmod(abs(money.amount_minor), 100)
    return f"{sign}{units:,}.{cents:02d} {money.currency}"


@dataclass(frozen=True)
class WalletRules:
    """The wallet's limits in minor units of ``currency``: each top-up within
    ``min_top_up..max_top_up``, the balance never above ``balance_cap`` (161-FZ's cap for a
    simplified-identification e-wallet). Built once from the settings
    (``PaymentSettings.wallet_rules``), where PRODUCT.md's numbers are; no defaults here, so
    no path can check against numbers of its own."""

    min_top_up: int
    max_top_up: int
    balance_cap: int
    #: The only currency a wallet holds.
    currency: str

    def __post_init__(self) -> None:
        if not 0 < self.min_top_up <= self.max_top_up <= self.balance_cap:
            raise ValueError("wallet rules need 0 < min_top_up <= max_top_up <= balance_cap")


@dataclass(frozen=True)
class PaymentSplit:
    """How a payment is paid: ``wallet`` first, the rest (``card``) at a provider."""

    wallet: Money
    card: Money

    @property
    def total(self) -> Money:
        return self.wallet + self.card


def _check_currency(amount: Money, rules: WalletRules) -> None:
    if amount.currency != rules.currency:
        raise BusinessRuleViolation(
            f"The wallet holds {rules.currency} only; {amount.currency} is not accepted yet.",
            code="WALLET_CURRENCY_NOT_SUPPORTED",
            pointer=CURRENCY_POINTER,
        )


def _cap_exceeded(balance: Money, credit: Money, rules: WalletRules) -> BusinessRuleViolation:
    cap = Money(rules.balance_cap, rules.currency)
    return BusinessRuleViolation(
        f"The wallet may hold at most {format_amount(cap)}; "
        f"with {format_amount(credit)} it would hold {format_amount(balance + credit)}.",
        code="WALLET_BALANCE_CAP_EXCEEDED",
        pointer=AMOUNT_POINTER,
    )


@dataclass(frozen=True)
class Wallet:
    """A user's wallet with the rules it lives by: every credit (a top-up, a refund, a
    referral reward, a settlement) asks the wallet itself, so one rules object decides."""

    user_id: uuid.UUID
    balance: Money
    rules: WalletRules
    #: Set when a chargeback is disputed: spending is refused, money may still come in.
    locked: bool = False

    @classmethod
    def empty(cls, user_id: uuid.UUID, rules: WalletRules) -> Wallet:
        return cls(user_id, Money.zero(rules.currency), rules)

    @property
    def currency(self) -> str:
        return self.balance.currency

    def headroom(self) -> Money:
        """How much more the wallet may receive before the balance cap (nothing in a currency
        the wallet does not hold)."""
        if self.currency != self.rules.currency:
            return Money.zero(self.currency)
        cap = Money(self.rules.balance_cap, self.currency)
        return cap - self.balance if self.balance < cap else Money.zero(self.currency)

    def can_receive(self, credit: Money) -> bool:
        return credit.currency == self.rules.currency and credit <= self.headroom()

    def fitting(self, credit: Money) -> Money:
        """The part of ``credit`` the wallet may take now (the rest would pass the cap)."""
        if credit.currency != self.currency:
            return Money.zero(credit.currency)
        room = self.headroom()
        return credit if credit <= room else room

    def check_top_up(self, amount: Money) -> None:
        """Refuse a top-up outside the per-top-up limits or beyond the balance cap."""
        rules = self.rules
        _check_currency(amount, rules)
        low, high = Money(rules.min_top_up, rules.currency), Money(rules.max_top_up, rules.currency)
        if amount < low:
            raise BusinessRuleViolation(
                f"A top-up is at least {format_amount(low)}.",
                code="TOP_UP_BELOW_MINIMUM",
                pointer=AMOUNT_POINTER,
            )
        if amount > high:
            raise BusinessRuleViolation(
                f"A top-up is at most {format_amount(high)}.",
                code="TOP_UP_ABOVE_MAXIMUM",
                pointer=AMOUNT_POINTER,
            )
        if not self.can_receive(amount):
            raise _cap_exceeded(self.balance, amount, rules)

    def top_up(self, amount: Money) -> Wallet:
        self.check_top_up(amount)
        return replace(self, balance=self.balance + amount)

    def receive(self, credit: Money) -> Wallet:
        """Money back into the wallet (a refund): no per-top-up limits, the cap still holds."""
        _check_currency(credit, self.rules)
        if not credit.is_positive:
            raise ValueError("a wallet credit is positive")
        if not self.can_receive(credit):
            raise _cap_exceeded(self.balance, credit, self.rules)
        return replace(self, balance=self.balance + credit)

    def check_spend(self, amount: Money) -> None:
        if self.locked:
            raise BusinessRuleViolation(
                "The wallet is locked while a payment dispute is open.", code="WALLET_LOCKED"
            )
        if amount.currency != self.currency:
            raise BusinessRuleViolation(
                f"The wallet holds {self.currency}; it cannot pay in {amount.currency}.",
                code="WALLET_CURRENCY_MISMATCH",
                pointer=CURRENCY_POINTER,
            )
        if amount > self.balance:
            raise BusinessRuleViolation(
                f"The wallet holds {format_amount(self.balance)}, "
                f"less than {format_amount(amount)}.",
                code="INSUFFICIENT_WALLET_BALANCE",
            )

    def spend(self, amount: Money) -> Wallet:
        if not amount.is_positive:
            raise ValueError("a wallet spend is positive")
        self.check_spend(amount)
        return replace(self, balance=self.balance - amount)

    def lock(self) -> Wallet:
        return self if self.locked else replace(self, locked=True)

    def unlock(self) -> Wallet:
        return replace(self, locked=False) if self.locked else self


def check_top_up_start(wallet: Wallet, amount: Money, *, from_wallet: bool) -> None:
    """A ``wallet_top_up`` payment may start, whichever endpoint or RPC starts it: within the
    wallet's limits and cap, and not paid from the wallet it tops up."""
    if from_wallet:
        raise BusinessRuleViolation(
            "A wallet is not topped up from itself.",
            code="TOP_UP_METHOD_NOT_ALLOWED",
            pointer=METHOD_POINTER,
        )
    wallet.check_top_up(amount)


def split_payment(
    total: Money, wallet_balance: Money, use_wallet: bool, *, wallet_locked: bool = False
) -> PaymentSplit:
    """Wallet first, the rest to the card; both parts non-negative and summing to ``total``."""
    if not total.is_positive:
        raise ValueError("a payment total is positive")
    nothing = Money.zero(total.currency)
    if not use_wallet:
        return PaymentSplit(wallet=nothing, card=total)
    if wallet_locked:
        raise BusinessRuleViolation(
            "The wallet is locked while a payment dispute is open.", code="WALLET_LOCKED"
        )
    if wallet_balance.currency != total.currency:
        raise BusinessRuleViolation(
            f"The wallet holds {wallet_balance.currency}; it cannot pay in {total.currency}.",
            code="WALLET_CURRENCY_MISMATCH",
            pointer=CURRENCY_POINTER,
        )
    available = wallet_balance if wallet_balance.is_positive else nothing
    from_wallet = available if available < total else total
    return PaymentSplit(wallet=from_wallet, card=total - from_wallet)

"""Double-entry ledger rules, free of any database (TigerBeetle-like accounts and limits).

An account belongs to an owner (a user, a developer, the platform, a provider, a streamer),
has a purpose and one currency. A transaction is a set of entries whose debits equal its
credits in every currency. Balances are two counters, ``debits_posted`` and ``credits_posted``;
an account may carry one limit:

- ``debits_must_not_exceed_credits``: a liability we hold for someone (a wallet, a developer's
  payable) -- it can never go below zero;
- ``credits_must_not_exceed_debits``: the mirror, for asset-like accounts that must not flip.

Sign convention used by every caller: money owed to an owner is a *credit* on their account
(a top-up credits the user's wallet, a sale credits the developer's pending payable), money the
provider owes the platform is a *debit* on provider clearing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.money import CurrencyMismatch, Money

#: Namespace of transaction ids: id = uuid5(LEDGER_NAMESPACE, idempotency key). Never change it,
#: or retried requests from before the change would post twice.
LEDGER_NAMESPACE = uuid.UUID("6f1c1d2e-5b0e-4c52-9a8e-2d6b1f0c7a41")


class OwnerType(StrEnum):
    USER = "user"
    DEVELOPER = "developer"
    PLATFORM = "platform"
    PROVIDER = "provider"
    STREAMER = "streamer"


class BalanceLimit(StrEnum):
    NONE = "none"
    DEBITS_MUST_NOT_EXCEED_CREDITS = "debits_must_not_exceed_credits"
    CREDITS_MUST_NOT_EXCEED_DEBITS = "credits_must_not_exceed_debits"


class AccountPurpose(StrEnum):
    USER_WALLET = "user_wallet"
    #: The wallet part of split payments waiting for the card part (see use_cases/wallet_holds).
    USER_WALLET_HOLD = "user_wallet_hold"
    DEVELOPER_PAYABLE_PENDING = "developer_payable_pending"
    DEVELOPER_PAYABLE_AVAILABLE = "developer_payable_available"
    DEVELOPER_PAYOUT_HOLD = "developer_payout_hold"
    #: What a developer owes the platform: a sale's share taken back (refund, chargeback) after
    #: it was paid out. Netted against their next released sales (``use_cases.funds_release``).
    DEVELOPER_RECEIVABLE = "developer_receivable"
    #: What a user owes the platform: a disputed top-up's money already spent from the wallet
    #: (``use_cases.chargebacks``).
    USER_RECEIVABLE = "user_receivable"
    STREAMER_BALANCE = "streamer_balance"
    #: What a streamer owes the platform: a donation's share taken back (refund) after it left
    #: their balance. Netted against their next donations (``use_cases.donations``).
    STREAMER_RECEIVABLE = "streamer_receivable"
    REFERRAL_PAYABLE = "referral_payable"
    PLATFORM_REVENUE = "platform_revenue"
    #: Suspense: game sales settled while developer-portal could not say who earns; moved to
    #: the developer and the platform once it can (``use_cases.sale_attribution``).
    UNATTRIBUTED_SALES = "unattributed_sales"
    PROVIDER_CLEARING = "provider_clearing"
    PAYOUT_CLEARING = "payout_clearing"
    REFUNDS_PAYABLE = "refunds_payable"
    GIFT_CARD_LIABILITY = "gift_card_liability"
    #: A user's preorder prepayments: owed to them until the game's release makes them a sale.
    PREORDER_ADVANCE = "preorder_advance"
    #: What promotions cost the platform (promotional gift cards are booked from here).
    MARKETING_EXPENSE = "marketing_expense"
    VAT_PAYABLE = "vat_payable"

    @property
    def limit(self) -> BalanceLimit:
        return _LIMITS.get(self, BalanceLimit.NONE)


# What someone is owed can't go below zero; platform revenue, clearing and tax accounts move
# both ways (refunds reverse revenue, a provider may refund before it settles).
_LIMITS = {
    AccountPurpose.USER_WALLET: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.USER_WALLET_HOLD: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.DEVELOPER_PAYABLE_PENDING: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.DEVELOPER_PAYABLE_AVAILABLE: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.DEVELOPER_PAYOUT_HOLD: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.STREAMER_BALANCE: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.REFERRAL_PAYABLE: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.GIFT_CARD_LIABILITY: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.UNATTRIBUTED_SALES: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.PREORDER_ADVANCE: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountPurpose.REFUNDS_PAYABLE: BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS,
    # An asset: the developer owes it; it never flips into money the platform owes them.
    AccountPurpose.DEVELOPER_RECEIVABLE: BalanceLimit.CREDITS_MUST_NOT_EXCEED_DEBITS,
    AccountPurpose.USER_RECEIVABLE: BalanceLimit.CREDITS_MUST_NOT_EXCEED_DEBITS,
    AccountPurpose.STREAMER_RECEIVABLE: BalanceLimit.CREDITS_MUST_NOT_EXCEED_DEBITS,
}


class Direction(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


@dataclass(frozen=True, slots=True)
class AccountKey:
    """What identifies an account: owner, purpose, currency (unique in the ledger)."""

    owner_type: OwnerType
    #: A user/developer/streamer id, a provider name ("yookassa"); None for platform-wide.
    owner_id: str | None
    purpose: AccountPurpose
    currency: str

    def __post_init__(self) -> None:
        Money.zero(self.currency)  # validates the code
        if (self.owner_type is OwnerType.PLATFORM) != (self.owner_id is None):
            raise ValidationFailed(
                "platform accounts have no owner id; every other account has one",
                code="LEDGER_INVALID_OWNER",
            )

    @classmethod
    def of(
        cls,
        owner_type: OwnerType | str,
        owner_id: uuid.UUID | str | None,
        purpose: AccountPurpose | str,
        currency: str,
    ) -> AccountKey:
        return cls(
            OwnerType(owner_type),
            None if owner_id is None else str(owner_id),
            AccountPurpose(purpose),
            currency,
        )


@dataclass(frozen=True, slots=True)
class Account:
    id: uuid.UUID
    key: AccountKey
    limit: BalanceLimit
    debits_posted: int
    credits_posted: int

    @property
    def currency(self) -> str:
        return self.key.currency

    @property
    def credit_balance(self) -> Money:
        """credits - debits: what a liability account (a wallet, a payable) holds."""
        return Money(self.credits_posted - self.debits_posted, self.currency)

    @property
    def debit_balance(self) -> Money:
        """debits - credits: what an asset account (provider clearing) holds."""
        return Money(self.debits_posted - self.credits_posted, self.currency)


@dataclass(frozen=True, slots=True)
class Entry:
    account_id: uuid.UUID
    direction: Direction
    money: Money


def debit(account: Account | uuid.UUID, money: Money) -> Entry:
    return Entry(account.id if isinstance(account, Account) else account, Direction.DEBIT, money)


def credit(account: Account | uuid.UUID, money: Money) -> Entry:
    return Entry(account.id if isinstance(account, Account) else account, Direction.CREDIT, money)


def transaction_id_for(idempotency_key: str) -> uuid.UUID:
    """The transaction's id, derived from the caller's key: a retry finds the same id."""
    if not idempotency_key or len(idempotency_key) > 255:
        raise ValidationFailed(
            "a ledger idempotency key has 1 to 255 characters", code="LEDGER_INVALID_KEY"
        )
    return uuid.uuid5(LEDGER_NAMESPACE, idempotency_key)


def validate_entries(entries: Sequence[Entry]) -> None:
    """Refuse a transaction that is not a well-formed double entry."""
    if len(entries) < 2:
        raise ValidationFailed(
            "a ledger transaction has at least two entries", code="LEDGER_TOO_FEW_ENTRIES"
        )
    net: dict[str, int] = {}
    for entry in entries:
        if not entry.money.is_positive:
            raise ValidationFailed(
                "every ledger entry moves a positive amount", code="LEDGER_AMOUNT_NOT_POSITIVE"
            )
        sign = 1 if entry.direction is Direction.DEBIT else -1
        currency = entry.money.currency
        net[currency] = net.get(currency, 0) + sign * entry.money.amount_minor
    unbalanced = sorted(currency for currency, amount in net.items() if amount != 0)
    if unbalanced:
        raise ValidationFailed(
            f"debits and credits differ in {', '.join(unbalanced)}",
            code="LEDGER_TRANSACTION_UNBALANCED",
        )


def request_digest(kind: str, reference: str | None, entries: Iterable[Entry]) -> str:
    """Fingerprint of a posting request, independent of entry order: the same key may only
    ever be replayed with the same request."""
    canonical = sorted(
        (str(e.account_id), e.direction.value, e.money.amount_minor, e.money.currency)
        for e in entries
    )
    payload = json.dumps([kind, reference, canonical], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def apply_entries(accounts: Sequence[Account], entries: Sequence[Entry]) -> list[Account]:
    """The accounts after ``entries``; refuses a currency mismatch or a broken limit.

    A wallet (``debits_must_not_exceed_credits``) that would go negative raises
    ``BusinessRuleViolation`` with code ``INSUFFICIENT_FUNDS``.
    """
    by_id = {account.id: account for account in accounts}
    debits = dict.fromkeys(by_id, 0)
    credits = dict.fromkeys(by_id, 0)
    for entry in entries:
        account = by_id.get(entry.account_id)
        if account is None:
            raise ValidationFailed(
                f"ledger account {entry.account_id} does not exist", code="LEDGER_UNKNOWN_ACCOUNT"
            )
        if entry.money.currency != account.currency:
            raise CurrencyMismatch(
                f"an entry in {entry.money.currency} on an account in {account.currency}"
            )
        target = debits if entry.direction is Direction.DEBIT else credits
        target[entry.account_id] += entry.money.amount_minor
    updated = []
    for account in accounts:
        after = Account(
            account.id,
            account.key,
            account.limit,
            account.debits_posted + debits[account.id],
            account.credits_posted + credits[account.id],
        )
        _check_limit(after)
        updated.append(after)
    return updated


def _check_limit(account: Account) -> None:
    if (
        account.limit is BalanceLimit.DEBITS_MUST_NOT_EXCEED_CREDITS
        and account.debits_posted > account.credits_posted
    ):
        raise BusinessRuleViolation(
            f"not enough funds on the {account.key.purpose.value} account",
            code="INSUFFICIENT_FUNDS",
        )
    if (
        account.limit is BalanceLimit.CREDITS_MUST_NOT_EXCEED_DEBITS
        and account.credits_posted > account.debits_posted
    ):
        raise BusinessRuleViolation(
            f"the {account.key.purpose.value} account would exceed its limit",
            code="LEDGER_LIMIT_EXCEEDED",
        )

"""Ledger and money rules without a database: balance validation, limits, allocation."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_payment.domain.ledger import (
    Account,
    AccountKey,
    AccountPurpose,
    OwnerType,
    apply_entries,
    credit,
    debit,
    request_digest,
    transaction_id_for,
    validate_entries,
)
from parovoz_payment.domain.money import CurrencyMismatch, Money

DERANDOMIZED = settings(derandomize=True, max_examples=300, deadline=None)


def rub(kopecks: int) -> Money:
    return Money(kopecks, "RUB")


def account(
    purpose: AccountPurpose, debits: int = 0, credits: int = 0, currency: str = "RUB"
) -> Account:
    if purpose is AccountPurpose.PLATFORM_REVENUE:
        key = AccountKey(OwnerType.PLATFORM, None, purpose, currency)
    else:
        key = AccountKey(OwnerType.USER, str(uuid.uuid4()), purpose, currency)
    return Account(uuid.uuid4(), key, purpose.limit, debits, credits)


# --- money -------------------------------------------------------------------------------


def test_money_refuses_mixed_currencies_floats_and_bad_codes() -> None:
    with pytest.raises(CurrencyMismatch):
        rub(100) + Money(100, "KZT")
    with pytest.raises(CurrencyMismatch):
        _ = rub(100) < Money(100, "KZT")
    with pytest.raises(TypeError):
        Money(1.5, "RUB")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "RUB")
    with pytest.raises(ValidationFailed):
        Money(1, "rub")
    assert rub(150) - rub(50) == rub(100)
    assert Money.total([rub(1), rub(2), rub(3)], "RUB") == rub(6)


def test_revenue_split_gives_the_platform_the_remainder() -> None:
    gross = rub(99_99)
    developer = gross.portion(70, 100)
    assert developer == rub(69_99)  # 6999.3 rounded down
    assert gross - developer == rub(30_00)


def test_allocate_example_hands_leftover_kopecks_to_the_largest_remainders() -> None:
    assert rub(100).allocate([1, 1, 1]) == [rub(34), rub(33), rub(33)]
    assert rub(5).allocate([70, 30]) == [rub(4), rub(1)]  # 3.5 / 1.5: tie goes to the first
    assert rub(-100).allocate([1, 1, 1]) == [rub(-34), rub(-33), rub(-33)]
    assert rub(7).allocate([0, 1]) == [rub(0), rub(7)]


@DERANDOMIZED
@given(
    amount=st.integers(min_value=-(10**15), max_value=10**15),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_allocate_never_loses_or_creates_a_kopeck(amount: int, weights: list[int]) -> None:
    parts = rub(amount).allocate(weights)
    assert sum(part.amount_minor for part in parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = amount * weight / total
        assert abs(part.amount_minor - exact) < 1  # each part within one kopeck of its share
        if weight == 0:
            assert part.is_zero


# --- transactions ------------------------------------------------------------------------


def test_a_balanced_transaction_is_accepted_per_currency() -> None:
    a, b, c, d = (uuid.uuid4() for _ in range(4))
    validate_entries(
        [
            debit(a, rub(100)),
            credit(b, rub(70)),
            credit(c, rub(30)),
            debit(d, Money(5, "KZT")),
            credit(a, Money(5, "KZT")),
        ]
    )


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([debit(uuid.uuid4(), rub(100))], "LEDGER_TOO_FEW_ENTRIES"),
        (
            [debit(uuid.uuid4(), rub(100)), credit(uuid.uuid4(), rub(99))],
            "LEDGER_TRANSACTION_UNBALANCED",
        ),
        (
            # balanced in total minor units, not per currency
            [debit(uuid.uuid4(), rub(100)), credit(uuid.uuid4(), Money(100, "KZT"))],
            "LEDGER_TRANSACTION_UNBALANCED",
        ),
        ([debit(uuid.uuid4(), rub(0)), credit(uuid.uuid4(), rub(0))], "LEDGER_AMOUNT_NOT_POSITIVE"),
        (
            [debit(uuid.uuid4(), rub(-5)), credit(uuid.uuid4(), rub(-5))],
            "LEDGER_AMOUNT_NOT_POSITIVE",
        ),
    ],
)
def test_malformed_transactions_are_refused(entries, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate_entries(entries)
    assert refused.value.code == code


def test_a_wallet_cannot_go_negative_but_revenue_may() -> None:
    wallet = account(AccountPurpose.USER_WALLET, debits=0, credits=500)
    revenue = account(AccountPurpose.PLATFORM_REVENUE)
    after = apply_entries([wallet, revenue], [debit(wallet, rub(500)), credit(revenue, rub(500))])
    assert after[0].credit_balance == rub(0)
    with pytest.raises(BusinessRuleViolation) as refused:
        apply_entries([wallet, revenue], [debit(wallet, rub(501)), credit(revenue, rub(501))])
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    # Revenue has no limit: a refund may take it below zero.
    after = apply_entries([wallet, revenue], [debit(revenue, rub(900)), credit(wallet, rub(900))])
    assert after[1].credit_balance == rub(-900)


def test_an_entry_in_another_currency_than_its_account_is_refused() -> None:
    wallet = account(AccountPurpose.USER_WALLET, credits=500)
    kzt_wallet = account(AccountPurpose.USER_WALLET, credits=500, currency="KZT")
    with pytest.raises(CurrencyMismatch):
        apply_entries([wallet, kzt_wallet], [debit(wallet, rub(5)), credit(kzt_wallet, rub(5))])


def test_transaction_ids_and_digests_are_deterministic() -> None:
    assert transaction_id_for("payment:42") == transaction_id_for("payment:42")
    assert transaction_id_for("payment:42") != transaction_id_for("payment:43")
    a, b = uuid.uuid4(), uuid.uuid4()
    one = request_digest("sale", "ref", [debit(a, rub(1)), credit(b, rub(1))])
    assert one == request_digest("sale", "ref", [credit(b, rub(1)), debit(a, rub(1))])
    assert one != request_digest("sale", "ref", [debit(a, rub(2)), credit(b, rub(2))])
    assert one != request_digest("sale", "other", [debit(a, rub(1)), credit(b, rub(1))])
    with pytest.raises(ValidationFailed):
        transaction_id_for("")


def test_platform_accounts_have_no_owner_id_and_others_need_one() -> None:
    with pytest.raises(ValidationFailed):
        AccountKey.of("platform", uuid.uuid4(), "platform_revenue", "RUB")
    with pytest.raises(ValidationFailed):
        AccountKey.of("user", None, "user_wallet", "RUB")
    key = AccountKey.of("provider", "yookassa", "provider_clearing", "RUB")
    assert key.owner_type is OwnerType.PROVIDER
    assert AccountPurpose.PROVIDER_CLEARING.limit.value == "none"

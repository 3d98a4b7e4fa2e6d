"""Wallet: top-up limits, the balance cap, wallet-first splits, the lock."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.wallet import (
    Wallet,
    WalletRules,
    check_top_up_start,
    format_amount,
    split_payment,
)
from parovoz_payment.settings import PaymentSettings

USER = uuid.uuid4()
#: PRODUCT.md's numbers, as the settings build them (the domain has no defaults of its own).
RULES = WalletRules(min_top_up=10_000, max_top_up=1_500_000, balance_cap=6_000_000, currency="RUB")


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def wallet(balance: int, locked: bool = False) -> Wallet:
    return Wallet(USER, rub(balance), RULES, locked)


def test_the_settings_build_product_defaults_once() -> None:
    settings = PaymentSettings(environment="test")
    assert settings.wallet_rules() == RULES
    assert settings.wallet_rules() is settings.wallet_rules()


def test_the_rules_have_no_defaults_of_their_own() -> None:
    with pytest.raises(TypeError):
        WalletRules()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Wallet(USER, rub(0))  # type: ignore[call-arg]


def test_inconsistent_settings_fail_at_start() -> None:
    with pytest.raises(ValueError, match="wallet rules"):
        PaymentSettings(environment="test", wallet_min_top_up_minor=2_000_000)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (9_999, "TOP_UP_BELOW_MINIMUM"),
        (10_000, None),
        (1_500_000, None),
        (1_500_001, "TOP_UP_ABOVE_MAXIMUM"),
        (0, "TOP_UP_BELOW_MINIMUM"),
    ],
)
def test_top_up_limits(amount: int, code: str | None) -> None:
    empty = Wallet.empty(USER, RULES)
    if code is None:
        assert empty.top_up(rub(amount)).balance == rub(amount)
    else:
        with pytest.raises(BusinessRuleViolation) as error:
            empty.top_up(rub(amount))
        assert (error.value.code, error.value.pointer) == (code, "/data/attributes/amount")


def test_top_up_up_to_the_cap_exactly() -> None:
    assert wallet(5_990_000).top_up(rub(10_000)).balance == rub(6_000_000)
    with pytest.raises(BusinessRuleViolation) as error:
        wallet(5_990_000).top_up(rub(10_001))
    assert error.value.code == "WALLET_BALANCE_CAP_EXCEEDED"
    assert "60,000.00 RUB" in error.value.detail


@pytest.mark.parametrize("currency", ["KZT", "USD", "EUR"])
def test_top_up_in_another_currency_is_refused(currency: str) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        Wallet.empty(USER, RULES).top_up(Money(50_000, currency))
    assert (error.value.code, error.value.pointer) == (
        "WALLET_CURRENCY_NOT_SUPPORTED",
        "/data/attributes/currency",
    )


def test_limits_are_rules_settings_can_override() -> None:
    rules = WalletRules(min_top_up=100, max_top_up=500, balance_cap=1_000, currency="RUB")
    assert Wallet.empty(USER, rules).top_up(rub(100)).balance == rub(100)
    with pytest.raises(BusinessRuleViolation):
        Wallet(USER, rub(600), rules).top_up(rub(500))
    with pytest.raises(ValueError):
        WalletRules(min_top_up=10, max_top_up=5, balance_cap=1_000, currency="RUB")
    settings = PaymentSettings(
        environment="test",
        wallet_min_top_up_minor=100,
        wallet_max_top_up_minor=500,
        wallet_balance_cap_minor=1_000,
    )
    assert settings.wallet_rules() == rules


@pytest.mark.parametrize(
    ("from_wallet", "amount"), [(True, 50_000), (False, 100), (False, 2_000_000)]
)
def test_a_top_up_starts_within_the_rules_and_not_from_the_wallet(
    from_wallet: bool, amount: int
) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        check_top_up_start(wallet(0), rub(amount), from_wallet=from_wallet)
    expected = {True: "TOP_UP_METHOD_NOT_ALLOWED", False: None}[from_wallet] or (
        "TOP_UP_BELOW_MINIMUM" if amount < RULES.min_top_up else "TOP_UP_ABOVE_MAXIMUM"
    )
    assert error.value.code == expected
    check_top_up_start(wallet(0), rub(50_000), from_wallet=False)


def test_fitting_is_what_the_cap_leaves() -> None:
    assert wallet(5_990_000).fitting(rub(50_000)) == rub(10_000)
    assert wallet(0).fitting(rub(50_000)) == rub(50_000)
    assert wallet(6_000_000).fitting(rub(1)) == rub(0)


def test_headroom_and_receive_respect_the_cap_without_top_up_limits() -> None:
    assert wallet(5_999_999).headroom() == rub(1)
    assert wallet(6_000_000).headroom() == rub(0)
    assert wallet(5_999_999).receive(rub(1)).balance == rub(6_000_000)  # below the 100.00 minimum
    with pytest.raises(BusinessRuleViolation) as error:
        wallet(5_999_999).receive(rub(2))
    assert error.value.code == "WALLET_BALANCE_CAP_EXCEEDED"


def test_spend_down_to_zero_but_not_below() -> None:
    assert wallet(5_000).spend(rub(5_000)).balance == rub(0)
    with pytest.raises(BusinessRuleViolation) as error:
        wallet(5_000).spend(rub(5_001))
    assert error.value.code == "INSUFFICIENT_WALLET_BALANCE"


def test_a_locked_wallet_refuses_spends_but_takes_money_in() -> None:
    locked = wallet(5_000).lock()
    assert locked.locked and locked.lock() is locked
    with pytest.raises(BusinessRuleViolation) as error:
        locked.spend(rub(1))
    assert error.value.code == "WALLET_LOCKED"
    assert locked.receive(rub(100)).balance == rub(5_100)
    assert locked.unlock().spend(rub(1)).balance == rub(4_999)


def test_spending_another_currency_is_refused() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        wallet(5_000).spend(Money(1, "USD"))
    assert error.value.code == "WALLET_CURRENCY_MISMATCH"


@pytest.mark.parametrize(
    ("minor", "text"),
    [(1_500_000, "15,000.00 RUB"), (10_000, "100.00 RUB"), (5, "0.05 RUB"), (-150, "-1.50 RUB")],
)
def test_format_amount(minor: int, text: str) -> None:
    assert format_amount(rub(minor)) == text


# --- splitting a payment -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("total", "balance", "use_wallet", "wallet_part", "card_part"),
    [
        (99_900, 50_000, False, 0, 99_900),
        (99_900, 50_000, True, 50_000, 49_900),
        (99_900, 99_900, True, 99_900, 0),
        (99_900, 200_000, True, 99_900, 0),
        (99_900, 0, True, 0, 99_900),
        (99_900, -500, True, 0, 99_900),
    ],
)
def test_split(
    total: int, balance: int, use_wallet: bool, wallet_part: int, card_part: int
) -> None:
    split = split_payment(rub(total), rub(balance), use_wallet)
    assert (split.wallet, split.card) == (rub(wallet_part), rub(card_part))


def test_a_locked_wallet_cannot_pay_a_part() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        split_payment(rub(100), rub(500), True, wallet_locked=True)
    assert error.value.code == "WALLET_LOCKED"
    assert split_payment(rub(100), rub(500), False, wallet_locked=True).card == rub(100)


def test_a_wallet_in_another_currency_cannot_pay_a_part() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        split_payment(Money(100, "KZT"), rub(500), True)
    assert error.value.code == "WALLET_CURRENCY_MISMATCH"


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=10**12),
    balance=st.integers(min_value=-(10**6), max_value=10**12),
    use_wallet=st.booleans(),
)
def test_split_is_exact_non_negative_and_wallet_first(
    total: int, balance: int, use_wallet: bool
) -> None:
    split = split_payment(rub(total), rub(balance), use_wallet)
    assert split.total == rub(total)
    assert split.wallet.amount_minor >= 0 and split.card.amount_minor >= 0
    assert split.wallet.amount_minor <= max(balance, 0)
    if use_wallet and split.card.is_positive:
        assert split.wallet.amount_minor == max(balance, 0)  # the card pays only what is left
    if not use_wallet:
        assert split.wallet.is_zero

"""Payment methods, routing by method and currency, failover past open breakers."""

from __future__ import annotations

import itertools
import uuid

import pytest
from parovoz_kit.errors import BusinessRuleViolation, Unavailable, ValidationFailed
from parovoz_payment.domain.methods import (
    MethodChoice,
    PaymentMethod,
    Provider,
    RoutingRules,
    candidate_providers,
    choose_provider,
    parse_method_choice,
)

YK, TB = Provider.YOOKASSA, Provider.TBANK
CURRENCIES = ["RUB", "KZT", "BYN", "UAH", "USD", "EUR"]


@pytest.mark.parametrize("method", list(PaymentMethod))
def test_method_names_parse(method: PaymentMethod) -> None:
    assert parse_method_choice(method.value) == MethodChoice(method=method)


def test_saved_method_id_parses() -> None:
    saved = uuid.uuid4()
    assert parse_method_choice(str(saved)) == MethodChoice(saved_method_id=saved)


@pytest.mark.parametrize("raw", [None, ""])
def test_no_method_means_choose_at_the_provider(raw: str | None) -> None:
    assert parse_method_choice(raw) == MethodChoice()


@pytest.mark.parametrize("raw", ["qiwi", "BANK_CARD", "12345"])
def test_unknown_method_is_refused_with_a_pointer(raw: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        parse_method_choice(raw)
    assert (error.value.code, error.value.pointer) == (
        "UNKNOWN_PAYMENT_METHOD",
        "/data/attributes/method",
    )


def test_a_choice_is_a_method_or_a_saved_method_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        MethodChoice(method=PaymentMethod.BANK_CARD, saved_method_id=uuid.uuid4())


@pytest.mark.parametrize(
    ("method", "currency", "expected"),
    [
        (PaymentMethod.BANK_CARD, "RUB", (YK, TB)),
        (PaymentMethod.BANK_CARD, "KZT", (YK,)),
        (PaymentMethod.BANK_CARD, "USD", (YK,)),
        (PaymentMethod.BANK_CARD, "EUR", (YK,)),
        (PaymentMethod.SBP, "RUB", (YK,)),
        (PaymentMethod.SBERPAY, "RUB", (YK,)),
        (PaymentMethod.YOOMONEY, "RUB", (YK,)),
        (None, "RUB", (YK, TB)),
        (None, "BYN", (YK,)),
    ],
)
def test_routes(method: PaymentMethod | None, currency: str, expected: tuple[Provider]) -> None:
    assert candidate_providers(method, currency) == expected


@pytest.mark.parametrize(
    ("method", "currency"),
    [(m, c) for m in (PaymentMethod.SBP, PaymentMethod.SBERPAY, PaymentMethod.YOOMONEY)
     for c in CURRENCIES if c != "RUB"],
)  # fmt: skip
def test_rouble_only_methods_refuse_other_currencies(method: PaymentMethod, currency: str) -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        candidate_providers(method, currency)
    assert error.value.code == "METHOD_NOT_AVAILABLE_FOR_CURRENCY"


def test_tbank_only_ever_takes_rouble_bank_cards() -> None:
    methods = [m for m in PaymentMethod if m is not PaymentMethod.WALLET]
    for method, currency in itertools.product(methods, CURRENCIES):
        try:
            candidates = candidate_providers(method, currency)
        except BusinessRuleViolation:
            continue
        assert (TB in candidates) == (method is PaymentMethod.BANK_CARD and currency == "RUB")


def test_wallet_needs_no_provider() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        candidate_providers(PaymentMethod.WALLET, "RUB")
    assert error.value.code == "WALLET_NEEDS_NO_PROVIDER"


def test_a_saved_method_goes_only_where_it_was_saved() -> None:
    choice = MethodChoice(saved_method_id=uuid.uuid4())
    assert candidate_providers(choice, "RUB", saved_with=TB) == (TB,)
    with pytest.raises(ValueError, match="saved_with"):
        candidate_providers(choice, "RUB")


def test_a_disabled_provider_is_skipped() -> None:
    rules = RoutingRules(disabled_providers=frozenset({YK}))
    assert candidate_providers(PaymentMethod.BANK_CARD, "RUB", rules) == (TB,)
    with pytest.raises(Unavailable) as error:
        candidate_providers(PaymentMethod.SBP, "RUB", rules)
    assert error.value.code == "NO_PROVIDER_AVAILABLE"


def test_routes_are_a_rule_settings_can_replace() -> None:
    rules = RoutingRules(routes={(PaymentMethod.BANK_CARD, "RUB"): (TB, YK)})
    assert candidate_providers(PaymentMethod.BANK_CARD, "RUB", rules) == (TB, YK)
    with pytest.raises(BusinessRuleViolation):
        candidate_providers(PaymentMethod.BANK_CARD, "USD", rules)


def test_first_provider_with_a_closed_breaker_wins() -> None:
    assert choose_provider((YK, TB), is_open=lambda provider: False) is YK


def test_failover_to_the_next_provider_when_the_first_is_open() -> None:
    assert choose_provider((YK, TB), is_open=lambda provider: provider is YK) is TB


@pytest.mark.parametrize("candidates", [(YK, TB), (YK,), ()])
def test_no_provider_when_every_breaker_is_open(candidates: tuple[Provider, ...]) -> None:
    with pytest.raises(Unavailable) as error:
        choose_provider(candidates, is_open=lambda provider: True)
    assert error.value.code == "NO_PROVIDER_AVAILABLE"

"""Starting a payment: what a new payment must satisfy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from parovoz_kit.errors import BusinessRuleViolation, ParovozError, ValidationFailed
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_creation import start_payment
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose, PaymentStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GAME = uuid.uuid4()


def rub(minor: int) -> Money:
    return Money(minor, "RUB")


def start(**overrides: object):
    arguments: dict[str, object] = {
        "user_id": uuid.uuid4(),
        "purpose": PaymentPurpose.GAME_PURCHASE,
        "amount": rub(99_900),
        "region": "RU",
        "now": NOW,
        "game_id": GAME,
    }
    arguments.update(overrides)
    return start_payment(**arguments)  # type: ignore[arg-type]


def test_a_new_payment_is_pending_with_nothing_captured() -> None:
    payment = start(reference="order:1", metadata={"order": "1"})
    assert payment.status is PaymentStatus.PENDING
    assert payment.captured_amount == rub(0)
    assert payment.refunded_amount == rub(0)
    assert payment.card_amount == rub(99_900)
    assert payment.metadata == {"order": "1"}
    assert payment.method is None  # chosen at the provider


def test_wallet_covering_everything_makes_it_a_wallet_payment() -> None:
    payment = start(wallet_amount=rub(99_900), choice=MethodChoice(method=PaymentMethod.BANK_CARD))
    assert payment.method is PaymentMethod.WALLET
    assert payment.card_amount == rub(0)


def test_split_payment_keeps_the_card_method() -> None:
    payment = start(wallet_amount=rub(900), choice=MethodChoice(method=PaymentMethod.SBP))
    assert (payment.wallet_amount, payment.card_amount) == (rub(900), rub(99_000))
    assert payment.method is PaymentMethod.SBP


def test_wallet_method_without_enough_balance_is_refused() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        start(wallet_amount=rub(99_899), choice=MethodChoice(method=PaymentMethod.WALLET))
    assert error.value.code == "INSUFFICIENT_WALLET_BALANCE"


def test_saved_method_is_a_card() -> None:
    saved = uuid.uuid4()
    payment = start(choice=MethodChoice(saved_method_id=saved))
    assert payment.saved_method_id == saved
    assert payment.method is PaymentMethod.BANK_CARD


@pytest.mark.parametrize(
    ("overrides", "error_type", "code", "pointer"),
    [
        ({"amount": rub(0)}, ValidationFailed, "INVALID_AMOUNT", "/data/attributes/amount"),
        ({"amount": rub(-1)}, ValidationFailed, "INVALID_AMOUNT", "/data/attributes/amount"),
        (
            {"amount": Money(100, "JPY")},
            BusinessRuleViolation,
            "UNSUPPORTED_CURRENCY",
            "/data/attributes/currency",
        ),
        ({"region": "rus"}, ValidationFailed, "INVALID_REGION", "/data/attributes/region"),
        ({"game_id": None}, ValidationFailed, "GAME_ID_REQUIRED", "/data/attributes/game_id"),
        (
            {"purpose": PaymentPurpose.DONATION},
            ValidationFailed,
            "GAME_ID_REQUIRED",
            "/data/attributes/game_id",
        ),
        (
            {"wallet_amount": rub(99_901)},
            BusinessRuleViolation,
            "INVALID_WALLET_AMOUNT",
            "/data/attributes/use_wallet",
        ),
        (
            {"wallet_amount": rub(-1)},
            BusinessRuleViolation,
            "INVALID_WALLET_AMOUNT",
            "/data/attributes/use_wallet",
        ),
        ({"reference": ""}, ValidationFailed, "INVALID_REFERENCE", "/data/attributes/reference"),
        (
            {"reference": "r" * 256},
            ValidationFailed,
            "INVALID_REFERENCE",
            "/data/attributes/reference",
        ),
    ],
)
def test_bad_input_is_refused_with_a_pointer(
    overrides: dict[str, object], error_type: type[ParovozError], code: str, pointer: str
) -> None:
    with pytest.raises(error_type) as error:
        start(**overrides)
    assert (error.value.code, error.value.pointer) == (code, pointer)


def test_reference_of_255_characters_is_accepted() -> None:
    assert start(reference="r" * 255).reference == "r" * 255


def test_top_up_cannot_be_paid_from_the_wallet() -> None:
    with pytest.raises(BusinessRuleViolation) as error:
        start(purpose=PaymentPurpose.WALLET_TOP_UP, game_id=None, wallet_amount=rub(1))
    assert error.value.code == "WALLET_NOT_ALLOWED_FOR_PURPOSE"


def test_card_verification_is_one_rouble_on_a_card_to_save() -> None:
    payment = start(
        purpose=PaymentPurpose.CARD_VERIFICATION, game_id=None, amount=rub(100), save_method=True
    )
    assert payment.save_method
    for overrides in (
        {"amount": rub(101), "save_method": True},
        {"amount": rub(100), "save_method": False},
        {
            "amount": rub(100),
            "save_method": True,
            "choice": MethodChoice(method=PaymentMethod.SBP),
        },
    ):
        with pytest.raises(BusinessRuleViolation) as error:
            start(purpose=PaymentPurpose.CARD_VERIFICATION, game_id=None, **overrides)
        assert error.value.code == "INVALID_CARD_VERIFICATION"

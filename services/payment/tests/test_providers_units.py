"""Provider adapters without the network: amounts, signatures, vocabulary mappings."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parovoz_kit.errors import Unavailable
from parovoz_payment.clients.providers import tbank_values
from parovoz_payment.clients.providers.amounts import decimal_to_minor, minor_to_decimal
from parovoz_payment.clients.providers.signatures import (
    body_signature,
    body_signature_valid,
    header,
    tbank_token,
    tbank_token_valid,
)
from parovoz_payment.clients.providers.webhooks import webhook_answer
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.payment_vocabulary import CancellationReason, PaymentStatus

# T-Bank's documented example ("Токен" page), the one the sandbox's own tests use.
OFFICIAL_EXAMPLE = {
    "TerminalKey": "MerchantTerminalKey",
    "Amount": 19200,
    "OrderId": "21090",
    "Description": "Подарочная карта на 1000 рублей",
    "DATA": {"Phone": "+71234567890", "Email": "a@test.com"},
    "Receipt": {"Email": "a@test.com", "Items": [{"Name": "x", "Amount": 19200}]},
}


def test_tbank_token_matches_the_official_example() -> None:
    expected = "0024a00af7c350a3a67ca168ce06502aa72772456662e38696d48b56ee9c97d9"
    assert tbank_token(OFFICIAL_EXAMPLE, "usaf8fw8fsw21g") == expected
    assert tbank_token_valid(OFFICIAL_EXAMPLE | {"Token": expected}, "usaf8fw8fsw21g")
    assert not tbank_token_valid(OFFICIAL_EXAMPLE | {"Token": expected}, "another-password")
    assert not tbank_token_valid(OFFICIAL_EXAMPLE | {"Amount": 19201, "Token": expected}, "x")
    assert not tbank_token_valid(OFFICIAL_EXAMPLE, "usaf8fw8fsw21g")  # no Token at all


def test_tbank_token_writes_booleans_lower_case_and_skips_nulls() -> None:
    joined = "1" + "pw" + "true"  # Amount, Password, Success — sorted by key
    assert tbank_token({"Success": True, "Amount": 1, "RebillId": None}, "pw") == (
        hashlib.sha256(joined.encode()).hexdigest()
    )


def test_body_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"a":1}'
    expected = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert body_signature(body, "k") == expected
    assert body_signature_valid(expected, body, "k")
    assert not body_signature_valid(expected, body + b" ", "k")
    assert not body_signature_valid(None, body, "k")
    assert not body_signature_valid(expected, body, "")


def test_header_lookup_ignores_case() -> None:
    assert header({"x-sandbox-signature": "v"}, "X-Sandbox-Signature") == "v"
    assert header({}, "X-Sandbox-Signature") is None


@settings(derandomize=True, max_examples=300)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_amount_round_trips_exactly(amount_minor: int) -> None:
    text = minor_to_decimal(amount_minor)
    assert decimal_to_minor(text) == amount_minor
    whole, _, fraction = text.lstrip("-").partition(".")
    assert len(fraction) == 2 and int(whole) * 100 + int(fraction) == abs(amount_minor)


@pytest.mark.parametrize(
    ("text", "minor"),
    [("100.00", 10000), ("0.01", 1), ("100.5", 10050), ("7", 700), ("1.230", 123), ("-2.50", -250)],
)
def test_decimal_strings_parse_exactly(text: str, minor: int) -> None:
    assert decimal_to_minor(text) == minor


@pytest.mark.parametrize("text", ["1.001", "1e3", "", "1,00", "abc", "0x10"])
def test_unreadable_or_too_fine_amounts_are_refused(text: str) -> None:
    with pytest.raises(Unavailable) as caught:
        decimal_to_minor(text)
    assert caught.value.code == "PROVIDER_BAD_RESPONSE"


def test_minor_to_decimal_refuses_floats() -> None:
    with pytest.raises(TypeError):
        minor_to_decimal(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "ours"),
    [
        ("NEW", PaymentStatus.PENDING),
        ("FORM_SHOWED", PaymentStatus.PENDING),
        ("AUTHORIZED", PaymentStatus.WAITING_FOR_CAPTURE),
        ("CONFIRMED", PaymentStatus.SUCCEEDED),
        ("REFUNDED", PaymentStatus.SUCCEEDED),
        ("PARTIAL_REFUNDED", PaymentStatus.SUCCEEDED),
        ("REJECTED", PaymentStatus.CANCELLED),
        ("CANCELED", PaymentStatus.CANCELLED),
        ("REVERSED", PaymentStatus.CANCELLED),
    ],
)
def test_tbank_statuses_map_to_ours(raw: str, ours: PaymentStatus) -> None:
    assert tbank_values.STATUSES[raw] is ours


def test_tbank_decline_codes_map_to_our_reasons() -> None:
    assert tbank_values.decline_reason("1051") is CancellationReason.INSUFFICIENT_FUNDS
    assert tbank_values.decline_reason(1054) is CancellationReason.CARD_EXPIRED
    assert tbank_values.decline_reason("101") is CancellationReason.THREE_D_SECURE_FAILED
    assert tbank_values.decline_reason("77777") is CancellationReason.PROVIDER_ERROR


def test_webhook_answers() -> None:
    assert webhook_answer(Provider.TBANK).body == b"OK"
    assert webhook_answer(Provider.YOOKASSA).status_code == 200

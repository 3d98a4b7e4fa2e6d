"""YooKassa request values: amounts as decimal strings, receipts, errors in YooKassa's shape."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi.responses import JSONResponse

from standin_provider_sandbox.cards import Card

_CURRENCY = re.compile(r"^[A-Z]{3}$")
PAYMENT_METHOD_TYPES = frozenset({"bank_card", "sbp", "sberbank", "yoo_money", "tinkoff_bank"})


class YooError(Exception):
    """An error answered in YooKassa's format: `{"type": "error", "id", "code", ...}`."""

    def __init__(
        self, status: int, code: str, description: str, parameter: str | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.parameter = parameter

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {
            "type": "error",
            "id": str(uuid.uuid4()),
            "code": self.code,
            "description": self.description,
        }
        if self.parameter:
            body["parameter"] = self.parameter
        return JSONResponse(body, status_code=self.status)


def invalid(description: str, parameter: str | None = None) -> YooError:
    return YooError(400, "invalid_request", description, parameter)


def not_found(what: str) -> YooError:
    return YooError(404, "not_found", f"{what} not found")


def parse_amount(raw: Any, parameter: str = "amount") -> tuple[int, str]:
    """`{"value": "100.00", "currency": "RUB"}` -> (10000, "RUB"); refuses floats' lost cents."""
    if not isinstance(raw, dict):
        raise invalid("Amount is required", parameter)
    value, currency = raw.get("value"), raw.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise invalid("Currency must be an ISO-4217 code", f"{parameter}.currency")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid("Amount value must be a decimal string", f"{parameter}.value")
    try:
        decimal = Decimal(str(value))
    except InvalidOperation:
        raise invalid("Amount value must be a decimal string", f"{parameter}.value") from None
    if not decimal.is_finite() or decimal <= 0 or decimal != decimal.quantize(Decimal("0.01")):
        raise invalid("Amount value must be positive with at most 2 decimals", f"{parameter}.value")
    return int(decimal * 100), currency


def format_amount(minor: int, currency: str) -> dict[str, str]:
    return {"value": f"{minor // 100}.{minor % 100:02d}", "currency": currency}


def check_receipt(receipt: Any, amount_minor: int, parameter: str = "receipt") -> None:
    """54-FZ receipt data: a customer contact and items that add up to the amount."""
    if not isinstance(receipt, dict):
        raise invalid("Receipt must be an object", parameter)
    customer = receipt.get("customer") or {}
    has_contact = isinstance(customer, dict) and (customer.get("email") or customer.get("phone"))
    if not has_contact and not (receipt.get("email") or receipt.get("phone")):
        raise invalid("Receipt needs the customer's email or phone", f"{parameter}.customer")
    items = receipt.get("items")
    if not isinstance(items, list) or not items:
        raise invalid("Receipt needs at least one item", f"{parameter}.items")
    total = Decimal(0)
    for index, item in enumerate(items):
        where = f"{parameter}.items[{index}]"
        if not isinstance(item, dict) or not item.get("description"):
            raise invalid("Receipt item needs a description", f"{where}.description")
        vat_code = item.get("vat_code")
        if isinstance(vat_code, bool) or not isinstance(vat_code, int) or not 1 <= vat_code <= 12:
            raise invalid("Receipt item needs vat_code 1..12", f"{where}.vat_code")
        try:
            quantity = Decimal(str(item.get("quantity")))
        except InvalidOperation:
            raise invalid("Receipt item quantity must be a number", f"{where}.quantity") from None
        if not quantity.is_finite() or quantity <= 0:
            raise invalid("Receipt item quantity must be positive", f"{where}.quantity")
        item_minor, _ = parse_amount(item.get("amount"), f"{where}.amount")
        total += quantity * item_minor
    if total != amount_minor:
        raise invalid("Sum of receipt items differs from the amount", f"{parameter}.items")


def payment_method_details(
    method_type: str, method_id: str, saved: bool, card: Card | None = None
) -> dict[str, Any]:
    """YooKassa's ``payment_method``; a bank card's ``card`` is the one the buyer entered (a
    made-up one of this method when none was named)."""
    method: dict[str, Any] = {"type": method_type, "id": method_id, "saved": saved}
    if method_type == "bank_card":
        details = (card or Card.made_up(method_id)).yookassa()
        method["card"] = details
        method["title"] = f"Bank card *{details['last4']}"
    elif method_type == "yoo_money":
        method["account_number"] = "41001" + f"{int(method_id[:8], 16) % 10**10:010d}"
        method["title"] = "YooMoney wallet"
    elif method_type == "sbp":
        method["title"] = "SBP"
    elif method_type == "sberbank":
        method["title"] = "SberPay"
    else:
        method["title"] = method_type
    return method

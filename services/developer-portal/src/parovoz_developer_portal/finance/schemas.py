"""JSON:API bodies of the finance section: payout methods, payout requests
(the reports' bodies: reports_schemas.py). Bank details come in whole and go out masked only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from parovoz_kit.http.fields import CurrencyCode, InvalidValue, MinorUnits, RequestModel, Text
from pydantic import BaseModel, ConfigDict, Field, model_validator

from parovoz_developer_portal.fields import left_out_not_null
from parovoz_developer_portal.finance.domain.bank_details import BankDetails, masked
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutAmount,
    PayoutMethod,
    PayoutRequest,
)

AttributesT = TypeVar("AttributesT")

#: Bank details are sealed into one column; each part is bounded as a bank would print it.
RECIPIENT_NAME_LIMIT = 255
BANK_NAME_LIMIT = 255
CODE_LIMIT = 32
ACCOUNT_LIMIT = 64

PAYOUT_METHOD_EXAMPLE = {
    "data": {
        "type": "payoutMethods",
        "attributes": {
            "recipient_name": "ООО «Моя Игровая Студия»",
            "inn": "7707083893",
            "kpp": "773601001",
            "bik": "044525225",
            "account_number": "40702810938000000001",
            "correspondent_account": "30101810400000000225",
            "bank_name": "ПАО Сбербанк",
            "currency": "RUB",
        },
    }
}
PAYOUT_REQUEST_EXAMPLE = {
    "data": {
        "type": "payoutRequests",
        "attributes": {"amount": {"amount_minor": 5000000, "currency": "RUB"}},
    }
}
#: Seed 001 §3.1.5's spelling of the same request.
SEED_PAYOUT_REQUEST_EXAMPLE = {
    "data": {
        "type": "payoutRequest",
        "attributes": {
            "amount_minor_units": 5000000,
            "currency_code": "RUB",
            "payment_method_id": "6f1c1b7e-2d4a-4c8e-9a3b-0d5e7f9a1b2c",
        },
    }
}


class MoneyBody(BaseModel):
    """An amount of money as answered."""

    amount_minor: int = Field(
        description="Integer minor units (kopecks for RUB): 5000000 = 50,000.00 RUB.",
        examples=[5000000],
    )
    currency: str = Field(description="ISO 4217 currency code.", examples=["RUB"])


class AmountInput(RequestModel):
    """An amount of money as asked for."""

    amount_minor: MinorUnits = Field(
        description=(
            "Required. Integer minor units (kopecks for RUB), a JSON integer: 5000000 = "
            "50,000.00 RUB; never a fraction or a string. Positive."
        ),
        examples=[5000000],
    )
    currency: CurrencyCode = Field(
        description="Required. ISO 4217 code, three capitals; payouts are made in RUB.",
        examples=["RUB"],
    )


def _money(amount_minor: int, currency: str) -> MoneyBody:
    return MoneyBody(amount_minor=amount_minor, currency=currency)


# --- payout methods --------------------------------------------------------------------------
class PayoutMethodCreationAttributes(RequestModel):
    recipient_name: Annotated[str, Text(RECIPIENT_NAME_LIMIT)] = Field(
        description="Required. The account holder's name as the bank knows it (max 255).",
        examples=["ООО «Моя Игровая Студия»"],
    )
    inn: Annotated[str, Text(CODE_LIMIT)] = Field(
        description=(
            "Required. The recipient's ИНН: 10 digits (company) or 12 (person), valid check "
            "digits; spaces are ignored."
        ),
        examples=["7707083893"],
    )
    kpp: Annotated[str, Text(CODE_LIMIT)] | None = Field(
        default=None,
        description=(
            "КПП, 9 characters: required for a company (10-digit ИНН), left out for a person."
        ),
        examples=["773601001"],
    )
    bik: Annotated[str, Text(CODE_LIMIT)] = Field(
        description="Required. The bank's БИК: 9 digits starting with 04.",
        examples=["044525225"],
    )
    account_number: Annotated[str, Text(ACCOUNT_LIMIT)] = Field(
        description=(
            "Required. Settlement account: 20 digits whose control key matches the БИК; spaces "
            "are ignored. Only ever shown masked (•••• 0001)."
        ),
        examples=["40702810938000000001"],
    )
    correspondent_account: Annotated[str, Text(ACCOUNT_LIMIT)] = Field(
        description=(
            "Required. The bank's correspondent account: 20 digits starting with 301, ending "
            "with the БИК's last three."
        ),
        examples=["30101810400000000225"],
    )
    bank_name: Annotated[str, Text(BANK_NAME_LIMIT)] = Field(
        description="Required. The bank's name (max 255).", examples=["ПАО Сбербанк"]
    )
    currency: CurrencyCode = Field(
        default="RUB",
        description="Currency of the account: RUB, the default and the only one paid out in.",
    )

    def details(self) -> BankDetails:
        return BankDetails(
            recipient_name=self.recipient_name,
            inn=self.inn,
            kpp=self.kpp,
            bik=self.bik,
            account_number=self.account_number,
            correspondent_account=self.correspondent_account,
            bank_name=self.bank_name,
        )


class PayoutMethodCreationData(RequestModel):
    type: Literal["payoutMethods"] = Field(description="Always `payoutMethods`.")
    attributes: PayoutMethodCreationAttributes = Field(description="The bank details.")


class PayoutMethodCreationDocument(RequestModel):
    """A bank account to be paid out to."""

    model_config = ConfigDict(json_schema_extra={"examples": [PAYOUT_METHOD_EXAMPLE]})

    data: PayoutMethodCreationData = Field(description="The payout method to add.")


class PayoutMethodAttributes(BaseModel):
    """Masked: the account as ``•••• 1234``, the ИНН with its middle hidden."""

    recipient_name: str = Field(description="The account holder's name.")
    inn: str = Field(description="ИНН, masked: first two and last two digits shown.")
    kpp: str | None = Field(description="КПП of a company; null for a person.")
    bik: str = Field(description="The bank's БИК.")
    account_number: str = Field(description="Settlement account, masked: `•••• 0001`.")
    correspondent_account: str = Field(description="The bank's correspondent account.")
    bank_name: str = Field(description="The bank's name.")
    currency: str = Field(description="Currency of the account (RUB).")
    is_default: bool = Field(description="Whether payouts go here when no method is named.")
    created_at: datetime = Field(description="When it was added (ISO 8601, UTC).")
    updated_at: datetime = Field(description="When it last changed (ISO 8601, UTC).")


# --- payout requests -------------------------------------------------------------------------
_ATTRIBUTES = "/data/attributes"
_SEED_AMOUNT_POINTERS = {
    f"{_ATTRIBUTES}/amount/amount_minor": f"{_ATTRIBUTES}/amount_minor_units",
    f"{_ATTRIBUTES}/amount/currency": f"{_ATTRIBUTES}/currency_code",
}


def _one_form() -> InvalidValue:
    return InvalidValue(
        "Give the amount either as `amount` or, as seed 001 writes it, as `amount_minor_units` "
        "with `currency_code`; and the method either as `payout_method_id` or "
        "`payment_method_id`.",
        russian=(
            "Укажите сумму либо в `amount`, либо, как в seed 001, в `amount_minor_units` вместе "
            "с `currency_code`; способ выплаты — либо `payout_method_id`, либо "
            "`payment_method_id`."
        ),
    )


class PayoutRequestCreationAttributes(RequestModel):
    """Our form (``amount``, ``payout_method_id``) or seed 001's (``amount_minor_units``,
    ``currency_code``, ``payment_method_id``): the same request, the same answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["amount"]},
                {"required": ["amount_minor_units", "currency_code"]},
            ]
        }
    )

    amount: AmountInput | None = Field(
        default=None,
        json_schema_extra=left_out_not_null,
        description=(
            "The amount to pay out; required unless given as seed 001's `amount_minor_units` "
            "and `currency_code`. At least the minimum payout (1,000.00 RUB) and at most the "
            "available balance."
        ),
    )
    payout_method_id: uuid.UUID | None = Field(
        default=None,
        json_schema_extra=left_out_not_null,
        description=(
            "The payout method (bank account) to pay to; the account's default method when "
            "left out."
        ),
    )
    amount_minor_units: MinorUnits | None = Field(
        default=None,
        json_schema_extra=left_out_not_null,
        description=(
            "Seed 001's form of `amount.amount_minor`: integer kopecks (5000000 = 50,000.00 "
            "RUB); with `currency_code`, instead of `amount`."
        ),
    )
    currency_code: CurrencyCode | None = Field(
        default=None,
        json_schema_extra=left_out_not_null,
        description="Seed 001's form of `amount.currency`: ISO 4217 (RUB); with "
        "`amount_minor_units`.",
    )
    payment_method_id: uuid.UUID | None = Field(
        default=None,
        json_schema_extra=left_out_not_null,
        description="Seed 001's name for `payout_method_id`.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> PayoutRequestCreationAttributes:
        seed_amount = self.amount_minor_units is not None or self.currency_code is not None
        if self.amount is not None and seed_amount:
            raise _one_form()
        if self.amount is None and (self.amount_minor_units is None or self.currency_code is None):
            raise _one_form()
        if self.payout_method_id is not None and self.payment_method_id is not None:
            raise _one_form()
        return self

    def pointer_as_sent(self, pointer: str | None) -> str | None:
        """The domain points into our form; the same field as this body named it."""
        if self.amount is None and pointer in _SEED_AMOUNT_POINTERS:
            return _SEED_AMOUNT_POINTERS[pointer]
        seed_method = self.payment_method_id is not None or (
            self.amount is None and self.payout_method_id is None
        )
        if seed_method and pointer == f"{_ATTRIBUTES}/payout_method_id":
            return f"{_ATTRIBUTES}/payment_method_id"
        return pointer

    def payout_amount(self) -> PayoutAmount:
        if self.amount is not None:
            return PayoutAmount(self.amount.amount_minor, self.amount.currency)
        assert self.amount_minor_units is not None and self.currency_code is not None
        return PayoutAmount(self.amount_minor_units, self.currency_code)

    def method_id(self) -> uuid.UUID | None:
        return self.payout_method_id or self.payment_method_id


class PayoutRequestCreationData(RequestModel):
    type: Literal["payoutRequests", "payoutRequest"] = Field(
        description="`payoutRequests`, or seed 001's `payoutRequest`."
    )
    attributes: PayoutRequestCreationAttributes = Field(description="What to pay out, where.")


class PayoutRequestCreationDocument(RequestModel):
    """Ask for a payout (seed 001 §3.1.5)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [PAYOUT_REQUEST_EXAMPLE, SEED_PAYOUT_REQUEST_EXAMPLE]}
    )

    data: PayoutRequestCreationData = Field(description="The payout request.")


class PayoutRequestAttributes(BaseModel):
    amount: MoneyBody = Field(description="The amount asked for.")
    payout_method_id: uuid.UUID = Field(description="The payout method it goes to.")
    payout_method: str = Field(description="Where it goes, masked: 'ПАО Сбербанк •••• 0001'.")
    status: str = Field(description="`requested`, `processing`, `completed` or `failed`.")
    trigger: str = Field(
        description="`on_request` (a member asked) or `monthly_automatic` (the schedule)."
    )
    requested_by_user_id: uuid.UUID | None = Field(
        description="The member who asked; null for an automatic payout."
    )
    requested_at: datetime = Field(description="When it was asked for (ISO 8601, UTC).")
    updated_at: datetime = Field(description="When its status last changed (ISO 8601, UTC).")
    processed_at: datetime | None = Field(
        description="When it completed or failed; null while in progress."
    )
    failure_reason_code: str | None = Field(
        description="Why it failed (a code, e.g. `INSUFFICIENT_BALANCE`); null otherwise."
    )
    failure_reason_message: str | None = Field(
        description="Why it failed, in words; null otherwise."
    )


# --- documents -------------------------------------------------------------------------------
class Resource(BaseModel, Generic[AttributesT]):
    type: str = Field(description="Resource type (JSON:API).")
    id: str = Field(description="Resource id.")
    attributes: AttributesT = Field(description="The resource's fields.")
    links: dict[str, str] | None = Field(
        default=None, description="`self`: where the resource is read (when it has a page)."
    )


class Document(BaseModel, Generic[AttributesT]):
    data: Resource[AttributesT] = Field(description="The resource.")


class ListDocument(BaseModel, Generic[AttributesT]):
    data: list[Resource[AttributesT]] = Field(description="The resources, newest first.")
    links: dict[str, str | None] = Field(
        default_factory=dict,
        description="`self`, and `next` (the next page; null on the last) where paged.",
    )
    meta: dict[str, object] = Field(
        default_factory=dict, description="Facts about the whole list (e.g. a report's totals)."
    )


def payout_method_resource(method: PayoutMethod, prefix: str) -> Resource[PayoutMethodAttributes]:
    shown = masked(method.details)
    return Resource(
        type="payoutMethods",
        id=str(method.id),
        attributes=PayoutMethodAttributes(
            recipient_name=shown.recipient_name,
            inn=shown.inn,
            kpp=shown.kpp,
            bik=shown.bik,
            account_number=shown.account_number,
            correspondent_account=shown.correspondent_account,
            bank_name=shown.bank_name,
            currency=method.currency,
            is_default=method.is_default,
            created_at=method.created_at,
            updated_at=method.updated_at,
        ),
        links={"self": f"{prefix}/finance/payout-methods/{method.id}"},
    )


def payout_request_resource(
    request: PayoutRequest, prefix: str
) -> Resource[PayoutRequestAttributes]:
    return Resource(
        type="payoutRequests",
        id=str(request.id),
        attributes=PayoutRequestAttributes(
            amount=_money(request.amount.amount_minor, request.amount.currency),
            payout_method_id=request.payout_method_id,
            payout_method=request.payout_method_label,
            status=request.status.value,
            trigger=request.trigger.value,
            requested_by_user_id=request.requested_by_user_id,
            requested_at=request.requested_at,
            updated_at=request.updated_at,
            processed_at=request.processed_at,
            failure_reason_code=request.failure_reason_code,
            failure_reason_message=request.failure_reason_message,
        ),
        links={"self": f"{prefix}/finance/payouts/requests/{request.id}"},
    )

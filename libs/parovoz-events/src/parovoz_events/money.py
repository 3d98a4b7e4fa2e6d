"""Money in events: integer minor units plus an ISO 4217 code — never a float.

Same shape as ``parovoz.common.v1.Money`` in the gRPC contracts, so a service can copy one into
the other without arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler, StrictInt
from pydantic_core import CoreSchema

#: The currencies the store sells in (PRODUCT.md "Money and regions").
Currency = Literal["RUB", "KZT", "BYN", "UAH", "USD", "EUR"]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class Money(BaseModel):
    """An amount of money: integer minor units of a currency (kopecks for RUB).

    Signed: ledger-like events (a refunded sale) carry negative amounts; fields that must be
    positive say so and are checked.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # StrictInt: a JSON float such as 10.5 (or even 10.0) or a numeric string is refused, so
    # money can never pass through a float on its way in.
    amount_minor: StrictInt = Field(
        ge=_INT64_MIN,
        le=_INT64_MAX,
        description="Amount in minor units of `currency` (kopecks for RUB, cents for USD); "
        "an integer, never a float.",
        examples=[500000],
    )
    currency: Currency = Field(
        description="ISO 4217 alphabetic code, upper case.", examples=["RUB"]
    )


def _positive(money: Money) -> Money:
    if money.amount_minor <= 0:
        raise ValueError("amount_minor must be positive")
    return money


def _not_negative(money: Money) -> Money:
    if money.amount_minor < 0:
        raise ValueError("amount_minor must not be negative")
    return money


@dataclass(frozen=True)
class _AmountBound:
    """Says the amount's bound in the JSON Schema too (2020-12 allows siblings of ``$ref``)."""

    keyword: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        schema = handler(core_schema)
        schema["properties"] = {"amount_minor": {self.keyword: 0}}
        return schema


#: Money that must be > 0 (a price, a payout, a refund).
PositiveMoney = Annotated[Money, AfterValidator(_positive), _AmountBound("exclusiveMinimum")]
#: Money that may be zero but never negative (a payment fully covered by a coupon).
NonNegativeMoney = Annotated[Money, AfterValidator(_not_negative), _AmountBound("minimum")]


def rub(amount_minor: int) -> dict[str, object]:
    """JSON form of a RUB amount, for examples: ``rub(500000)`` is 5,000.00 RUB."""
    return {"amount_minor": amount_minor, "currency": "RUB"}

"""Strict field types for request schemas: what a client sends is taken as written, or refused.

FastAPI validates a JSON body in pydantic's *python* (lax) mode, where ``"15000.00"`` becomes the
integer 15000, ``0`` becomes 1970-01-01 and ``"yes"`` becomes ``True``. Every request schema of
every service uses these types instead of bare ``int``/``bool``/``datetime``/``str``, so that no
string is coerced into a number, no number into a date, no string is longer than its column, and
no NUL character (which PostgreSQL refuses) reaches a driver.

Usage::

    class GameCreation(RequestModel):
        title: Annotated[str, Text(200, min_length=1)]
        amount_minor: MinorUnits
        starts_at: Instant | None = None

    async def list_items(after: QueryInt64 | None = Query(None, alias="page[after]")): ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    Strict,
)
from pydantic_core import PydanticCustomError, core_schema

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: The longest free text a request may carry where no column says otherwise.
DEFAULT_TEXT_LIMIT = 10_000

_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")
_INTEGER = re.compile(r"[+-]?\d{1,20}")


class InvalidValue(ValueError):
    """What a request model's own validator raises: the English text (pydantic's ``msg``) and
    the Russian one, which the kit answers by default. A bare ``ValueError``'s text, written for
    English readers, never reaches a Russian answer."""

    def __init__(self, english: str, *, russian: str) -> None:
        super().__init__(english)
        self.russian = russian


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("string_nul", "Text must not contain the NUL character")
    return value


@dataclass(frozen=True)
class Text:
    """``Annotated[str, Text(64)]``: a string only (no number coerced), at most ``max_length``
    characters (its column's size), no NUL character."""

    max_length: int
    min_length: int = 0
    pattern: str | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = core_schema.str_schema(
            max_length=self.max_length,
            min_length=self.min_length or None,
            pattern=self.pattern,
            strict=True,
        )
        return core_schema.no_info_after_validator_function(refuse_nul, inner)


def _refuse_numbers(value: Any) -> Any:
    """A date or an instant is written as ISO 8601 text; a number is not one (``0`` is not
    1970-01-01, ``1700000000`` is not a Unix time here)."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise PydanticCustomError(
            "datetime_not_number", "Expected an ISO 8601 date or date-time, not a number"
        )
    return value


def _integer_text(value: Any) -> Any:
    """A query or path integer: digits only (not ``"1.0"``, ``"1_000"``, ``" 1"``)."""
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise PydanticCustomError("int_parsing", "Expected a whole number written in digits")
    return value


#: An integer in a JSON body: a JSON number without a fraction, within int64. Never a string.
Int64 = Annotated[int, Strict(), Field(ge=INT64_MIN, le=INT64_MAX)]
#: A non-negative integer in a JSON body (counts, limits), within int64.
Count = Annotated[int, Strict(), Field(ge=0, le=INT64_MAX)]
#: The largest integer every JSON client reads exactly (JavaScript's Number.MAX_SAFE_INTEGER):
#: 90 trillion roubles in kopecks, beyond any real amount.
JSON_SAFE_INTEGER = 2**53 - 1
#: An amount of money in minor units (kopecks for RUB): a JSON integer, never a string or a
#: fraction. Its sign and its size are the domain's rules; the type bounds it by what every JSON
#: client reads exactly (a browser would silently round a larger one).
MinorUnits = Annotated[
    int,
    Strict(),
    Field(
        ge=-JSON_SAFE_INTEGER,
        le=JSON_SAFE_INTEGER,
        description="Integer minor units (kopecks for RUB); never a fraction or a string.",
    ),
]
#: A boolean in a JSON body: ``true`` or ``false`` only (not ``"yes"``, ``1``).
Flag = Annotated[bool, Strict()]
#: An instant: ISO 8601 date-time with an offset (``2026-01-31T12:00:00Z``); never a number.
Instant = Annotated[AwareDatetime, BeforeValidator(_refuse_numbers)]
#: A calendar date: ISO 8601 (``2026-01-31``); never a number.
CalendarDate = Annotated[date, BeforeValidator(_refuse_numbers)]
#: An integer in a query string or a path: digits only, within int64.
QueryInt64 = Annotated[int, Interval(ge=INT64_MIN, le=INT64_MAX), BeforeValidator(_integer_text)]
#: ISO 4217 currency code.
CurrencyCode = Annotated[str, Text(3, min_length=3, pattern=r"^[A-Z]{3}$")]
#: ISO 3166-1 alpha-2 country or region code.
CountryCode = Annotated[str, Text(2, min_length=2, pattern=r"^[A-Z]{2}$")]


class RequestModel(BaseModel):
    """Base of every request body schema (and of each object inside one): a bare ``str`` is
    bounded, and an unknown member is refused with its pointer (400) rather than silently
    dropped — a misspelt ``amount_minor_unit`` must not pass as "no amount given". The document
    says so (``additionalProperties: false``)."""

    model_config = ConfigDict(str_max_length=DEFAULT_TEXT_LIMIT, extra="forbid")


__all__ = [
    "DEFAULT_TEXT_LIMIT",
    "INT64_MAX",
    "INT64_MIN",
    "JSON_SAFE_INTEGER",
    "CalendarDate",
    "Count",
    "CountryCode",
    "CurrencyCode",
    "Flag",
    "Instant",
    "Int64",
    "InvalidValue",
    "MinorUnits",
    "QueryInt64",
    "RequestModel",
    "Text",
    "refuse_nul",
]

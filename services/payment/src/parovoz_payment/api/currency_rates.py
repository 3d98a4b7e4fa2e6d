"""Exchange rates and buyer prices:

- `PUT /admin/currency-rates/{currency}` (admins; audit-logged): set a rate;
- `GET /currency-rates` (anyone signed in): the rates in force;
- `GET /game-prices/{game_id}?region=KZ` (anyone signed in): what a buyer in a region pays for
  a game — the very price `POST /payments` charges (same function, same rates).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from parovoz_kit.auth import CurrentPrincipal, require_roles
from parovoz_kit.auth.principal import Principal
from parovoz_kit.http.fields import Instant, RequestModel, Text
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import GAME_PRICE, RATE_CHANGE, documented
from parovoz_payment.api.schemas import Document, ListDocument, MoneyBody, Resource
from parovoz_payment.db.audit import record
from parovoz_payment.db.currency_rates import SqlCurrencyRates
from parovoz_payment.db.prices import SqlGamePrices
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.currency_rates import (
    BASE_CURRENCY,
    ExchangeRate,
    parse_rate,
    region_currency,
)
from parovoz_payment.domain.pricing import game_purchase_price


class RateChangeAttributes(RequestModel):
    rate: Annotated[str, Text(24, min_length=1)] = Field(
        description=(
            "Required. Roubles for one unit of the currency, as a decimal STRING "
            '("92.5123", at most 10 decimals, positive): never a JSON number, which would be '
            "a float."
        ),
        examples=["92.5123"],
    )
    valid_from: Instant | None = Field(
        default=None,
        description=(
            "Optional. When the rate takes effect: ISO 8601 date-time with an offset "
            "(`2026-02-01T00:00:00Z`); now when omitted."
        ),
    )


class RateChangeData(RequestModel):
    type: Literal["currencyRate"] = Field(description="Required: `currencyRate`.")
    attributes: RateChangeAttributes = Field(description="The new rate.")


class RateChangeBody(RequestModel):
    """`PUT /admin/currency-rates/{currency}`: a currency's rate in roubles."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "currencyRate",
                        "attributes": {"rate": "92.5123", "valid_from": "2026-02-01T00:00:00Z"},
                    }
                }
            ]
        }
    )

    data: RateChangeData = Field(description="The new rate.")


class RateAttributes(BaseModel):
    base_currency: str = Field(description="The currency the rate is in: RUB.")
    rate: str = Field(
        description='Roubles for one unit of the currency, a decimal string ("92.5123").'
    )
    valid_from: datetime = Field(description="Since when the rate is in force (ISO 8601).")


class GamePriceAttributes(BaseModel):
    region: str = Field(description="The region asked about, ISO 3166-1 alpha-2 in capitals.")
    price: MoneyBody = Field(description="What a buyer in the region pays.")
    source: str = Field(
        description=(
            "Where the price comes from: `regional` (set by the developer for the region), "
            "`converted` (the base price at the rate, nicely rounded), `base` (the rouble "
            "price) or `free`."
        )
    )


def rate_resource(rate: ExchangeRate) -> Resource[RateAttributes]:
    return Resource(
        type="currencyRate",
        id=rate.currency,
        attributes=RateAttributes(
            base_currency=BASE_CURRENCY,
            rate=format(rate.rub_per_unit.normalize(), "f"),
            valid_from=rate.valid_from,
        ),
    )


def currency_rates_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["currency rates"])
    clock = infrastructure.clock

    @router.put(
        "/admin/currency-rates/{currency}",
        response_model=Document[RateAttributes],
        responses=documented(RATE_CHANGE),
        summary="Set a currency's rate in roubles per unit (admins only; audit-logged)",
        description=(
            "Sets the rate of a currency we take (KZT, BYN, UAH, USD, EUR) in roubles per "
            "unit, from valid_from on (admins only; audit-logged). RUB is the base: its rate "
            "cannot be set (422 BASE_CURRENCY_RATE)."
        ),
    )
    async def put_rate(
        currency: Annotated[
            str,
            Text(3, min_length=3, pattern=r"^[A-Za-z]{3}$"),
            Path(description="ISO 4217 code of the currency, e.g. KZT.", examples=["KZT"]),
        ],
        body: RateChangeBody,
        admin: Annotated[Principal, Depends(require_roles("admin"))],
        request_id: RequestId,
    ) -> Document[RateAttributes]:
        attributes = body.data.attributes
        valid_from = attributes.valid_from or clock.now()
        rate = parse_rate(currency, attributes.rate, valid_from)
        async with infrastructure.unit_of_work() as uow:
            rates = SqlCurrencyRates(uow.session)
            before = (await rates.current(clock.now())).rate(rate.currency)
            await rates.set(rate, admin.subject, clock.now())
            await record(
                uow.session,
                AuditRecord(
                    actor=admin.subject,
                    action="currency_rate.set",
                    subject_type="currency_rate",
                    subject_id=rate.currency,
                    before=None if before is None else _audit_state(before),
                    after=_audit_state(rate),
                    request_id=request_id,
                ),
            )
            await uow.commit()
        return Document(data=rate_resource(rate))

    @router.get(
        "/currency-rates",
        response_model=ListDocument[RateAttributes],
        summary="The exchange rates in force (roubles per unit of each currency)",
        description=(
            "The rates in force now, one per currency, in roubles per unit (anyone signed in)."
        ),
    )
    async def get_rates(_: CurrentPrincipal) -> ListDocument[RateAttributes]:
        async with infrastructure.session_factory() as session:
            rates = await SqlCurrencyRates(session).current(clock.now())
        ordered = sorted(rates.rates.values(), key=lambda rate: rate.currency)
        return ListDocument(data=[rate_resource(rate) for rate in ordered])

    @router.get(
        "/game-prices/{game_id:uuid}",
        response_model=Document[GamePriceAttributes],
        responses=documented(GAME_PRICE),
        summary="What a buyer in a region pays for a game (exactly what the purchase charges)",
        description=(
            "The price of a game for a buyer in a region: the very amount `POST /payments` "
            "charges for it now, under the discount in force if there is one (anyone signed in)."
        ),
    )
    async def get_game_price(
        game_id: uuid.UUID,
        _: CurrentPrincipal,
        region: Annotated[
            str,
            Text(2, min_length=2, pattern=r"^[A-Za-z]{2}$"),
            Query(description="The buyer's region, ISO 3166-1 alpha-2 (default RU)."),
        ] = "RU",
    ) -> Document[GamePriceAttributes]:
        async with infrastructure.session_factory() as session:
            prices = await SqlGamePrices(session).get(game_id)
            rates = await SqlCurrencyRates(session).current(clock.now())
        price = game_purchase_price(prices, region, rates, at=clock.now())
        source = "converted"
        if prices is None or prices.is_free:
            source = "free"
        elif region.upper() in prices.regional_prices:
            source = "regional"
        elif price.currency == BASE_CURRENCY and region_currency(region) == BASE_CURRENCY:
            source = "base"
        return Document(
            data=Resource(
                type="gamePrice",
                id=str(game_id),
                attributes=GamePriceAttributes(
                    region=region.upper(), price=MoneyBody.of(price), source=source
                ),
            )
        )

    return router


def _audit_state(rate: ExchangeRate) -> dict[str, str]:
    return {"rate": str(rate.rub_per_unit), "valid_from": rate.valid_from.isoformat()}

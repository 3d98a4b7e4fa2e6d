"""`/games/{game_id}/prices`: a game's price list (base price in RUB, regional prices).

Amounts are integer minor units (99900 = 999.00 RUB), VAT included. The body is checked for
shape here (a float amount is refused by the schema); the pricing rules (currencies, regions,
bounds, free vs paid) live in the domain and answer with their own codes and pointers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from parovoz_developer_portal.api.schemas import Document, Resource
from parovoz_developer_portal.db.unit_of_work import portal_unit_of_work
from parovoz_developer_portal.domain import pricing_use_cases
from parovoz_developer_portal.domain.pricing import (
    SUPPORTED_CURRENCIES,
    GamePrices,
    Price,
    PriceList,
    RegionalPrice,
)

_CURRENCY_ENUM = {"enum": sorted(SUPPORTED_CURRENCIES)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyBody(_Strict):
    amount_minor: StrictInt = Field(
        description="Integer minor units (kopecks for RUB), VAT included; never a fraction.",
        examples=[99900],
    )
    currency: str = Field(
        description="ISO 4217 code.", examples=["RUB"], json_schema_extra=_CURRENCY_ENUM
    )

    def to_domain(self) -> Price:
        return Price(self.amount_minor, self.currency)

    @classmethod
    def of(cls, price: Price) -> MoneyBody:
        return cls(amount_minor=price.amount_minor, currency=price.currency)


class RegionalPriceBody(_Strict):
    region: str = Field(description="ISO 3166-1 alpha-2 country code.", examples=["KZ"])
    price: MoneyBody


class PriceListAttributes(_Strict):
    is_free: StrictBool = Field(default=False, description="A free game has no prices.")
    base_price: MoneyBody | None = Field(
        default=None, description="Base price in RUB; required unless the game is free."
    )
    regional_prices: list[RegionalPriceBody] = Field(
        default_factory=list,
        description="One price per region; each wins over the base price there.",
    )


class PriceListData(_Strict):
    type: Literal["gamePrices"]
    attributes: PriceListAttributes


class PriceListDocument(_Strict):
    data: PriceListData

    def to_domain(self) -> PriceList:
        attributes = self.data.attributes
        return PriceList(
            is_free=attributes.is_free,
            base_price=attributes.base_price.to_domain() if attributes.base_price else None,
            regional_prices=tuple(
                RegionalPrice(regional.region, regional.price.to_domain())
                for regional in attributes.regional_prices
            ),
        )


class GamePricesAttributes(BaseModel):
    is_free: bool
    base_price: MoneyBody | None
    regional_prices: list[RegionalPriceBody]
    #: 0 until prices are first set: a game without prices cannot be bought.
    version: int
    updated_at: datetime | None
    updated_by_user_id: uuid.UUID | None


def prices_document(prices: GamePrices, prefix: str) -> Document[GamePricesAttributes]:
    price_list = prices.price_list
    attributes = GamePricesAttributes(
        is_free=price_list.is_free if price_list else False,
        base_price=MoneyBody.of(price_list.base_price)
        if price_list and price_list.base_price
        else None,
        regional_prices=[
            RegionalPriceBody(region=regional.region, price=MoneyBody.of(regional.price))
            for regional in (price_list.regional_prices if price_list else ())
        ],
        version=prices.version,
        updated_at=prices.updated_at,
        updated_by_user_id=prices.updated_by_user_id,
    )
    return Document(
        data=Resource(
            type="gamePrices",
            id=prices.game_id,
            attributes=attributes,
            links={"self": f"{prefix}/games/{prices.game_id}/prices"},
        )
    )


def prices_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=f"{prefix}/games", tags=["prices"])

    @router.put(
        "/{game_id}/prices",
        response_model=Document[GamePricesAttributes],
        summary="Set a game's prices (owner, admin or editor); payment is told by an event",
    )
    async def set_prices(
        game_id: uuid.UUID,
        body: PriceListDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        requested = body.to_domain()

        async def store_prices() -> Document[GamePricesAttributes]:
            async with portal_unit_of_work(infrastructure) as uow:
                prices = await pricing_use_cases.set_game_prices(
                    uow, user_id, game_id, requested, infrastructure.clock.now()
                )
            return prices_document(prices, prefix)

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=store_prices,
        )

    @router.get(
        "/{game_id}/prices",
        response_model=Document[GamePricesAttributes],
        summary="A game's current prices (any member of its developer account)",
    )
    async def get_prices(
        game_id: uuid.UUID, user_id: CurrentUserId
    ) -> Document[GamePricesAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            prices = await pricing_use_cases.game_prices_for_member(uow, user_id, game_id)
        return prices_document(prices, prefix)

    return router

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
from parovoz_kit.http.fields import CountryCode, CurrencyCode, Flag, MinorUnits, RequestModel
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.pricing import service as pricing_use_cases
from parovoz_developer_portal.pricing.discounts_api import (
    DiscountAttributes,
    add_discount_routes,
    discount_resource,
)
from parovoz_developer_portal.pricing.domain import (
    MAX_PRICE_MINOR,
    MAX_REGIONAL_PRICES,
    SUPPORTED_CURRENCIES,
    GamePrices,
    Price,
    PriceList,
    RegionalPrice,
)
from parovoz_developer_portal.pricing.domain.discounts import discount_at, discounted
from parovoz_developer_portal.schemas import Document, Resource
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

_CURRENCIES = ", ".join(sorted(SUPPORTED_CURRENCIES))

PRICE_LIST_EXAMPLE = {
    "data": {
        "type": "gamePrices",
        "attributes": {
            "is_free": False,
            "base_price": {"amount_minor": 99900, "currency": "RUB"},
            "regional_prices": [
                {"region": "KZ", "price": {"amount_minor": 450000, "currency": "KZT"}}
            ],
        },
    }
}


class MoneyInput(RequestModel):
    amount_minor: MinorUnits = Field(
        description=(
            f"Required. Integer minor units (kopecks for RUB), VAT included: 99900 = 999.00 "
            f"RUB; a JSON integer, never a fraction or a string; 1 to {MAX_PRICE_MINOR}."
        ),
        examples=[99900],
    )
    currency: CurrencyCode = Field(
        description=f"Required. ISO 4217 code, one of {_CURRENCIES}.", examples=["RUB"]
    )

    def to_domain(self) -> Price:
        return Price(self.amount_minor, self.currency)


class PriceBody(BaseModel):
    amount_minor: int = Field(
        description="Integer minor units (kopecks for RUB), VAT included: 99900 = 999.00 RUB.",
        examples=[99900],
    )
    currency: str = Field(description=f"ISO 4217 code, one of {_CURRENCIES}.", examples=["RUB"])

    @classmethod
    def of(cls, price: Price) -> PriceBody:
        return cls(amount_minor=price.amount_minor, currency=price.currency)


class RegionalPriceInput(RequestModel):
    region: CountryCode = Field(
        description="Required. ISO 3166-1 alpha-2 country code, in capitals.", examples=["KZ"]
    )
    price: MoneyInput = Field(description="Required. The price in that region.")


class RegionalPriceBody(BaseModel):
    region: str = Field(description="ISO 3166-1 alpha-2 country code.", examples=["KZ"])
    price: PriceBody = Field(description="The price in that region.")


class PriceListAttributes(RequestModel):
    is_free: Flag = Field(
        default=False, description="`true` for a free game, which has no prices; default false."
    )
    base_price: MoneyInput | None = Field(
        default=None,
        description="Base price in RUB: required for a paid game, left out for a free one.",
    )
    regional_prices: list[RegionalPriceInput] = Field(
        default_factory=list,
        description=(
            f"Optional. At most {MAX_REGIONAL_PRICES}, one per region; each wins over the base "
            "price in its region. None for a free game."
        ),
    )


class PriceListData(RequestModel):
    type: Literal["gamePrices"] = Field(description="Always `gamePrices`.")
    attributes: PriceListAttributes = Field(description="The whole price list (replaces it).")


class PriceListDocument(RequestModel):
    """A game's whole price list."""

    model_config = ConfigDict(json_schema_extra={"examples": [PRICE_LIST_EXAMPLE]})

    data: PriceListData = Field(description="The price list.")

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
    is_free: bool = Field(description="Whether the game is free.")
    base_price: PriceBody | None = Field(description="Base price in RUB; null when free or unset.")
    regional_prices: list[RegionalPriceBody] = Field(
        description="Regional prices, sorted by region."
    )
    version: int = Field(
        description="Counts changes; 0 until prices are first set (the game cannot be bought)."
    )
    updated_at: datetime | None = Field(description="When they last changed; null if never.")
    updated_by_user_id: uuid.UUID | None = Field(
        description="The member who last changed them; null if never."
    )
    active_discount: Resource[DiscountAttributes] | None = Field(
        description="The discount in force now (see `/discounts`); null when none."
    )
    discounted_regional_prices: list[RegionalPriceBody] = Field(
        description=(
            "The regional prices now under the active discount, sorted by region; empty when "
            "no discount is active."
        )
    )
    discounted_base_price: PriceBody | None = Field(
        description=(
            "The base price now under the active discount (rounded down to the whole minor "
            "unit, at least one); null when no discount is active."
        )
    )


def prices_document(
    prices: GamePrices, prefix: str, now: datetime
) -> Document[GamePricesAttributes]:
    price_list = prices.price_list
    discount = discount_at(prices.discounts, now)
    base = price_list.base_price if price_list else None
    regional_prices = price_list.regional_prices if price_list else ()
    attributes = GamePricesAttributes(
        is_free=price_list.is_free if price_list else False,
        base_price=PriceBody.of(base) if base else None,
        regional_prices=[
            RegionalPriceBody(region=regional.region, price=PriceBody.of(regional.price))
            for regional in regional_prices
        ],
        discounted_regional_prices=[
            RegionalPriceBody(
                region=regional.region, price=PriceBody.of(discounted(regional.price, discount))
            )
            for regional in (regional_prices if discount else ())
        ],
        active_discount=discount_resource(discount, prefix, now) if discount else None,
        discounted_base_price=PriceBody.of(discounted(base, discount))
        if base and discount
        else None,
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
        description=(
            "Replaces the game's whole price list: free (`is_free`, no prices), or a base price "
            "in RUB plus optional regional prices, amounts in integer minor units VAT included. "
            "The version grows by one and payment learns of it by an event; the same list "
            "again changes nothing. Owner, admin or editor only (403 `TEAM_ROLE_FORBIDS`); "
            "another developer's game is 404. Malformed prices are 400 with a pointer "
            "(`INVALID_PRICE_AMOUNT`, `INVALID_REGION`, `DUPLICATE_REGION`, "
            "`BASE_PRICE_REQUIRED`); prices the store refuses are 422 (`UNSUPPORTED_CURRENCY`, "
            "`PRICE_TOO_HIGH`, `BASE_PRICE_NOT_RUB`, `FREE_GAME_HAS_PRICES`, "
            "`TOO_MANY_REGIONAL_PRICES`, `ACCOUNT_SUSPENDED`). `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                400: [
                    "INVALID_PRICE_AMOUNT",
                    "INVALID_REGION",
                    "DUPLICATE_REGION",
                    "BASE_PRICE_REQUIRED",
                ],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: [
                    "UNSUPPORTED_CURRENCY",
                    "PRICE_TOO_HIGH",
                    "BASE_PRICE_NOT_RUB",
                    "FREE_GAME_HAS_PRICES",
                    "TOO_MANY_REGIONAL_PRICES",
                    "ACCOUNT_SUSPENDED",
                ],
            }
        ),
    )
    async def set_prices(
        game_id: GameId,
        body: PriceListDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        requested = body.to_domain()

        async def store_prices() -> Document[GamePricesAttributes]:
            now = infrastructure.clock.now()
            async with portal_unit_of_work(infrastructure) as uow:
                prices = await pricing_use_cases.set_game_prices(
                    uow, user_id, game_id, requested, now
                )
            return prices_document(prices, prefix, now)

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
        description=(
            "Version 0 and no prices until they are first set (the game cannot be bought "
            "yet). With a discount in force now: `active_discount` and the discounted prices "
            "(rounded down to the whole minor unit). Another developer's game, or one that "
            "does not exist, is 404."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def get_prices(
        game_id: GameId,
        user_id: CurrentUserId,
    ) -> Document[GamePricesAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            prices = await pricing_use_cases.game_prices_for_member(uow, user_id, game_id)
        return prices_document(prices, prefix, infrastructure.clock.now())

    add_discount_routes(router, infrastructure)
    return router

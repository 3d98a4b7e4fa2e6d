"""`/games/{game_id}/discounts`: discounts and promo periods of a game's prices.

A discount lowers every price of the game by a whole percent during ``[starts_at, ends_at)``;
periods of one game never overlap. Payment learns of each change through the price event and
charges the discounted price inside the period. Rules (bounds, overlap, rounding) live in
``pricing/domain/discounts.py``; this module parses and documents.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Request, Response
from parovoz_kit.http.fields import Count, Instant, RequestModel, Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.pricing import service as pricing_use_cases
from parovoz_developer_portal.pricing.domain import Discount
from parovoz_developer_portal.pricing.domain.discounts import MAX_NAME_LENGTH, DiscountRequest
from parovoz_developer_portal.schemas import Document, Resource
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

DISCOUNT_EXAMPLE = {
    "data": {
        "type": "gameDiscounts",
        "attributes": {
            "percent": 25,
            "starts_at": "2026-12-20T00:00:00Z",
            "ends_at": "2027-01-10T00:00:00Z",
            "name": "Новогодняя распродажа",
        },
    }
}


class DiscountInputAttributes(RequestModel):
    percent: Count = Field(
        description="Required. Whole percent off every price of the game: 1 to 90 by default.",
        examples=[25],
    )
    starts_at: Instant | None = Field(
        default=None,
        description=(
            "Optional. First instant of the period (RFC 3339 with a zone). Left out, or in "
            "the past: from now. At most 365 days ahead by default."
        ),
    )
    ends_at: Instant = Field(
        description=(
            "Required. End of the period (exclusive), in the future and after `starts_at`; a "
            "period lasts at most 90 days by default."
        ),
    )
    name: Annotated[str, Text(MAX_NAME_LENGTH)] | None = Field(
        default=None,
        description=f"Optional. Your name for the promotion, at most {MAX_NAME_LENGTH} characters.",
    )


class DiscountInputData(RequestModel):
    type: Literal["gameDiscounts"] = Field(description="Always `gameDiscounts`.")
    attributes: DiscountInputAttributes = Field(description="The discount.")


class DiscountDocumentInput(RequestModel):
    """A new discount of a game."""

    model_config = ConfigDict(json_schema_extra={"examples": [DISCOUNT_EXAMPLE]})

    data: DiscountInputData = Field(description="The discount.")

    def to_domain(self) -> DiscountRequest:
        attributes = self.data.attributes
        return DiscountRequest(
            percent=attributes.percent,
            starts_at=attributes.starts_at,
            ends_at=attributes.ends_at,
            name=attributes.name,
        )


class DiscountAttributes(BaseModel):
    game_id: uuid.UUID = Field(description="The discounted game.")
    percent: int = Field(description="Whole percent off every price of the game.")
    starts_at: datetime = Field(description="First instant of the period (inclusive).")
    ends_at: datetime = Field(description="End of the period (exclusive).")
    name: str | None = Field(description="The developer's name for it; null if none.")
    status: Literal["scheduled", "active", "ended"] = Field(
        description="`scheduled` before the period, `active` inside it, `ended` after it."
    )
    created_at: datetime = Field(description="When it was created.")
    created_by_user_id: uuid.UUID = Field(description="The member who created it.")


class DiscountListDocument(BaseModel):
    data: list[Resource[DiscountAttributes]] = Field(
        description="The game's discounts, past ones included, sorted by start."
    )


def discount_resource(
    discount: Discount, prefix: str, now: datetime
) -> Resource[DiscountAttributes]:
    status: Literal["scheduled", "active", "ended"] = "scheduled"
    if discount.is_over(now):
        status = "ended"
    elif discount.is_active(now):
        status = "active"
    return Resource(
        type="gameDiscounts",
        id=discount.id,
        attributes=DiscountAttributes(
            game_id=discount.game_id,
            percent=discount.percent,
            starts_at=discount.starts_at,
            ends_at=discount.ends_at,
            name=discount.name,
            status=status,
            created_at=discount.created_at,
            created_by_user_id=discount.created_by_user_id,
        ),
        links={"self": f"{prefix}/games/{discount.game_id}/discounts/{discount.id}"},
    )


def add_discount_routes(router: APIRouter, infrastructure: Infrastructure) -> None:
    """The discount routes, on the prices router (``{prefix}/games``)."""
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).discount_rules()

    @router.post(
        "/{game_id}/discounts",
        status_code=201,
        response_model=Document[DiscountAttributes],
        summary="Schedule a discount of a game (owner, admin or editor)",
        description=(
            "Every price of the game (base, regional and converted) is `percent` lower from "
            "`starts_at` to `ends_at`: the discounted amount is rounded down to the whole minor "
            "unit, never below one. Periods of one game never overlap (422 `DISCOUNT_OVERLAPS`). "
            "The game needs a paid price list first (422 `DISCOUNT_NEEDS_PRICE`). Payment is "
            "told by `developer.game.price.changed.v1`. Viewer and finance get 403; another "
            "developer's game is 404. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                400: ["INVALID_DISCOUNT_PERIOD"],
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: [
                    "DISCOUNT_PERCENT_OUT_OF_RANGE",
                    "DISCOUNT_ENDS_IN_PAST",
                    "DISCOUNT_TOO_LONG",
                    "DISCOUNT_STARTS_TOO_LATE",
                    "DISCOUNT_OVERLAPS",
                    "TOO_MANY_DISCOUNTS",
                    "DISCOUNT_NEEDS_PRICE",
                    "ACCOUNT_SUSPENDED",
                ],
            }
        ),
    )
    async def create_discount(
        game_id: GameId,
        body: DiscountDocumentInput,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        requested = body.to_domain()

        async def schedule() -> Document[DiscountAttributes]:
            now = infrastructure.clock.now()
            async with portal_unit_of_work(infrastructure) as uow:
                discount = await pricing_use_cases.add_discount(
                    uow, actor, game_id, requested, rules, now
                )
            return Document(data=discount_resource(discount, prefix, now))

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=schedule,
            success_status=201,
        )

    @router.get(
        "/{game_id}/discounts",
        response_model=DiscountListDocument,
        summary="A game's discounts, past, active and scheduled (any member)",
        description="Sorted by start. Another developer's game, or none, is 404.",
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_discounts(game_id: GameId, actor: CurrentMember) -> DiscountListDocument:
        now = infrastructure.clock.now()
        async with portal_unit_of_work(infrastructure) as uow:
            discounts = await pricing_use_cases.game_discounts(uow, actor, game_id)
        return DiscountListDocument(
            data=[discount_resource(discount, prefix, now) for discount in discounts]
        )

    @router.delete(
        "/{game_id}/discounts/{discount_id}",
        status_code=204,
        summary="Withdraw a discount (owner, admin or editor)",
        description=(
            "A scheduled discount is deleted; an active one ends now (it stays in the list as "
            "`ended`); one already over is 422 `DISCOUNT_ENDED`. Payment is told by the price "
            "event."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: ["DISCOUNT_ENDED", "ACCOUNT_SUSPENDED"],
            }
        ),
    )
    async def withdraw_discount(
        game_id: GameId,
        discount_id: Annotated[uuid.UUID, Path(description="The discount's id (UUID).")],
        actor: CurrentMember,
    ) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            await pricing_use_cases.withdraw_discount(
                uow, actor, game_id, discount_id, infrastructure.clock.now()
            )
        return Response(status_code=204)

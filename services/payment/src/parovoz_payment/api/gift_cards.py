"""Gift cards: `POST /admin/gift-cards` (promotional issue, admins, Idempotency-Key required;
the code is in this answer only) and `POST /gift-cards/balance-check` (the signed-in user asks
what is left on a code; the code travels in the body, never in a URL that access logs keep)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Response
from parovoz_kit.auth import CurrentPrincipal, CurrentUserId, require_roles
from parovoz_kit.idempotency import REPLAYED_HEADER, IdempotencyKey
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_payment.api.schemas import Document, MoneyBody, Resource
from parovoz_payment.domain.gift_cards import GiftCard, display_code
from parovoz_payment.domain.money import Money
from parovoz_payment.use_cases.gift_cards import LookupLimiter, check_balance, issue_promotional


class GiftCardIssueAttributes(BaseModel):
    value: MoneyBody
    #: Default: one year from now (PAYMENT_GIFT_CARD_VALIDITY_DAYS).
    expires_at: datetime | None = None


class GiftCardIssueData(BaseModel):
    type: Literal["giftCard"]
    attributes: GiftCardIssueAttributes


class GiftCardIssueBody(BaseModel):
    data: GiftCardIssueData


class GiftCardAttributes(BaseModel):
    #: Shown once, in the answer to the issue; null everywhere else.
    code: str | None = None
    origin: str
    value: MoneyBody
    available: MoneyBody
    issued_at: datetime
    expires_at: datetime
    expired: bool


class BalanceCheckAttributes(BaseModel):
    code: str = Field(max_length=64)


class BalanceCheckData(BaseModel):
    type: Literal["giftCardBalanceCheck"]
    attributes: BalanceCheckAttributes


class BalanceCheckBody(BaseModel):
    data: BalanceCheckData


def gift_card_resource(
    card: GiftCard, now: datetime, code: str | None = None
) -> Resource[GiftCardAttributes]:
    expired = card.is_expired(now)
    return Resource(
        type="giftCard",
        id=str(card.id),
        attributes=GiftCardAttributes(
            code=display_code(code) if code else None,
            origin=card.origin.value,
            value=MoneyBody(amount_minor=card.initial_minor, currency=card.currency),
            available=MoneyBody.of(Money.zero(card.currency) if expired else card.available),
            issued_at=card.issued_at,
            expires_at=card.expires_at,
            expired=expired,
        ),
    )


def gift_cards_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    settings = infrastructure.settings
    rules = settings.gift_card_rules()  # type: ignore[attr-defined]
    limiter = LookupLimiter(
        infrastructure.redis,
        settings.gift_card_lookup_limit,  # type: ignore[attr-defined]
        settings.gift_card_lookup_window_seconds,  # type: ignore[attr-defined]
    )
    router = APIRouter(prefix=prefix, tags=["gift cards"])

    @router.post(
        "/admin/gift-cards",
        status_code=201,
        response_model=Document[GiftCardAttributes],
        dependencies=[Depends(require_roles("admin"))],
        summary="Issue a promotional gift card (the code is in this answer only)",
    )
    async def issue(
        body: GiftCardIssueBody, principal: CurrentPrincipal, key: IdempotencyKey
    ) -> Response:
        attributes = body.data.attributes
        # Not the kit's idempotency store: it would keep the answer, code included, in clear.
        # A retry with the same key finds the card by its key and answers without the code.
        issued = await issue_promotional(
            infrastructure.unit_of_work,
            infrastructure.clock,
            Money(attributes.value.amount_minor, attributes.value.currency),
            admin=principal.subject,
            issue_key=f"{principal.subject}:{key}",
            rules=rules,
            expires_at=attributes.expires_at,
        )
        document = Document(
            data=gift_card_resource(issued.card, infrastructure.clock.now(), issued.code)
        )
        response = Response(
            document.model_dump_json(),
            status_code=200 if issued.replayed else 201,
            media_type="application/json",
            headers={"Cache-Control": "no-store"},
        )
        if issued.replayed:
            response.headers[REPLAYED_HEADER] = "true"
        return response

    @router.post(
        "/gift-cards/balance-check",
        response_model=Document[GiftCardAttributes],
        summary="What is left on a gift card (wrong codes are rate-limited)",
    )
    async def balance_check(
        body: BalanceCheckBody, user_id: CurrentUserId
    ) -> Document[GiftCardAttributes]:
        card = await check_balance(
            infrastructure.unit_of_work,
            infrastructure.clock,
            limiter,
            user_id,
            body.data.attributes.code,
        )
        return Document(data=gift_card_resource(card, infrastructure.clock.now()))

    return router

"""Gift cards: `POST /admin/gift-cards` (promotional issue, admins, Idempotency-Key required;
the code is in this answer only) and `POST /gift-cards/balance-check` (the signed-in user asks
what is left on a code; the code travels in the body, never in a URL that access logs keep)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from parovoz_kit.auth import CurrentPrincipal, CurrentUserId, require_roles
from parovoz_kit.http.fields import Instant, RequestModel, Text
from parovoz_kit.idempotency import REPLAYED_HEADER, IdempotencyKey, Proceed, run_idempotent
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.documented_errors import GIFT_CARD_BALANCE, GIFT_CARD_ISSUE, documented
from parovoz_payment.api.schemas import (
    GIFT_CARD_CODE_LENGTH,
    Document,
    MoneyBody,
    MoneyInput,
    Resource,
)
from parovoz_payment.domain.gift_cards import GiftCard, display_code
from parovoz_payment.domain.money import Money
from parovoz_payment.use_cases.gift_cards import LookupLimiter, check_balance, issue_promotional


class GiftCardIssueAttributes(RequestModel):
    value: MoneyInput = Field(
        description=(
            "Required. The card's value, within the gift card limits (422 "
            "INVALID_GIFT_CARD_VALUE outside)."
        )
    )
    expires_at: Instant | None = Field(
        default=None,
        description=(
            "Optional. When the card expires (ISO 8601 with offset, in the future); one year "
            "from now when omitted (PAYMENT_GIFT_CARD_VALIDITY_DAYS)."
        ),
    )


class GiftCardIssueData(RequestModel):
    type: Literal["giftCard"] = Field(description="Required: `giftCard`.")
    attributes: GiftCardIssueAttributes = Field(description="The card to issue.")


class GiftCardIssueBody(RequestModel):
    """`POST /admin/gift-cards`: issue a promotional gift card."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "giftCard",
                        "attributes": {"value": {"amount_minor": 100000, "currency": "RUB"}},
                    }
                }
            ]
        }
    )

    data: GiftCardIssueData = Field(description="The card to issue.")


class GiftCardAttributes(BaseModel):
    code: str | None = Field(
        default=None,
        description="The code: shown once, in the answer to the issue; null everywhere else.",
    )
    origin: str = Field(description="promotional (issued by an admin) or purchased.")
    value: MoneyBody = Field(description="What the card was worth when issued.")
    available: MoneyBody = Field(description="What is left on it (zero once expired).")
    issued_at: datetime = Field(description="When it was issued.")
    expires_at: datetime = Field(description="When it expires.")
    expired: bool = Field(description="Whether it has expired.")


class BalanceCheckAttributes(RequestModel):
    code: Annotated[str, Text(GIFT_CARD_CODE_LENGTH)] = Field(
        description=(
            "Required. The card's code, `ABCD-EFGH-JKMN-PQRS` (dashes, spaces and case "
            "ignored). Wrong codes count against the lookup limit (429 with Retry-After)."
        ),
        examples=["ABCD-EFGH-JKMN-PQRS"],
    )


class BalanceCheckData(RequestModel):
    type: Literal["giftCardBalanceCheck"] = Field(description="Required: `giftCardBalanceCheck`.")
    attributes: BalanceCheckAttributes = Field(description="The code to check.")


class BalanceCheckBody(RequestModel):
    """`POST /gift-cards/balance-check`: what is left on a gift card."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "giftCardBalanceCheck",
                        "attributes": {"code": "ABCD-EFGH-JKMN-PQRS"},
                    }
                }
            ]
        }
    )

    data: BalanceCheckData = Field(description="The code to check.")


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


def _card_response(document: Document[GiftCardAttributes], status: int) -> Response:
    return Response(
        document.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _without_code(first: Response) -> Response:
    """What a retry with the same key answers: the card issued first, without its code (it is
    shown once, and the idempotency store must never hold it)."""
    document = Document[GiftCardAttributes].model_validate_json(bytes(first.body))
    document.data.attributes.code = None
    return _card_response(document, 200)


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
        responses={
            **documented(GIFT_CARD_ISSUE),
            200: {
                "model": Document[GiftCardAttributes],
                "description": (
                    "A retry with the same Idempotency-Key: the card issued by the first "
                    "request, without its code (shown once)."
                ),
            },
        },
        summary="Issue a promotional gift card (the code is in this answer only)",
        description=(
            "Issues a promotional gift card paid by the platform (admins only; "
            "Idempotency-Key required). The code is in this answer only; a retry with the same "
            "key answers the same card (200) without its code."
        ),
    )
    async def issue(
        request: Request, body: GiftCardIssueBody, principal: CurrentPrincipal, key: IdempotencyKey
    ) -> Response:
        attributes = body.data.attributes

        async def handler(_: Proceed) -> Response:
            # The card's own issue key too: were the kit's record lost (a crash between the
            # commit and the record), a retry still finds this card instead of a second one.
            issued = await issue_promotional(
                infrastructure.unit_of_work,
                infrastructure.clock,
                attributes.value.money(),
                admin=principal.subject,
                issue_key=f"{principal.subject}:{key}",
                rules=rules,
                expires_at=attributes.expires_at,
            )
            document = Document(
                data=gift_card_resource(issued.card, infrastructure.clock.now(), issued.code)
            )
            response = _card_response(document, 200 if issued.replayed else 201)
            if issued.replayed:
                response.headers[REPLAYED_HEADER] = "true"
            return response

        # The kit's one mechanism: the body is fingerprinted (another body under this key is
        # 422 IDEMPOTENCY_KEY_REUSED); what it keeps for retries is the card without its code.
        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"gift-cards:{principal.subject}",
            key=key,
            handler=handler,
            replay_as=_without_code,
        )

    @router.post(
        "/gift-cards/balance-check",
        response_model=Document[GiftCardAttributes],
        responses=documented(GIFT_CARD_BALANCE),
        summary="What is left on a gift card (wrong codes are rate-limited)",
        description=(
            "What is left on the gift card with this code, and until when (anyone signed in). "
            "An unknown code is 404 GIFT_CARD_NOT_FOUND and counts as a failed lookup; past "
            "the limit every lookup is 429 GIFT_CARD_ATTEMPTS_EXCEEDED with Retry-After."
        ),
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

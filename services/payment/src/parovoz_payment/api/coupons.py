"""Admin coupons: `POST /admin/coupons`, `GET /admin/coupons` (newest first, paged),
`POST /admin/coupons/{coupon_id}/disable`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from parovoz_kit.auth import CurrentPrincipal, require_roles
from parovoz_kit.errors import Conflict, NotFound
from parovoz_kit.http.fields import Instant, Int64, QueryInt64, RequestModel, Text
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_payment.api.deps import RequestId
from parovoz_payment.api.documented_errors import COUPON_CREATION, COUPON_DISABLE, documented
from parovoz_payment.api.schemas import (
    COUPON_CODE_LENGTH,
    Document,
    Int32,
    ListDocument,
    MoneyBody,
    MoneyInput,
    PageLinks,
    Resource,
)
from parovoz_payment.db.audit import record
from parovoz_payment.db.coupons import SqlCoupons
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.coupons import Coupon, CouponKind, new_coupon
from parovoz_payment.domain.money import Money

MAX_PAGE_SIZE = 200


class CouponCreationAttributes(RequestModel):
    code: Annotated[str, Text(COUPON_CODE_LENGTH)] = Field(
        description=(
            "Required. What buyers type: 3..32 letters, digits, `-` or `_`, case-insensitive "
            "(kept in capitals); unique (409 COUPON_CODE_TAKEN)."
        ),
        examples=["WINTER25"],
    )
    kind: CouponKind = Field(
        description=(
            "Required. `percent`: percent_off of the price; `fixed`: amount_off off the price "
            "(in amount_off's currency only)."
        )
    )
    percent_off: Int64 | None = Field(
        default=None,
        description="For `percent` (required there, refused otherwise): 1..100.",
        examples=[25],
    )
    amount_off: MoneyInput | None = Field(
        default=None,
        description="For `fixed` (required there, refused otherwise): a positive amount.",
    )
    min_order: MoneyInput | None = Field(
        default=None,
        description=(
            "Optional. The smallest price the coupon applies to (positive; for `fixed`, in "
            "amount_off's currency)."
        ),
    )
    starts_at: Instant | None = Field(
        default=None,
        description="Optional. From when it applies (ISO 8601 with offset); now when omitted.",
    )
    expires_at: Instant | None = Field(
        default=None,
        description="Optional. Until when it applies (after starts_at); never when omitted.",
    )
    max_uses: Int32 | None = Field(
        default=None,
        description="Optional. How many payments may use it in all (at least 1); no limit "
        "when omitted.",
    )
    max_uses_per_user: Int32 | None = Field(
        default=None,
        description="Optional. How many payments of one user may use it (at least 1); no "
        "limit when omitted.",
    )


class CouponCreationData(RequestModel):
    type: Literal["coupon"] = Field(description="Required: `coupon`.")
    attributes: CouponCreationAttributes = Field(description="The coupon.")


class CouponCreationBody(RequestModel):
    """`POST /admin/coupons`: a new coupon."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {
                        "type": "coupon",
                        "attributes": {
                            "code": "WINTER25",
                            "kind": "percent",
                            "percent_off": 25,
                            "min_order": {"amount_minor": 50000, "currency": "RUB"},
                            "expires_at": "2030-03-01T00:00:00Z",
                            "max_uses": 1000,
                            "max_uses_per_user": 1,
                        },
                    }
                }
            ]
        }
    )

    data: CouponCreationData = Field(description="The coupon.")


class CouponAttributes(BaseModel):
    code: str = Field(description="What buyers type (capitals).")
    kind: str = Field(description="percent or fixed.")
    percent_off: int | None = Field(description="For percent: 1..100; null otherwise.")
    amount_off: MoneyBody | None = Field(description="For fixed: the discount; null otherwise.")
    min_order: MoneyBody | None = Field(description="The smallest price it applies to, or null.")
    starts_at: datetime | None = Field(description="From when it applies, or null.")
    expires_at: datetime | None = Field(description="Until when it applies, or null.")
    max_uses: int | None = Field(description="Uses in all, or null for no limit.")
    max_uses_per_user: int | None = Field(description="Uses per user, or null for no limit.")
    created_at: datetime = Field(description="When it was created.")
    disabled_at: datetime | None = Field(description="When it was disabled, or null.")


def _money(minor: int | None, currency: str | None) -> MoneyBody | None:
    if minor is None or currency is None:
        return None
    return MoneyBody(amount_minor=minor, currency=currency)


def coupon_resource(coupon: Coupon, prefix: str) -> Resource[CouponAttributes]:
    return Resource(
        type="coupon",
        id=str(coupon.id),
        attributes=CouponAttributes(
            code=coupon.code,
            kind=coupon.kind.value,
            percent_off=coupon.percent_off,
            amount_off=_money(coupon.amount_off_minor, coupon.currency),
            min_order=_money(coupon.min_order_minor, coupon.currency),
            starts_at=coupon.starts_at,
            expires_at=coupon.expires_at,
            max_uses=coupon.max_uses,
            max_uses_per_user=coupon.max_uses_per_user,
            created_at=coupon.created_at,
            disabled_at=coupon.disabled_at,
        ),
        links={"self": f"{prefix}/admin/coupons/{coupon.id}"},
    )


def _audit(
    coupon: Coupon,
    actor: str,
    action: str,
    request_id: str | None,
    *,
    before: Coupon | None = None,
) -> AuditRecord:
    """The whole coupon (discount and limits) after ``action``, and before it on a change."""
    return AuditRecord(
        actor=actor,
        action=action,
        subject_type="coupon",
        subject_id=str(coupon.id),
        before=None if before is None else before.audit_state(),
        after=coupon.audit_state(),
        request_id=request_id,
    )


def coupons_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(
        prefix=f"{prefix}/admin/coupons",
        tags=["admin"],
        dependencies=[Depends(require_roles("admin"))],
    )

    @router.post(
        "",
        status_code=201,
        response_model=Document[CouponAttributes],
        responses=documented(COUPON_CREATION),
        summary="Create a coupon",
        description=(
            "Creates a discount coupon buyers may offer with a payment (admins only; "
            "audit-logged). The code is unique: creating it again is 409 COUPON_CODE_TAKEN."
        ),
    )
    async def create_coupon(
        body: CouponCreationBody, principal: CurrentPrincipal, request_id: RequestId
    ) -> Document[CouponAttributes]:
        attributes = body.data.attributes
        coupon = new_coupon(
            code=attributes.code,
            kind=attributes.kind,
            now=infrastructure.clock.now(),
            percent_off=attributes.percent_off,
            amount_off=_parsed(attributes.amount_off),
            min_order=_parsed(attributes.min_order),
            starts_at=attributes.starts_at,
            expires_at=attributes.expires_at,
            max_uses=attributes.max_uses,
            max_uses_per_user=attributes.max_uses_per_user,
        )
        # A coupon code is unique: creating it again is a conflict, not a second coupon.
        async with infrastructure.unit_of_work() as uow:
            if not await SqlCoupons(uow.session).add(coupon, principal.subject):
                raise Conflict(
                    "A coupon with this code exists.",
                    code="COUPON_CODE_TAKEN",
                    pointer="/data/attributes/code",
                )
            audit = _audit(coupon, principal.subject, "coupon.created", request_id)
            await record(uow.session, audit)
            await uow.commit()
        return Document(data=coupon_resource(coupon, prefix))

    @router.get(
        "",
        response_model=ListDocument[CouponAttributes],
        summary="Coupons, newest first",
        description=(
            "Every coupon, newest first, a page at a time (admins only); `links.next` is the "
            "next page, null on the last one."
        ),
    )
    async def list_coupons(
        page_size: Annotated[
            QueryInt64,
            Query(
                alias="page[size]",
                ge=1,
                le=MAX_PAGE_SIZE,
                description=f"Coupons per page, 1..{MAX_PAGE_SIZE} (default 50).",
            ),
        ] = 50,
        page_after: Annotated[
            Instant | None,
            Query(
                alias="page[after]",
                description=(
                    "The cursor: created_at (ISO 8601 with offset) of the last coupon of the "
                    "previous page, as links.next gives it; omitted for the first page."
                ),
            ),
        ] = None,
    ) -> ListDocument[CouponAttributes]:
        async with infrastructure.session_factory() as session:
            found = await SqlCoupons(session).page(page_after, page_size + 1)
        page, more = found[:page_size], len(found) > page_size
        next_link = None
        if more:
            params = {"page[size]": str(page_size), "page[after]": page[-1].created_at.isoformat()}
            next_link = f"{prefix}/admin/coupons?{urlencode(params)}"
        return ListDocument(
            data=[coupon_resource(coupon, prefix) for coupon in page],
            links=PageLinks(next=next_link),
        )

    @router.post(
        "/{coupon_id:uuid}/disable",
        response_model=Document[CouponAttributes],
        responses=documented(COUPON_DISABLE),
        summary="Disable a coupon (reserved uses of pending payments stay)",
        description=(
            "Disables a coupon for new payments (admins only; audit-logged); payments already "
            "pending keep the discount they reserved."
        ),
    )
    async def disable_coupon(
        coupon_id: uuid.UUID, principal: CurrentPrincipal, request_id: RequestId
    ) -> Document[CouponAttributes]:
        async with infrastructure.unit_of_work() as uow:
            repository = SqlCoupons(uow.session)
            before = await repository.get(coupon_id)
            coupon = await repository.disable(coupon_id, infrastructure.clock.now())
            if coupon is None:
                raise NotFound("The coupon does not exist.", code="COUPON_NOT_FOUND")
            action = "coupon.disabled"
            await record(
                uow.session,
                _audit(coupon, principal.subject, action, request_id, before=before),
            )
            await uow.commit()
        return Document(data=coupon_resource(coupon, prefix))

    return router


def _parsed(body: MoneyInput | None) -> Money | None:
    return None if body is None else Money(body.amount_minor, body.currency)

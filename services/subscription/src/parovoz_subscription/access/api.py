"""REST of access (thin: parse -> one use case -> document): the caller's own access decision
and devices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.fields import CountryCode, Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_subscription.access import service as access
from parovoz_subscription.access.domain import (
    DEVICE_ID_LIMIT,
    AccessDecision,
    AccessReason,
    Device,
)
from parovoz_subscription.access.ports import access_ports
from parovoz_subscription.unit_of_work import subscription_unit_of_work

_REASONS = ", ".join(f"`{reason.value}`" for reason in AccessReason)

DeviceId = Annotated[
    str,
    Text(DEVICE_ID_LIMIT, min_length=1),
    Path(description=f"The device's id as the launcher chose it (1-{DEVICE_ID_LIMIT} characters)."),
]


class AccessDecisionAttributes(BaseModel):
    allowed: bool = Field(description="True when the caller may play the game now.")
    reason: str = Field(
        description=(
            f"`GRANTED` when allowed, else why not: one of {_REASONS}. When several apply, "
            "the first in this order answers: GAME_NOT_AVAILABLE, GAME_REGION_RESTRICTED, "
            "AGE_RESTRICTION_VIOLATION, SUBSCRIPTION_SUSPENDED / SUBSCRIPTION_EXPIRED / "
            "NO_ACTIVE_SUBSCRIPTION (no subscription grants access now), "
            "GAME_NOT_IN_SUBSCRIPTION, PLAN_REGION_RESTRICTED, DEVICE_LIMIT_EXCEEDED."
        ),
        examples=["GRANTED"],
    )
    subscription_id: uuid.UUID | None = Field(
        description="The subscription granting access; null when denied."
    )
    source: Literal["own"] | None = Field(
        description="How the caller holds it (`own`); null when denied."
    )
    access_until: datetime | None = Field(
        description=(
            "Until when this answer holds without a renewal: the period's end (or the grace's "
            "end while a payment is pending), sooner if the game leaves the plan's catalog; "
            "null when denied."
        )
    )
    plan_id: uuid.UUID | None = Field(description="The granting plan; null when denied.")
    plan_type: str | None = Field(
        description="Its type (basic, premium, family, corporate, student); null when denied."
    )
    subscription_status: str | None = Field(
        description="The granting subscription's status; null when denied."
    )
    devices_used: int = Field(description="Devices registered to the caller after this check.")
    device_limit: int = Field(description="How many devices the caller may register.")


class AccessDecisionData(BaseModel):
    type: Literal["accessDecision"] = Field(description="Always `accessDecision`.")
    attributes: AccessDecisionAttributes = Field(description="The decision.")


class AccessDecisionDocument(BaseModel):
    data: AccessDecisionData = Field(description="The decision.")


class DeviceAttributes(BaseModel):
    device_id: str = Field(description="The device's id as the launcher chose it.")
    first_seen_at: datetime = Field(description="When its first allowed check registered it.")
    last_seen_at: datetime = Field(
        description=(
            "When it was last checked (as fine as the access cache's lifetime, 5 minutes: a "
            "check answered from the cache does not write)."
        )
    )


class DeviceResource(BaseModel):
    type: Literal["device"] = Field(description="Always `device`.")
    id: str = Field(description="The device's id.")
    attributes: DeviceAttributes = Field(description="The device.")


class DeviceListMeta(BaseModel):
    devices_used: int = Field(description="How many devices are registered.")


class DeviceListDocument(BaseModel):
    data: list[DeviceResource] = Field(description="The caller's devices, first seen first.")
    meta: DeviceListMeta = Field(description="Counts.")


def decision_document(decision: AccessDecision) -> AccessDecisionDocument:
    return AccessDecisionDocument(
        data=AccessDecisionData(
            type="accessDecision",
            attributes=AccessDecisionAttributes(
                allowed=decision.allowed,
                reason=decision.reason.value,
                subscription_id=decision.subscription_id,
                source=decision.source.value if decision.source else None,  # type: ignore[arg-type]
                access_until=decision.access_until,
                plan_id=decision.plan_id,
                plan_type=decision.plan_type.value if decision.plan_type else None,
                subscription_status=decision.status.value if decision.status else None,
                devices_used=decision.devices_used,
                device_limit=decision.device_limit,
            ),
        )
    )


def _device(device: Device) -> DeviceResource:
    return DeviceResource(
        type="device",
        id=device.device_id,
        attributes=DeviceAttributes(
            device_id=device.device_id,
            first_seen_at=device.first_seen_at,
            last_seen_at=device.last_seen_at,
        ),
    )


def access_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    router = APIRouter(prefix=prefix, tags=["access"])

    @router.get(
        "/access",
        response_model=AccessDecisionDocument,
        summary="May I play this game on this device now, through a subscription?",
        description=(
            "The caller's own access decision (the same as gRPC CheckAccess). A denial is an "
            "answer, not an error: 200 with `allowed: false` and the reason. A device not seen "
            "before is registered to the caller by its first allowed check, within the device "
            "limit (3 by default). `region` (ISO 3166-1 alpha-2) is where the caller plays "
            "from; the profile's region when left out. An unknown game is 404 `GAME_NOT_FOUND`."
        ),
        responses=error_responses(
            {
                400: ["VALIDATION_ERROR"],
                404: ["GAME_NOT_FOUND"],
                503: ["USER_SERVICE_UNAVAILABLE", "DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def my_access(
        user_id: CurrentUserId,
        game_id: Annotated[uuid.UUID, Query(description="The game (UUID).")],
        device_id: Annotated[
            str,
            Text(DEVICE_ID_LIMIT, min_length=1),
            Query(description=f"The device's id (1-{DEVICE_ID_LIMIT} characters)."),
        ],
        region: Annotated[
            CountryCode | None,
            Query(description="Where the caller plays from (RU); the profile's when left out."),
        ] = None,
    ) -> AccessDecisionDocument:
        decision = await access.check_access(
            lambda: subscription_unit_of_work(infrastructure),
            access_ports(infrastructure),
            user_id,
            game_id,
            device_id,
            region,
            infrastructure.clock.now(),
        )
        return decision_document(decision)

    @router.get(
        "/devices",
        response_model=DeviceListDocument,
        summary="My registered devices",
        description="The devices registered to the caller (not removed), first seen first.",
    )
    async def my_devices(user_id: CurrentUserId) -> DeviceListDocument:
        async with subscription_unit_of_work(infrastructure) as uow:
            devices = await access.my_devices(uow, user_id)
        return DeviceListDocument(
            data=[_device(device) for device in devices],
            meta=DeviceListMeta(devices_used=len(devices)),
        )

    @router.delete(
        "/devices/{device_id}",
        status_code=204,
        summary="Remove one of my devices (frees its slot)",
        description=(
            "The device no longer counts against the limit; checking from it again registers "
            "it anew (if a slot is free). A device the caller has not registered is 404 "
            "`DEVICE_NOT_FOUND`."
        ),
        responses=error_responses({404: ["DEVICE_NOT_FOUND"]}),
    )
    async def remove_device(user_id: CurrentUserId, device_id: DeviceId) -> Response:
        async with subscription_unit_of_work(infrastructure) as uow:
            await access.remove_device(uow, user_id, device_id, infrastructure.clock.now())
        return Response(status_code=204)

    return router

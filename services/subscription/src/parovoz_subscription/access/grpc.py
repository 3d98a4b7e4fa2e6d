"""gRPC of access: `SubscriptionService.CheckAccess` translated to one use case.

The hot path: ids parsed, one use case (answered from the cache when it holds everything),
the answer built; no unit of work unless the cache misses or a device is new.
"""

from __future__ import annotations

import uuid

from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access import service as access
from parovoz_subscription.access.domain import AccessDecision, AccessReason
from parovoz_subscription.access.ports import access_ports
from parovoz_subscription.subscriptions.domain import PlanType, SubscriptionStatus
from parovoz_subscription.unit_of_work import subscription_unit_of_work

REASONS: dict[AccessReason, int] = {
    AccessReason.GRANTED: pb.ACCESS_REASON_GRANTED,
    AccessReason.NO_ACTIVE_SUBSCRIPTION: pb.ACCESS_REASON_NO_ACTIVE_SUBSCRIPTION,
    AccessReason.SUBSCRIPTION_SUSPENDED: pb.ACCESS_REASON_SUBSCRIPTION_SUSPENDED,
    AccessReason.SUBSCRIPTION_EXPIRED: pb.ACCESS_REASON_SUBSCRIPTION_EXPIRED,
    AccessReason.GAME_NOT_IN_SUBSCRIPTION: pb.ACCESS_REASON_GAME_NOT_IN_CATALOG,
    AccessReason.GAME_NOT_AVAILABLE: pb.ACCESS_REASON_GAME_NOT_AVAILABLE,
    AccessReason.GAME_REGION_RESTRICTED: pb.ACCESS_REASON_REGION_NOT_AVAILABLE,
    AccessReason.PLAN_REGION_RESTRICTED: pb.ACCESS_REASON_PLAN_REGION_RESTRICTED,
    AccessReason.AGE_RESTRICTION_VIOLATION: pb.ACCESS_REASON_AGE_RESTRICTED,
    AccessReason.DEVICE_LIMIT_EXCEEDED: pb.ACCESS_REASON_DEVICE_LIMIT_EXCEEDED,
}
PLAN_TYPES: dict[PlanType, int] = {
    PlanType.BASIC: pb.PLAN_TYPE_BASIC,
    PlanType.PREMIUM: pb.PLAN_TYPE_PREMIUM,
    PlanType.FAMILY: pb.PLAN_TYPE_FAMILY,
    PlanType.CORPORATE: pb.PLAN_TYPE_CORPORATE,
    PlanType.STUDENT: pb.PLAN_TYPE_STUDENT,
}
STATUSES: dict[SubscriptionStatus, int] = {
    SubscriptionStatus.INCOMPLETE: pb.SUBSCRIPTION_STATUS_INCOMPLETE,
    SubscriptionStatus.TRIAL: pb.SUBSCRIPTION_STATUS_TRIAL,
    SubscriptionStatus.ACTIVE: pb.SUBSCRIPTION_STATUS_ACTIVE,
    SubscriptionStatus.PENDING_PAYMENT: pb.SUBSCRIPTION_STATUS_PENDING_PAYMENT,
    SubscriptionStatus.SUSPENDED: pb.SUBSCRIPTION_STATUS_SUSPENDED,
    SubscriptionStatus.CANCELLED: pb.SUBSCRIPTION_STATUS_CANCELLED,
    SubscriptionStatus.EXPIRED: pb.SUBSCRIPTION_STATUS_EXPIRED,
}


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            f"{field}: a UUID is required.",
            parameter=field,
            detail_ru=f"{field}: нужен UUID.",
        ) from None


def decision_message(decision: AccessDecision) -> pb.CheckAccessResponse:
    response = pb.CheckAccessResponse(
        allowed=decision.allowed,
        reason=REASONS[decision.reason],  # type: ignore[arg-type]
        devices_used=decision.devices_used,
        device_limit=decision.device_limit,
    )
    if decision.allowed:
        response.subscription_id = str(decision.subscription_id)
        response.source = pb.ACCESS_SOURCE_OWN
        response.plan_id = str(decision.plan_id)
        if decision.plan_type is not None:
            response.plan_type = PLAN_TYPES[decision.plan_type]  # type: ignore[assignment]
        if decision.status is not None:
            response.subscription_status = STATUSES[decision.status]  # type: ignore[assignment]
        if decision.access_until is not None:
            response.access_until.FromDatetime(decision.access_until)
    return response


async def check_access(
    infrastructure: Infrastructure, request: pb.CheckAccessRequest
) -> pb.CheckAccessResponse:
    """The same request again within the rules' local time is answered from the process's
    memory (forgotten by any change this process makes); otherwise one use case."""
    ports = access_ports(infrastructure)
    cache = ports.cache
    now = infrastructure.clock.now()
    key = (request.user_id, request.game_id, request.device_id, request.region)
    remembered = cache.recall(key, now)
    if remembered is not None:
        return remembered  # type: ignore[return-value]
    epoch = cache.epoch
    user_id = _uuid(request.user_id, "user_id")
    game_id = _uuid(request.game_id, "game_id")
    device_id = access.check_device_id(request.device_id)
    region = access.check_region(request.region)
    decision = await access.check_access(
        lambda: subscription_unit_of_work(infrastructure),
        ports,
        user_id,
        game_id,
        device_id,
        region,
        now,
    )
    message = decision_message(decision)
    if ports.rules.cache_local_seconds > 0:
        valid_until = access.answer_valid_until(decision, now, ports.rules)
        cache.remember(key, message, valid_until, epoch)
    return message

"""gRPC of subscriptions: `SubscriptionService.ListUserSubscriptions` translated to one use case
(the user's own subscriptions, newest first; family and corporate seats come with issue 2/2).
The page token is the REST list's opaque cursor."""

from __future__ import annotations

import uuid

from parovoz.common.v1 import money_pb2
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.subscriptions import service as use_cases
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.subscriptions.rules import SubscriptionRules
from parovoz_subscription.unit_of_work import subscription_unit_of_work

S = SubscriptionStatus

#: Every status, both ways (a status without a proto value fails the import-time check below).
STATUSES: dict[SubscriptionStatus, int] = {
    S.INCOMPLETE: pb.SUBSCRIPTION_STATUS_INCOMPLETE,
    S.TRIAL: pb.SUBSCRIPTION_STATUS_TRIAL,
    S.ACTIVE: pb.SUBSCRIPTION_STATUS_ACTIVE,
    S.PENDING_PAYMENT: pb.SUBSCRIPTION_STATUS_PENDING_PAYMENT,
    S.SUSPENDED: pb.SUBSCRIPTION_STATUS_SUSPENDED,
    S.CANCELLED: pb.SUBSCRIPTION_STATUS_CANCELLED,
    S.EXPIRED: pb.SUBSCRIPTION_STATUS_EXPIRED,
}
STATUS_OF: dict[int, SubscriptionStatus] = {number: status for status, number in STATUSES.items()}
PLAN_TYPES: dict[PlanType, int] = {
    PlanType.BASIC: pb.PLAN_TYPE_BASIC,
    PlanType.PREMIUM: pb.PLAN_TYPE_PREMIUM,
    PlanType.FAMILY: pb.PLAN_TYPE_FAMILY,
    PlanType.CORPORATE: pb.PLAN_TYPE_CORPORATE,
    PlanType.STUDENT: pb.PLAN_TYPE_STUDENT,
}
PERIODS: dict[BillingPeriod, int] = {
    BillingPeriod.MONTHLY: pb.BILLING_PERIOD_MONTHLY,
    BillingPeriod.QUARTERLY: pb.BILLING_PERIOD_QUARTERLY,
    BillingPeriod.YEARLY: pb.BILLING_PERIOD_YEARLY,
}
assert set(STATUSES) == set(S) and set(PLAN_TYPES) == set(PlanType)
assert set(PERIODS) == set(BillingPeriod)


def _invalid(field: str, english: str, russian: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {english}", parameter=field, detail_ru=f"{field}: {russian}")


def _user_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _invalid("user_id", "a UUID is required.", "нужен UUID.") from None


def _statuses(numbers: list[int]) -> list[SubscriptionStatus]:
    try:
        return [STATUS_OF[number] for number in numbers]
    except KeyError:
        raise _invalid(
            "statuses", "unknown or unspecified status.", "неизвестный или не указанный статус."
        ) from None


def _page_size(requested: int, rules: SubscriptionRules) -> int:
    if requested < 0:
        raise _invalid("page_size", "must not be negative.", "не может быть отрицательным.")
    return min(requested or rules.default_page_size, rules.max_page_size, 100)


def subscription_message(subscription: Subscription, plan_name: str) -> pb.Subscription:
    message = pb.Subscription(
        id=str(subscription.id),
        owner_user_id=str(subscription.user_id),
        source=pb.ACCESS_SOURCE_OWN,
        plan_id=str(subscription.plan_id),
        plan_type=PLAN_TYPES[subscription.plan_type],  # type: ignore[arg-type]
        plan_name=plan_name,
        billing_period=PERIODS[subscription.billing_period],  # type: ignore[arg-type]
        status=STATUSES[subscription.status],  # type: ignore[arg-type]
        region=subscription.region,
        price=money_pb2.Money(
            amount_minor=subscription.price_minor, currency=subscription.currency
        ),
        auto_renew=subscription.auto_renew,
        saved_method_id=subscription.saved_method_id or "",
    )
    message.current_period_start.FromDatetime(subscription.current_period_start)
    message.current_period_end.FromDatetime(subscription.current_period_end)
    message.created_at.FromDatetime(subscription.created_at)
    message.updated_at.FromDatetime(subscription.updated_at)
    for field, moment in (
        ("trial_end_at", subscription.trial_end_at),
        ("grace_until", subscription.grace_until),
        ("cancelled_at", subscription.cancelled_at),
    ):
        if moment is not None:
            getattr(message, field).FromDatetime(moment)
    return message


async def list_user_subscriptions(
    infrastructure: Infrastructure, request: pb.ListUserSubscriptionsRequest
) -> pb.ListUserSubscriptionsResponse:
    rules: SubscriptionRules = infrastructure.settings.subscription_rules()
    user_id = _user_id(request.user_id)
    statuses = _statuses(list(request.statuses))
    page_size = _page_size(request.page_size, rules)
    async with subscription_unit_of_work(infrastructure) as uow:
        page = await use_cases.list_subscriptions(
            uow,
            user_id,
            statuses,
            request.page_token or None,
            page_size,
            cursor_parameter="page_token",
        )
        names = await use_cases.plan_names(uow, page.subscriptions)
    return pb.ListUserSubscriptionsResponse(
        subscriptions=[subscription_message(sub, names[sub.plan_id]) for sub in page.subscriptions],
        next_page_token=page.next_cursor or "",
    )

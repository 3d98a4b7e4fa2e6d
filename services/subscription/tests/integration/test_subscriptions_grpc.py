"""`SubscriptionService.ListUserSubscriptions` on a real grpc.aio server on loopback (the
service's servicer and interceptors, real service tokens): the user's own subscriptions newest
first with every field, the opaque page token, the statuses filter and each status's proto
value, bad requests INVALID_ARGUMENT, users refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1 import subscription_service_pb2_grpc
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.grpc.callers import CALLERS
from parovoz_subscription.grpc.servicer import grpc_services
from parovoz_subscription.plans.domain import Price
from parovoz_subscription.plans.service import PriceSetting, create_plan
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.tokens import service_token, user_token

S = SubscriptionStatus
T0 = datetime(2099, 1, 31, 9, 0, tzinfo=UTC)
PROTO_STATUS = {
    S.INCOMPLETE: pb.SUBSCRIPTION_STATUS_INCOMPLETE,
    S.TRIAL: pb.SUBSCRIPTION_STATUS_TRIAL,
    S.ACTIVE: pb.SUBSCRIPTION_STATUS_ACTIVE,
    S.PENDING_PAYMENT: pb.SUBSCRIPTION_STATUS_PENDING_PAYMENT,
    S.SUSPENDED: pb.SUBSCRIPTION_STATUS_SUSPENDED,
    S.CANCELLED: pb.SUBSCRIPTION_STATUS_CANCELLED,
    S.EXPIRED: pb.SUBSCRIPTION_STATUS_EXPIRED,
}


@pytest.fixture(scope="module")
async def stub(
    infrastructure: Infrastructure,
) -> AsyncIterator[subscription_service_pb2_grpc.SubscriptionServiceStub]:
    settings = SubscriptionSettings(environment="test", grpc_port=0)
    server = create_grpc_server(
        settings,
        grpc_services(infrastructure),
        standard_server_interceptors(infrastructure.verifier, callers=CALLERS),
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield subscription_service_pb2_grpc.SubscriptionServiceStub(channel)
    finally:
        await server.stop(0)


def _as(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def list_of(
    stub: subscription_service_pb2_grpc.SubscriptionServiceStub, token: str | None = None, **fields
) -> pb.ListUserSubscriptionsResponse:
    return await stub.ListUserSubscriptions(  # type: ignore[no-any-return]
        pb.ListUserSubscriptionsRequest(**fields),
        metadata=_as(token or service_token("launcher")),
        timeout=10,
    )


@pytest.fixture(scope="module")
async def plan_id(infrastructure: Infrastructure) -> uuid.UUID:
    async with subscription_unit_of_work(infrastructure) as uow:
        view = await create_plan(
            uow,
            name=f"Премиум gRPC {uuid.uuid4().hex[:8]}",
            description="Тестовый план",
            plan_type=PlanType.PREMIUM,
            features=(),
            trial_days=14,
            max_devices=None,
            new_releases=False,
            new_release_days=None,
            available_regions=("RU",),
            prices=[PriceSetting("RU", BillingPeriod.MONTHLY, Price("RUB", 59900), "/p")],
            rules=infrastructure.settings.plan_rules(),
            now=T0,
        )
    return view.plan.id


async def add(
    infrastructure: Infrastructure,
    user: uuid.UUID,
    plan_id: uuid.UUID,
    status: SubscriptionStatus,
    hour: int = 0,
    plan_type: PlanType = PlanType.PREMIUM,
) -> Subscription:
    start = T0 + timedelta(hours=hour)
    sub = Subscription(
        id=uuid.uuid4(),
        user_id=user,
        plan_id=plan_id,
        plan_type=plan_type,
        billing_period=BillingPeriod.QUARTERLY,
        region="RU",
        currency="RUB",
        price_minor=59900,
        status=status,
        auto_renew=status not in (S.CANCELLED, S.EXPIRED),
        time_zone="Europe/Moscow",
        anchor_at=start,
        current_period_start=start,
        current_period_end=start + timedelta(days=89),
        created_at=start,
        updated_at=start + timedelta(minutes=5),
        trial_end_at=start + timedelta(days=14) if status is S.TRIAL else None,
        grace_until=start + timedelta(days=96) if status is S.PENDING_PAYMENT else None,
        cancelled_at=start + timedelta(days=1) if status is S.CANCELLED else None,
        saved_method_id="pm-123" if status is S.ACTIVE else None,
    )
    async with subscription_unit_of_work(infrastructure) as uow:
        await uow.subscriptions.add(sub)
        await uow.commit()
    return sub


@pytest.mark.parametrize("status", list(S), ids=str)
async def test_every_status_is_listed_and_filtered_with_its_proto_value(
    infrastructure: Infrastructure,
    stub: subscription_service_pb2_grpc.SubscriptionServiceStub,
    plan_id: uuid.UUID,
    status: SubscriptionStatus,
) -> None:
    user = uuid.uuid4()
    other_status = S.EXPIRED if status is not S.EXPIRED else S.ACTIVE
    sub = await add(infrastructure, user, plan_id, status, hour=1)
    older = await add(infrastructure, user, plan_id, other_status, hour=0)
    await add(infrastructure, uuid.uuid4(), plan_id, status)

    everything = await list_of(stub, user_id=str(user))
    assert [message.id for message in everything.subscriptions] == [str(sub.id), str(older.id)]
    assert everything.next_page_token == ""
    assert [message.status for message in everything.subscriptions] == [
        PROTO_STATUS[status],
        PROTO_STATUS[other_status],
    ]
    only = await list_of(stub, user_id=str(user), statuses=[PROTO_STATUS[status]])
    assert [message.id for message in only.subscriptions] == [str(sub.id)]


async def test_a_subscription_message_has_every_field(
    infrastructure: Infrastructure,
    stub: subscription_service_pb2_grpc.SubscriptionServiceStub,
    plan_id: uuid.UUID,
) -> None:
    user = uuid.uuid4()
    pending = await add(infrastructure, user, plan_id, S.PENDING_PAYMENT)
    [message] = (await list_of(stub, user_id=str(user))).subscriptions
    assert (message.id, message.owner_user_id, message.plan_id) == (
        str(pending.id),
        str(user),
        str(plan_id),
    )
    assert message.source == pb.ACCESS_SOURCE_OWN
    assert message.plan_type == pb.PLAN_TYPE_PREMIUM
    assert message.plan_name.startswith("Премиум gRPC")
    assert message.billing_period == pb.BILLING_PERIOD_QUARTERLY
    assert message.region == "RU" and message.auto_renew
    assert (message.price.amount_minor, message.price.currency) == (59900, "RUB")
    assert message.current_period_start.ToDatetime(UTC) == pending.current_period_start
    assert message.current_period_end.ToDatetime(UTC) == pending.current_period_end
    assert message.grace_until.ToDatetime(UTC) == pending.grace_until
    assert message.created_at.ToDatetime(UTC) == pending.created_at
    assert message.updated_at.ToDatetime(UTC) == pending.updated_at
    assert not message.HasField("trial_end_at") and not message.HasField("cancelled_at")
    assert message.saved_method_id == ""


async def test_pages_follow_the_token(
    infrastructure: Infrastructure,
    stub: subscription_service_pb2_grpc.SubscriptionServiceStub,
    plan_id: uuid.UUID,
) -> None:
    user = uuid.uuid4()
    subs = [await add(infrastructure, user, plan_id, S.EXPIRED, hour) for hour in range(5)]
    seen: list[str] = []
    token = ""
    while True:
        page = await list_of(stub, user_id=str(user), page_size=2, page_token=token)
        assert len(page.subscriptions) <= 2
        seen += [message.id for message in page.subscriptions]
        token = page.next_page_token
        if not token:
            break
    assert seen == [str(sub.id) for sub in reversed(subs)]
    everything = await list_of(stub, user_id=str(user), page_size=1000)
    assert len(everything.subscriptions) == 5


@pytest.mark.parametrize(
    "fields",
    [
        {"user_id": "not-a-uuid"},
        {"user_id": str(uuid.uuid4()), "page_size": -1},
        {"user_id": str(uuid.uuid4()), "page_token": "garbage"},
        {"user_id": str(uuid.uuid4()), "statuses": [pb.SUBSCRIPTION_STATUS_UNSPECIFIED]},
    ],
)
async def test_bad_requests_are_invalid_argument(
    stub: subscription_service_pb2_grpc.SubscriptionServiceStub, fields: dict[str, object]
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await list_of(stub, **fields)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_a_user_token_is_refused(
    stub: subscription_service_pb2_grpc.SubscriptionServiceStub,
) -> None:
    user = uuid.uuid4()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await list_of(stub, user_token(str(user)), user_id=str(user))
    assert caught.value.code() in (
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
    )

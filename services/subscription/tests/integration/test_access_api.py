"""REST of access through the app in process: GET /access (a denial is a 200 answer), GET
/devices, DELETE /devices/{device_id}; and gRPC CheckAccess's translation."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from parovoz.subscription.v1 import subscription_service_pb2 as pb

sys.path.insert(0, str(Path(__file__).parent))  # its *_support modules
from access_support import a_game, a_plan, a_subscription, move, put_profile
from parovoz_kit.errors import NotFound, ValidationFailed
from parovoz_subscription.access.domain import AccessReason
from parovoz_subscription.access.grpc import REASONS, check_access
from parovoz_subscription.subscriptions.domain import SubscriptionStatus as S
from parovoz_testing.tokens import auth

PREFIX = "/api/v1/subscriptions"


async def test_my_access_devices_and_removal(infrastructure, client) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id)
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,), max_devices=1)
    subscription = await a_subscription(infrastructure, user_id, plan_id, now)
    headers = auth(user_id)

    answer = await client.get(
        f"{PREFIX}/access", params={"game_id": str(game_id), "device_id": "pc"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    document = answer.json()["data"]
    assert document["type"] == "accessDecision"
    attributes = document["attributes"]
    assert attributes["allowed"] is True and attributes["reason"] == "GRANTED"
    assert attributes["subscription_id"] == str(subscription.id)
    assert attributes["plan_id"] == str(plan_id) and attributes["plan_type"] == "premium"
    assert attributes["subscription_status"] == "active" and attributes["source"] == "own"
    assert attributes["access_until"] is not None
    assert (attributes["devices_used"], attributes["device_limit"]) == (1, 1)

    denied = await client.get(
        f"{PREFIX}/access",
        params={"game_id": str(game_id), "device_id": "laptop"},
        headers=headers,
    )
    assert denied.status_code == 200
    refused = denied.json()["data"]["attributes"]
    assert refused["allowed"] is False and refused["reason"] == "DEVICE_LIMIT_EXCEEDED"
    assert refused["subscription_id"] is None and refused["access_until"] is None

    devices = await client.get(f"{PREFIX}/devices", headers=headers)
    assert devices.status_code == 200
    listed = devices.json()
    assert [d["id"] for d in listed["data"]] == ["pc"] and listed["meta"]["devices_used"] == 1

    removed = await client.delete(f"{PREFIX}/devices/pc", headers=headers)
    assert removed.status_code == 204
    again = await client.delete(f"{PREFIX}/devices/pc", headers=headers)
    assert again.status_code == 404
    assert again.json()["errors"][0]["code"] == "DEVICE_NOT_FOUND"
    laptop = await client.get(
        f"{PREFIX}/access",
        params={"game_id": str(game_id), "device_id": "laptop"},
        headers=headers,
    )
    assert laptop.json()["data"]["attributes"]["allowed"] is True


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"game_id": "not-a-uuid", "device_id": "pc"}, "game_id"),
        ({"game_id": str(uuid.uuid4()), "device_id": ""}, "device_id"),
        ({"game_id": str(uuid.uuid4()), "device_id": "x" * 129}, "device_id"),
        ({"game_id": str(uuid.uuid4()), "device_id": "pc", "region": "ru"}, "region"),
        ({"device_id": "pc"}, "game_id"),
    ],
)
async def test_bad_input_is_400_with_the_parameter(client, params, parameter) -> None:
    answer = await client.get(f"{PREFIX}/access", params=params, headers=auth(uuid.uuid4()))
    assert answer.status_code == 400, answer.text
    error = answer.json()["errors"][0]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"]["parameter"] == parameter


async def test_without_a_token_is_401(client) -> None:
    answer = await client.get(
        f"{PREFIX}/access", params={"game_id": str(uuid.uuid4()), "device_id": "pc"}
    )
    assert answer.status_code == 401
    assert (await client.get(f"{PREFIX}/devices")).status_code == 401


async def test_an_unknown_game_is_404(client) -> None:
    user_id = uuid.uuid4()
    put_profile(user_id)
    answer = await client.get(
        f"{PREFIX}/access",
        params={"game_id": str(uuid.uuid4()), "device_id": "pc"},
        headers=auth(user_id),
    )
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "GAME_NOT_FOUND"


# --- gRPC translation -----------------------------------------------------------------------------
def test_every_reason_has_its_grpc_value() -> None:
    assert set(REASONS) == set(AccessReason)
    assert len(set(REASONS.values())) == len(AccessReason)


@pytest.mark.parametrize(
    ("request_fields", "field"),
    [
        ({"user_id": "x", "game_id": str(uuid.uuid4()), "device_id": "pc"}, "user_id"),
        ({"user_id": str(uuid.uuid4()), "game_id": "", "device_id": "pc"}, "game_id"),
        (
            {"user_id": str(uuid.uuid4()), "game_id": str(uuid.uuid4()), "device_id": ""},
            "device_id",
        ),
        (
            {
                "user_id": str(uuid.uuid4()),
                "game_id": str(uuid.uuid4()),
                "device_id": "pc",
                "region": "RUS",
            },
            "region",
        ),
    ],
)
async def test_grpc_invalid_argument_names_the_field(infrastructure, request_fields, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await check_access(infrastructure, pb.CheckAccessRequest(**request_fields))
    assert caught.value.parameter == field and caught.value.detail.startswith(field)


async def test_grpc_answers_the_decision(infrastructure) -> None:
    now = infrastructure.clock.now()
    user_id = uuid.uuid4()
    put_profile(user_id, region="KZ")
    game_id = await a_game(infrastructure, now)
    plan_id = await a_plan(infrastructure, now, games=(game_id,), regions=("RU",))
    subscription = await a_subscription(infrastructure, user_id, plan_id, now)
    request = pb.CheckAccessRequest(user_id=str(user_id), game_id=str(game_id), device_id="tv")
    denied = await check_access(infrastructure, request)
    assert not denied.allowed
    assert denied.reason == pb.ACCESS_REASON_PLAN_REGION_RESTRICTED
    assert not denied.subscription_id and not denied.HasField("access_until")
    request.region = "RU"
    allowed = await check_access(infrastructure, request)
    assert allowed.allowed and allowed.reason == pb.ACCESS_REASON_GRANTED
    assert allowed.subscription_id == str(subscription.id)
    assert allowed.source == pb.ACCESS_SOURCE_OWN and allowed.plan_type == pb.PLAN_TYPE_PREMIUM
    assert allowed.subscription_status == pb.SUBSCRIPTION_STATUS_ACTIVE
    assert allowed.access_until.ToDatetime().timestamp() == pytest.approx(
        subscription.current_period_end.timestamp(), abs=1e-6
    )
    assert (allowed.devices_used, allowed.device_limit) == (1, 3)
    # The same request again is remembered by the process (once no change of its own, here
    # the device's registration, is newer than the answer), until a change it makes.
    again = await check_access(infrastructure, request)
    assert again == allowed
    assert await check_access(infrastructure, request) is again
    await move(infrastructure, subscription.id, now, S.PENDING_PAYMENT, S.SUSPENDED)
    suspended = await check_access(infrastructure, request)
    assert suspended.reason == pb.ACCESS_REASON_SUBSCRIPTION_SUSPENDED
    with pytest.raises(NotFound):
        await check_access(
            infrastructure,
            pb.CheckAccessRequest(user_id=str(user_id), game_id=str(uuid.uuid4()), device_id="tv"),
        )

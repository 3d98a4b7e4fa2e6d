"""The subscription lifecycle end to end, as `make dev` runs it, through the gateway with real
user tokens: an admin creates plans; a user takes a trial (once per plan type), reads and lists
it, cancels and resumes it; gRPC ListUserSubscriptions lists it for a service; a plan without a
trial is paid at once: the subscription waits `incomplete` until the first payment, confirmed at
the provider sandbox, makes it `active` (payment's event, billing's consumer)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import grpc
import httpx
import pytest
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1.subscription_service_pb2_grpc import SubscriptionServiceStub
from parovoz_testing.platform import GATEWAY
from parovoz_testing.tokens import service_token, user_token

SUBSCRIPTIONS = f"{GATEWAY}/api/v1/subscriptions"
GRPC = "127.0.0.1:9093"
T = TypeVar("T")


def bearer(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def eventually(answer: Callable[[], T], until: Callable[[T], bool], seconds: float = 60) -> T:
    deadline = time.monotonic() + seconds
    while True:
        got = answer()
        if until(got):
            return got
        assert time.monotonic() < deadline, f"never: {got}"
        time.sleep(0.3)


def a_plan(plan_type: str, trial_days: int, amount_minor: int = 49900) -> str:
    admin = bearer(uuid.uuid4(), "admin")
    created = httpx.post(
        f"{SUBSCRIPTIONS}/plans",
        headers={**admin, "Idempotency-Key": str(uuid.uuid4())},
        json={
            "data": {
                "type": "planCreation",
                "attributes": {
                    "name": f"Жизненный цикл e2e {uuid.uuid4().hex[:6]}",
                    "description": "План e2e-теста подписок.",
                    "plan_type": plan_type,
                    "features": [],
                    "trial_days": trial_days,
                    "max_devices": 3,
                    "new_releases": True,
                    "available_regions": ["RU"],
                    "prices": [
                        {
                            "region": "RU",
                            "billing_period": "monthly",
                            "amount_minor": amount_minor,
                            "currency": "RUB",
                        }
                    ],
                },
            }
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["id"])


def subscribe(user: uuid.UUID, plan_id: str, key: str | None = None) -> httpx.Response:
    return httpx.post(
        SUBSCRIPTIONS,
        headers={**bearer(user), "Idempotency-Key": key or str(uuid.uuid4())},
        json={
            "data": {
                "type": "subscriptionCreation",
                "attributes": {
                    "plan_id": plan_id,
                    "billing_period": "monthly",
                    "region": "RU",
                    "time_zone": "Asia/Yekaterinburg",
                },
            }
        },
        timeout=30,
    )


def read(user: uuid.UUID, subscription_id: str) -> httpx.Response:
    return httpx.get(f"{SUBSCRIPTIONS}/{subscription_id}", headers=bearer(user), timeout=30)


def test_trial_read_list_cancel_resume_and_grpc() -> None:
    user = uuid.uuid4()
    plan_id = a_plan("student", trial_days=7)
    key = str(uuid.uuid4())
    created = subscribe(user, plan_id, key)
    assert created.status_code == 201, created.text
    sub = created.json()["data"]
    attributes = sub["attributes"]
    assert attributes["status"] == "trial" and created.json()["meta"]["confirmation_url"] is None
    start = datetime.fromisoformat(attributes["current_period_start"])
    assert datetime.fromisoformat(attributes["trial_end_at"]) == start + timedelta(days=7)
    assert attributes["time_zone"] == "Asia/Yekaterinburg"
    # The same key answers the same subscription; a second live student subscription is 409.
    again = subscribe(user, plan_id, key)
    assert again.status_code == 201 and again.json()["data"]["id"] == sub["id"]
    second = subscribe(user, a_plan("student", trial_days=7))
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "SUBSCRIPTION_ALREADY_EXISTS"

    assert read(user, sub["id"]).json()["data"] == sub
    stranger = read(uuid.uuid4(), sub["id"])
    assert stranger.status_code == 404
    assert stranger.json()["errors"][0]["code"] == "SUBSCRIPTION_NOT_FOUND"
    mine = httpx.get(f"{SUBSCRIPTIONS}/", headers=bearer(user), timeout=30)
    assert [s["id"] for s in mine.json()["data"]] == [sub["id"]]

    cancelled = httpx.post(
        f"{SUBSCRIPTIONS}/{sub['id']}/cancel",
        headers=bearer(user),
        json={"data": {"type": "subscriptionCancellation", "attributes": {"reason": "e2e"}}},
        timeout=30,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["attributes"]["status"] == "cancelled"
    assert cancelled.json()["data"]["attributes"]["access_until"] == attributes["trial_end_at"]
    resumed = httpx.post(f"{SUBSCRIPTIONS}/{sub['id']}/resume", headers=bearer(user), timeout=30)
    assert resumed.status_code == 200
    assert resumed.json()["data"]["attributes"]["status"] == "trial"

    with grpc.insecure_channel(GRPC) as channel:
        reply = SubscriptionServiceStub(channel).ListUserSubscriptions(
            pb.ListUserSubscriptionsRequest(user_id=str(user)),
            metadata=(("authorization", f"Bearer {service_token('launcher')}"),),
            timeout=10,
        )
    [listed] = reply.subscriptions
    assert listed.id == sub["id"] and listed.status == pb.SUBSCRIPTION_STATUS_TRIAL
    assert listed.plan_type == pb.PLAN_TYPE_STUDENT and listed.price.amount_minor == 49900


def test_each_plan_type_has_its_own_trial() -> None:
    user = uuid.uuid4()
    first = subscribe(user, a_plan("family", trial_days=14)).json()["data"]
    assert first["attributes"]["status"] == "trial"
    # Another type still has its trial.
    other = subscribe(user, a_plan("basic", trial_days=14))
    assert other.json()["data"]["attributes"]["status"] == "trial"


def test_a_plan_without_a_trial_is_paid_first() -> None:
    user = uuid.uuid4()
    created = subscribe(user, a_plan("corporate", trial_days=0, amount_minor=129900))
    assert created.status_code == 201, created.text
    sub = created.json()["data"]
    assert sub["attributes"]["status"] == "incomplete"
    assert sub["attributes"]["access_until"] is None
    confirmation_url = created.json()["meta"]["confirmation_url"]
    if not confirmation_url:
        pytest.skip("payment answered no confirmation URL")
    confirm = httpx.get(confirmation_url, follow_redirects=False, timeout=30)
    assert confirm.status_code == 303, confirm.text
    active = eventually(
        lambda: read(user, sub["id"]).json()["data"]["attributes"],
        lambda attributes: attributes["status"] != "incomplete",
    )
    assert active["status"] == "active", active
    assert active["has_saved_method"] is True
    start = datetime.fromisoformat(active["current_period_start"])
    end = datetime.fromisoformat(active["current_period_end"])
    assert timedelta(days=28) <= end - start <= timedelta(days=31)
    assert active["access_until"] == active["current_period_end"]

"""Plan changes through the REST app (in process) against the real database, payment and the
provider sandbox, on a moved clock: the preview's exact kopecks (nothing charged or stored),
an upgrade charged and applied at once, a downgrade scheduled for the period end, a declined
upgrade changing nothing (an annual plan already paid is never paused), the refusals."""

from __future__ import annotations

import dataclasses
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_subscription.billing.domain.charges import ChargeKind, ChargeStatus
from parovoz_subscription.billing.plan_changes_api import plan_changes_router
from parovoz_subscription.main import SERVICE
from parovoz_subscription.routers import routers
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType
from parovoz_testing.tokens import user_token

sys.path.insert(0, str(Path(__file__).parent))
from billing_renewals_support import (
    S,
    a_plan,
    a_saved_method,
    a_subscription,
    charges_of,
    events_of,
    read,
    store,
    types,
)

PREFIX = "/api/v1/subscriptions"
MONTHLY, YEARLY = BillingPeriod.MONTHLY, BillingPeriod.YEARLY
#: The clock of this module: 2027-04-16 10:00 UTC, the middle of an April period.
NOW = datetime(2027, 4, 16, 10, 0, tzinfo=UTC)
START, END = datetime(2027, 4, 1, 10, 0, tzinfo=UTC), datetime(2027, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(SubscriptionSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=ManualClock(NOW))


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    def with_plan_changes(infra: Infrastructure) -> list[Any]:
        # Included by routers.py once wired; added here when it is not yet.
        included = list(routers(infra))
        paths = {route.path for router in included for route in router.routes}  # type: ignore[attr-defined]
        if f"{PREFIX}/{{subscription_id}}/change-plan" not in paths:
            included.append(plan_changes_router(infra))
        return included

    service = dataclasses.replace(SERVICE, routers=with_plan_changes)
    app = build_app(service, infrastructure, job_runner(service, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://subscription") as http:
        yield http


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def body(plan_id: uuid.UUID, period: str | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"plan_id": str(plan_id)}
    if period is not None:
        attributes["billing_period"] = period
    return {"data": {"type": "planChange", "attributes": attributes}}


def codes(response: httpx.Response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


async def subscriber(
    infrastructure: Infrastructure,
    price: int,
    *,
    with_card: bool = True,
    period: BillingPeriod = MONTHLY,
    start: datetime = START,
    end: datetime = END,
) -> tuple[uuid.UUID, Any]:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {period: price}, plan_type=PlanType.BASIC)
    method = await a_saved_method(infrastructure, user) if with_card else None
    sub = a_subscription(
        user, plan, anchor_at=start, period_end=end, price_minor=price, period=period,
        saved_method_id=method,
    )  # fmt: skip
    await store(infrastructure, sub)
    return user, sub


async def test_the_preview_answers_the_exact_kopecks_and_stores_nothing(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    user, sub = await subscriber(infrastructure, 39_900, with_card=False)
    premium = await a_plan(infrastructure, {MONTHLY: 69_900})
    response = await client.post(
        f"{PREFIX}/{sub.id}/change-preview", json=body(premium.id), headers=auth(user)
    )
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    # 15 of 30 days left: half of the 300.00 RUB difference.
    assert attributes["charge_now"] == {"amount_minor": 15_000, "currency": "RUB"}
    assert (attributes["unused_seconds"], attributes["period_seconds"]) == (1_296_000, 2_592_000)
    assert attributes["timing"] == "now"
    assert attributes["new_price"] == {"amount_minor": 69_900, "currency": "RUB"}
    assert attributes["current_plan_id"] == str(sub.plan_id)
    assert datetime.fromisoformat(attributes["applies_at"]) == NOW
    assert datetime.fromisoformat(attributes["next_charge_at"]) == END

    # Nothing charged or stored.
    assert await charges_of(infrastructure, sub.id) == []
    assert await events_of(infrastructure, sub.id) == []
    unchanged = await read(infrastructure, sub.id)
    assert (unchanged.plan_id, unchanged.version) == (sub.plan_id, sub.version)


async def test_an_upgrade_charges_the_preview_at_once_and_switches_the_plan_now(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    user, sub = await subscriber(infrastructure, 39_900)
    premium = await a_plan(infrastructure, {MONTHLY: 99_900})
    preview = await client.post(
        f"{PREFIX}/{sub.id}/change-preview", json=body(premium.id), headers=auth(user)
    )
    expected = preview.json()["data"]["attributes"]["charge_now"]
    assert expected == {"amount_minor": 30_000, "currency": "RUB"}

    key = {"Idempotency-Key": str(uuid.uuid4())}
    changed = await client.post(
        f"{PREFIX}/{sub.id}/change-plan", json=body(premium.id), headers={**auth(user), **key}
    )
    assert changed.status_code == 200, changed.text
    answer = changed.json()["data"]["attributes"]
    assert answer["charge_now"] == expected and answer["payment_id"]
    replay = await client.post(
        f"{PREFIX}/{sub.id}/change-plan", json=body(premium.id), headers={**auth(user), **key}
    )
    assert replay.status_code == 200 and replay.json() == changed.json()

    [charge] = await charges_of(infrastructure, sub.id)
    assert (charge.kind, charge.status, charge.amount_minor) == (
        ChargeKind.UPGRADE,
        ChargeStatus.SUCCEEDED,
        30_000,
    )
    upgraded = await read(infrastructure, sub.id)
    assert (upgraded.plan_id, upgraded.plan_type, upgraded.price_minor) == (
        premium.id,
        premium.plan_type,
        99_900,
    )
    assert upgraded.current_period_end == END  # same period end
    [(kind, data)] = await events_of(infrastructure, sub.id)
    assert kind == "subscription.subscription.plan_changed.v1"
    assert data["timing"] == "now" and data["plan_id"] == str(sub.plan_id)
    assert data["new_plan_id"] == str(premium.id) and data["charged"]["amount_minor"] == 30_000


async def test_a_downgrade_is_scheduled_for_the_period_end_and_charges_nothing(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    user, sub = await subscriber(infrastructure, 69_900)
    cheaper = await a_plan(infrastructure, {MONTHLY: 29_900})
    changed = await client.post(
        f"{PREFIX}/{sub.id}/change-plan", json=body(cheaper.id), headers=auth(user)
    )
    assert changed.status_code == 200, changed.text
    answer = changed.json()["data"]["attributes"]
    assert answer["timing"] == "period_end" and answer["charge_now"]["amount_minor"] == 0
    assert datetime.fromisoformat(answer["applies_at"]) == END
    assert answer["new_price"]["amount_minor"] == 29_900
    assert await charges_of(infrastructure, sub.id) == []
    scheduled = await read(infrastructure, sub.id)
    assert (scheduled.plan_id, scheduled.scheduled_plan_id) == (sub.plan_id, cheaper.id)
    assert types(await events_of(infrastructure, sub.id)) == ["subscription.plan_changed"]

    # Changing back to the current plan cancels the scheduled change.
    back = await client.post(
        f"{PREFIX}/{sub.id}/change-plan", json=body(sub.plan_id), headers=auth(user)
    )
    assert back.status_code == 200, back.text
    assert (await read(infrastructure, sub.id)).scheduled_plan_id is None


async def test_a_change_of_billing_period_waits_for_the_period_end(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, {MONTHLY: 39_900, YEARLY: 399_000})
    sub = a_subscription(
        user, plan, anchor_at=START, period_end=END, price_minor=39_900, saved_method_id="m"
    )
    await store(infrastructure, sub)
    preview = await client.post(
        f"{PREFIX}/{sub.id}/change-preview", json=body(plan.id, "yearly"), headers=auth(user)
    )
    assert preview.status_code == 200, preview.text
    attributes = preview.json()["data"]["attributes"]
    assert attributes["timing"] == "period_end" and attributes["charge_now"]["amount_minor"] == 0
    assert attributes["new_price"]["amount_minor"] == 399_000


async def test_a_declined_upgrade_changes_nothing_and_never_pauses_a_paid_annual_plan(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    # Kill Bill's overdue bug: a failed payment paused an annual plan already paid.
    start = datetime(2027, 1, 16, 10, 0, tzinfo=UTC)
    end = datetime(2028, 1, 16, 10, 0, tzinfo=UTC)
    user, annual = await subscriber(infrastructure, 300_000, period=YEARLY, start=start, end=end)
    # 275 of 365 days left: 39,837 * 275 / 365 = 30,014.17 -> 30,014 kopecks.
    dearer = await a_plan(infrastructure, {YEARLY: 300_000 + 39_837})
    preview = await client.post(
        f"{PREFIX}/{annual.id}/change-preview", json=body(dearer.id), headers=auth(user)
    )
    amount = preview.json()["data"]["attributes"]["charge_now"]["amount_minor"]
    assert amount == 30_014  # ...14: the sandbox's "card expired"
    declined = await client.post(
        f"{PREFIX}/{annual.id}/change-plan", json=body(dearer.id), headers=auth(user)
    )
    assert declined.status_code == 422, declined.text
    assert codes(declined) == ["PAYMENT_DECLINED"]

    kept = await read(infrastructure, annual.id)
    assert (kept.status, kept.plan_id, kept.current_period_end) == (S.ACTIVE, annual.plan_id, end)
    assert kept.grants_access_at(end - timedelta(seconds=1))
    [charge] = await charges_of(infrastructure, annual.id)
    assert charge.status is ChargeStatus.FAILED and charge.decline_code == "card_expired"
    assert await events_of(infrastructure, annual.id) == []


async def test_the_refusals(infrastructure: Infrastructure, client: httpx.AsyncClient) -> None:
    user, sub = await subscriber(infrastructure, 39_900, with_card=False)
    premium = await a_plan(infrastructure, {MONTHLY: 69_900})
    url = f"{PREFIX}/{sub.id}/change-plan"

    no_card = await client.post(url, json=body(premium.id), headers=auth(user))
    assert (no_card.status_code, codes(no_card)) == (422, ["PAYMENT_METHOD_REQUIRED"])
    stranger = await client.post(url, json=body(premium.id), headers=auth(uuid.uuid4()))
    assert (stranger.status_code, codes(stranger)) == (404, ["SUBSCRIPTION_NOT_FOUND"])
    same = await client.post(url, json=body(sub.plan_id), headers=auth(user))
    assert (same.status_code, codes(same)) == (422, ["PLAN_CHANGE_NOTHING_TO_CHANGE"])
    unknown = await client.post(url, json=body(uuid.uuid4()), headers=auth(user))
    assert (unknown.status_code, codes(unknown)) == (404, ["PLAN_NOT_FOUND"])
    bad = await client.post(url, json={"data": {"type": "planChange", "attributes": {}}},
                            headers=auth(user))  # fmt: skip
    assert bad.status_code == 400 and codes(bad) == ["VALIDATION_ERROR"]
    assert bad.json()["errors"][0]["source"]["pointer"] == "/data/attributes/plan_id"
    period = await client.post(url, json=body(premium.id, "weekly"), headers=auth(user))
    assert period.status_code == 400
    anonymous = await client.post(url, json=body(premium.id))
    assert anonymous.status_code == 401

    cancelled = a_subscription(
        user, premium, anchor_at=START, period_end=END, price_minor=69_900,
        status=S.CANCELLED, saved_method_id="m",
    )  # fmt: skip
    await store(infrastructure, cancelled)
    refused = await client.post(
        f"{PREFIX}/{cancelled.id}/change-preview", json=body(sub.plan_id), headers=auth(user)
    )
    assert (refused.status_code, codes(refused)) == (422, ["SUBSCRIPTION_STATUS_CONFLICT"])
    assert await charges_of(infrastructure, sub.id) == []

"""`/api/v1/subscriptions/plans` on the real engines: the app runs in this process against the
subscription database, Redis and the auth stand-in's real tokens; events are read from the
outbox at the source."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.plans.service import catalog_answer, period_price, plan_for_sale
from parovoz_subscription.subscriptions.domain import BillingPeriod
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PLANS = "/api/v1/subscriptions/plans"


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def admin() -> dict[str, str]:
    return auth(uuid.uuid4(), "admin")


def creation(**attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "planCreation",
            "attributes": {
                "name": f"План {uuid.uuid4().hex[:8]}",
                "plan_type": "premium",
                "available_regions": ["RU", "KZ"],
                "prices": [
                    {
                        "region": "RU",
                        "billing_period": "monthly",
                        "amount_minor": 39900,
                        "currency": "RUB",
                    },
                    {
                        "region": "KZ",
                        "billing_period": "monthly",
                        "amount_minor": 199000,
                        "currency": "KZT",
                    },
                ],
                **attributes,
            },
        }
    }


def prices(*items: tuple[str, str, int, str]) -> dict[str, Any]:
    return {
        "data": {
            "type": "planPrices",
            "attributes": {
                "prices": [
                    {"region": r, "billing_period": p, "amount_minor": a, "currency": c}
                    for r, p, a, c in items
                ]
            },
        }
    }


def codes(response: httpx.Response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


async def new_plan(client: httpx.AsyncClient, **attributes: Any) -> dict[str, Any]:
    response = await client.post(PLANS, json=creation(**attributes), headers=admin())
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def outbox(infrastructure: Infrastructure, event_type: str, key: str) -> list[Any]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT payload FROM outbox WHERE type = :type AND key = :key ORDER BY seq"),
            {"type": event_type, "key": key},
        )
        return [row.payload for row in rows]


@pytest.fixture
def moved_clock(infrastructure: Infrastructure) -> Iterator[Any]:
    """Moves the app's clock (a SystemClock with an offset) and puts it back afterwards."""
    clock: Any = infrastructure.clock
    original = clock.offset
    yield clock
    clock.offset = original


async def test_an_admin_creates_a_plan_and_the_public_lists_it_by_region(
    client: httpx.AsyncClient,
) -> None:
    plan = await new_plan(client, trial_days=7, max_devices=5)
    attributes = plan["attributes"]
    assert (attributes["trial_days"], attributes["max_devices"]) == (7, 5)
    assert attributes["status"] == "active" and attributes["new_release_days"] == 90

    listed = await client.get(PLANS, params={"region": "KZ"})  # no token: public
    assert listed.status_code == 200
    [mine] = [p for p in listed.json()["data"] if p["id"] == plan["id"]]
    assert mine["attributes"]["prices"] == [
        {"region": "KZ", "billing_period": "monthly", "amount_minor": 199000, "currency": "KZT"}
    ]
    elsewhere = await client.get(PLANS, params={"region": "BY"})
    assert plan["id"] not in [p["id"] for p in elsewhere.json()["data"]]

    read = await client.get(f"{PLANS}/{plan['id']}")
    assert read.status_code == 200
    assert {p["region"] for p in read.json()["data"]["attributes"]["prices"]} == {"RU", "KZ"}


async def test_creating_with_the_same_idempotency_key_answers_the_first_plan(
    client: httpx.AsyncClient,
) -> None:
    headers = {**admin(), "Idempotency-Key": str(uuid.uuid4())}
    body = creation()
    first = await client.post(PLANS, json=body, headers=headers)
    again = await client.post(PLANS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert first.headers["Location"] == f"{PLANS}/{first.json()['data']['id']}"


async def test_a_retired_plan_is_not_sold_but_still_read(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    plan = await new_plan(client)
    retired = await client.post(f"{PLANS}/{plan['id']}/retire", headers=admin())
    assert retired.status_code == 200
    assert retired.json()["data"]["attributes"]["status"] == "retired"
    listed = await client.get(PLANS, params={"region": "RU"})
    assert plan["id"] not in [p["id"] for p in listed.json()["data"]]
    assert (await client.get(f"{PLANS}/{plan['id']}")).status_code == 200
    again = await client.post(f"{PLANS}/{plan['id']}/retire", headers=admin())
    assert again.status_code == 422 and codes(again) == ["PLAN_ALREADY_RETIRED"]
    async with subscription_unit_of_work(infrastructure) as uow:
        with pytest.raises(BusinessRuleViolation) as refused:
            await plan_for_sale(uow, uuid.UUID(plan["id"]), "RU", BillingPeriod.MONTHLY)
    assert refused.value.code == "PLAN_NOT_AVAILABLE"


async def test_admin_routes_need_the_admin_role(client: httpx.AsyncClient) -> None:
    plan = await new_plan(client)
    url = f"{PLANS}/{plan['id']}"
    player = auth(uuid.uuid4())
    game = uuid.uuid4()
    calls = [
        ("POST", PLANS, creation()),
        ("PATCH", url, {"data": {"type": "plan", "attributes": {"name": "Другой"}}}),
        ("PUT", f"{url}/prices", prices(("RU", "monthly", 100, "RUB"))),
        ("POST", f"{url}/retire", None),
        (
            "PUT",
            f"{url}/catalog/{game}",
            {"data": {"type": "planCatalogEntry", "attributes": {"mode": "included"}}},
        ),
        ("DELETE", f"{url}/catalog/{game}", None),
    ]
    for method, path, body in calls:
        forbidden = await client.request(method, path, json=body, headers=player)
        assert forbidden.status_code == 403, (method, path, forbidden.text)
        anonymous = await client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
    assert (await client.get(url)).json()["data"]["attributes"]["status"] == "active"


@pytest.mark.parametrize("region", ["RUS", "ru", "XX", "1"])
async def test_a_bad_region_is_400(client: httpx.AsyncClient, region: str) -> None:
    response = await client.get(PLANS, params={"region": region})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"] == {"parameter": "region"}


async def test_bad_plans_are_refused_with_the_field_named(client: httpx.AsyncClient) -> None:
    cases = [
        (creation(trial_days=-1), 400, "/data/attributes/trial_days"),
        (creation(available_regions=[]), 400, "/data/attributes/available_regions"),
        (creation(plan_type="gold"), 400, "/data/attributes/plan_type"),
        (creation(available_regions=["RU"]), 422, "/data/attributes/prices/1/region"),
        (creation(surprise=1), 400, "/data/attributes/surprise"),
    ]
    for body, status, pointer in cases:
        response = await client.post(PLANS, json=body, headers=admin())
        assert response.status_code == status, (pointer, response.text)
        assert response.json()["errors"][0]["source"] == {"pointer": pointer}
        assert response.json()["errors"][0]["detail"]  # Russian by default, never empty
    float_amount = creation()
    float_amount["data"]["attributes"]["prices"][0]["amount_minor"] = 399.0
    response = await client.post(PLANS, json=float_amount, headers=admin())
    assert response.status_code == 400


async def test_a_price_change_is_announced_and_reaches_existing_subscribers_30_days_on(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    plan = await new_plan(client)
    url = f"{PLANS}/{plan['id']}"
    changed = await client.put(
        f"{url}/prices", json=prices(("RU", "monthly", 44900, "RUB")), headers=admin()
    )
    assert changed.status_code == 200, changed.text
    attributes = changed.json()["data"]["attributes"]
    assert {
        "region": "RU",
        "billing_period": "monthly",
        "amount_minor": 44900,
        "currency": "RUB",
    } in attributes["prices"]
    [upcoming] = attributes["upcoming_prices"]
    existing_from = datetime.fromisoformat(upcoming["effective_for_existing_subscribers_from"])

    [event] = await outbox(infrastructure, "subscription.plan.price_changed.v1", plan["id"])
    assert event["old_price"] == {"amount_minor": 39900, "currency": "RUB"}
    assert event["new_price"] == {"amount_minor": 44900, "currency": "RUB"}
    announced = datetime.fromisoformat(event["effective_for_new_subscribers_at"])
    assert existing_from - announced == timedelta(days=30)

    # The same price again is no change; a currency change of a region is refused.
    await client.put(f"{url}/prices", json=prices(("RU", "monthly", 44900, "RUB")), headers=admin())
    assert len(await outbox(infrastructure, "subscription.plan.price_changed.v1", plan["id"])) == 1
    usd = await client.put(
        f"{url}/prices", json=prices(("RU", "yearly", 5000, "USD")), headers=admin()
    )
    assert usd.status_code == 422 and codes(usd) == ["PLAN_CURRENCY_MISMATCH"]

    plan_id = uuid.UUID(plan["id"])
    async with subscription_unit_of_work(infrastructure) as uow:
        offer = await plan_for_sale(uow, plan_id, "RU", BillingPeriod.MONTHLY)
        before = await period_price(
            uow, plan_id, "RU", BillingPeriod.MONTHLY, existing_from - timedelta(seconds=1)
        )
        after = await period_price(uow, plan_id, "RU", BillingPeriod.MONTHLY, existing_from)
    assert (offer.amount_minor, before.amount_minor, after.amount_minor) == (44900, 39900, 44900)


async def test_a_plan_change_keeps_what_was_not_sent(client: httpx.AsyncClient) -> None:
    plan = await new_plan(client)
    url = f"{PLANS}/{plan['id']}"
    body = {
        "data": {
            "type": "plan",
            "attributes": {
                "max_devices": 4,
                "features": [{"name": "4k", "description": "4K", "enabled": True}],
            },
        }
    }
    changed = await client.patch(url, json=body, headers=admin())
    assert changed.status_code == 200, changed.text
    attributes = changed.json()["data"]["attributes"]
    assert attributes["max_devices"] == 4 and attributes["name"] == plan["attributes"]["name"]
    assert attributes["features"] == [{"name": "4k", "description": "4K", "enabled": True}]
    null = {"data": {"type": "plan", "attributes": {"name": None}}}
    refused = await client.patch(url, json=null, headers=admin())
    assert refused.status_code == 400
    missing = await client.patch(f"{PLANS}/{uuid.uuid4()}", json=body, headers=admin())
    assert missing.status_code == 404 and codes(missing) == ["PLAN_NOT_FOUND"]


async def test_a_catalog_removal_needs_notice_keeps_access_until_then_and_is_announced(
    client: httpx.AsyncClient, infrastructure: Infrastructure, moved_clock: Any
) -> None:
    plan = await new_plan(client)
    game = str(uuid.uuid4())
    entry_url = f"{PLANS}/{plan['id']}/catalog/{game}"
    include = {"data": {"type": "planCatalogEntry", "attributes": {"mode": "included"}}}
    put = await client.put(entry_url, json=include, headers=admin())
    assert put.status_code == 200 and put.json()["data"]["attributes"]["status"] == "included"

    too_soon = (infrastructure.clock.now() + timedelta(days=13)).isoformat()
    refused = await client.delete(entry_url, params={"effective_at": too_soon}, headers=admin())
    assert refused.status_code == 422 and codes(refused) == ["CATALOG_NOTICE_TOO_SHORT"]

    removed = await client.delete(entry_url, headers=admin())
    assert removed.status_code == 200, removed.text
    until = removed.json()["data"]["attributes"]["available_until"]
    listing = await client.get(f"{PLANS}/{plan['id']}/catalog")
    [row] = listing.json()["data"]
    assert row["attributes"]["status"] == "leaving"
    assert row["attributes"]["available_until"] == until
    [event] = await outbox(
        infrastructure, "subscription.plan.catalog_removal_announced.v1", plan["id"]
    )
    assert event["game_id"] == game
    assert datetime.fromisoformat(event["effective_at"]) == datetime.fromisoformat(until)

    plan_id, game_id = uuid.UUID(plan["id"]), uuid.UUID(game)
    async with subscription_unit_of_work(infrastructure) as uow:
        now = infrastructure.clock.now()
        answer = await catalog_answer(uow, plan_id, game_id, None, now)
    assert answer.included and answer.until == datetime.fromisoformat(until)

    moved_clock.offset += timedelta(days=15)
    listing = await client.get(f"{PLANS}/{plan['id']}/catalog")
    assert listing.json()["data"][0]["attributes"]["status"] == "removed"
    async with subscription_unit_of_work(infrastructure) as uow:
        later = await catalog_answer(uow, plan_id, game_id, None, infrastructure.clock.now())
    assert not later.included

    # Including it again brings it back, with no removal pending.
    back = await client.put(entry_url, json=include, headers=admin())
    assert back.json()["data"]["attributes"]["available_until"] is None
    gone = await client.delete(f"{PLANS}/{plan['id']}/catalog/{uuid.uuid4()}", headers=admin())
    assert gone.status_code == 404 and codes(gone) == ["GAME_NOT_IN_PLAN_CATALOG"]


async def test_the_documented_examples_are_accepted_and_every_operation_is_described(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/api/v1/subscriptions/openapi.json")).json()
    schemas = document["components"]["schemas"]
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith(PLANS)
        for method, operation in item.items()
    ]
    assert len(operations) == 10
    for path, method, operation in operations:
        assert operation.get("summary") and operation.get("description"), (method, path)

    def example(name: str) -> Any:
        [value] = schemas[name]["examples"]
        return value

    created = await client.post(PLANS, json=example("PlanCreationDocument"), headers=admin())
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    changed = await client.patch(url, json=example("PlanChangeDocument"), headers=admin())
    assert changed.status_code == 200, changed.text
    priced = await client.put(f"{url}/prices", json=example("PriceListDocument"), headers=admin())
    assert priced.status_code == 200, priced.text
    game = uuid.uuid4()
    entry = example("CatalogEntryDocument")
    included = await client.put(f"{url}/catalog/{game}", json=entry, headers=admin())
    assert included.status_code == 200, included.text

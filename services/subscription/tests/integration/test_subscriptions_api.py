"""`POST /`, `GET /`, `GET /{id}`, `POST /{id}/cancel`, `POST /{id}/resume` through the app in
process on the real database: a trial when eligible (once per user and plan type), one live
subscription per plan type, Idempotency-Key, owner-only reads (404 for others), cancel and
resume with their events; the clock is moved, never slept on."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_kit.clock import ManualClock
from parovoz_kit.errors import Unavailable
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_subscription.main import SERVICE
from parovoz_subscription.plans.domain import Price
from parovoz_subscription.plans.service import PriceSetting, create_plan
from parovoz_subscription.settings import SubscriptionSettings
from parovoz_subscription.subscriptions.domain import BillingPeriod, PlanType
from parovoz_subscription.subscriptions.service import Creation, create_subscription
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from parovoz_testing.tokens import auth
from sqlalchemy import text

PREFIX = "/api/v1/subscriptions"
#: My list (GET PREFIX itself is the kit's service index).
MINE = f"{PREFIX}/"

START = datetime(2101, 5, 31, 21, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(SubscriptionSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://subscription") as http:
        yield http


async def a_plan(
    infrastructure: Infrastructure,
    plan_type: PlanType = PlanType.PREMIUM,
    trial_days: int = 14,
    amount_minor: int = 39900,
) -> uuid.UUID:
    async with subscription_unit_of_work(infrastructure) as uow:
        view = await create_plan(
            uow,
            name=f"Тест {uuid.uuid4().hex[:10]}",
            description="План для тестов подписок",
            plan_type=plan_type,
            features=(),
            trial_days=trial_days,
            max_devices=None,
            new_releases=True,
            new_release_days=None,
            available_regions=("RU", "KZ"),
            prices=[
                PriceSetting("RU", BillingPeriod.MONTHLY, Price("RUB", amount_minor), "/p/0"),
                PriceSetting("RU", BillingPeriod.YEARLY, Price("RUB", amount_minor * 10), "/p/1"),
            ],
            rules=infrastructure.settings.plan_rules(),
            now=infrastructure.clock.now(),
        )
    return view.plan.id


def creation(plan: uuid.UUID, **attributes: Any) -> dict[str, Any]:
    defaults = {"plan_id": str(plan), "billing_period": "monthly", "region": "RU"}
    return {"data": {"type": "subscriptionCreation", "attributes": {**defaults, **attributes}}}


async def subscribe(
    client: httpx.AsyncClient, user: uuid.UUID, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {**auth(user), "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(PREFIX, json=body, headers=headers)


def error_of(answer: httpx.Response) -> dict[str, Any]:
    errors = answer.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]  # type: ignore[no-any-return]


async def events_of(infrastructure: Infrastructure, subscription_id: str) -> list[dict[str, Any]]:
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": subscription_id},
        )
        return [{"type": row.type, "data": row.payload} for row in rows]


class NoPayment:
    """The first payment must not start (a trial is expected)."""

    async def __call__(self, uow: Any, subscription: Any, return_url: str) -> Any:
        raise AssertionError("no payment expected")


@dataclasses.dataclass
class Started:
    confirmation_url: str | None


class FakePayment:
    def __init__(self) -> None:
        self.started: list[tuple[Any, str]] = []

    async def __call__(self, uow: Any, subscription: Any, return_url: str) -> Started:
        self.started.append((subscription, return_url))
        return Started(f"https://pay.example/{subscription.id}")


# --- creation -----------------------------------------------------------------------------------
async def test_an_eligible_user_gets_a_trial_at_once(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    plan = await a_plan(infrastructure, trial_days=10)
    user = uuid.uuid4()
    now = clock.now()
    answer = await subscribe(client, user, creation(plan, time_zone="Asia/Omsk"))
    assert answer.status_code == 201, answer.text
    document = answer.json()
    sub = document["data"]
    attributes = sub["attributes"]
    assert answer.headers["Location"] == f"{PREFIX}/{sub['id']}" == sub["links"]["self"]
    assert document["meta"] == {"confirmation_url": None}
    assert attributes["status"] == "trial" and attributes["auto_renew"] is True
    trial_end = now + timedelta(days=10)
    assert datetime.fromisoformat(attributes["current_period_start"]) == now
    assert datetime.fromisoformat(attributes["current_period_end"]) == trial_end
    assert datetime.fromisoformat(attributes["trial_end_at"]) == trial_end
    assert datetime.fromisoformat(attributes["access_until"]) == trial_end
    assert attributes["price"] == {"amount_minor": 39900, "currency": "RUB"}
    assert (attributes["plan_id"], attributes["plan_type"]) == (str(plan), "premium")
    assert attributes["time_zone"] == "Asia/Omsk"
    [activated] = await events_of(infrastructure, sub["id"])
    assert activated["type"] == "subscription.subscription.activated.v1"
    data = activated["data"]
    assert (data["status"], data["previous_status"], data["payment_id"]) == ("trial", None, None)
    assert data["user_id"] == str(user) and data["price"]["amount_minor"] == 39900


async def test_the_default_zone_is_moscow_and_a_bad_zone_is_400(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    plan = await a_plan(infrastructure, PlanType.STUDENT)
    answer = await subscribe(client, uuid.uuid4(), creation(plan))
    assert answer.json()["data"]["attributes"]["time_zone"] == "Europe/Moscow"
    refused = await subscribe(client, uuid.uuid4(), creation(plan, time_zone="Europe/Atlantis"))
    assert refused.status_code == 400
    error = error_of(refused)
    assert error["code"] == "INVALID_TIME_ZONE"
    assert error["source"] == {"pointer": "/data/attributes/time_zone"}


async def test_a_trial_is_once_per_user_and_plan_type(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    first_plan = await a_plan(infrastructure, PlanType.BASIC)
    other_plan_same_type = await a_plan(infrastructure, PlanType.BASIC)
    another_type = await a_plan(infrastructure, PlanType.PREMIUM)
    payment = FakePayment()

    def asked(plan: uuid.UUID) -> Creation:
        return Creation(
            user, plan, BillingPeriod.MONTHLY, "RU", "Europe/Moscow", "https://back.example/x"
        )

    async with subscription_unit_of_work(infrastructure) as uow:
        trial = await create_subscription(uow, NoPayment(), asked(first_plan), clock.now())
    assert trial.subscription.status.value == "trial" and trial.confirmation_url is None
    # The trial ends (expired without a card) ...
    async with subscription_unit_of_work(infrastructure) as uow:
        ended = await uow.subscriptions.get(trial.subscription.id)
        assert ended is not None
        ended.move(ended.status.EXPIRED, clock.now())
        await uow.subscriptions.save(ended)
        await uow.commit()
    # ... a plan of the same type is paid at once, another type still has its trial.
    async with subscription_unit_of_work(infrastructure) as uow:
        paid = await create_subscription(uow, payment, asked(other_plan_same_type), clock.now())
    assert paid.subscription.status.value == "incomplete"
    assert paid.confirmation_url == f"https://pay.example/{paid.subscription.id}"
    assert [(sub.id, url) for sub, url in payment.started] == [
        (paid.subscription.id, "https://back.example/x")
    ]
    async with subscription_unit_of_work(infrastructure) as uow:
        other = await create_subscription(uow, NoPayment(), asked(another_type), clock.now())
    assert other.subscription.status.value == "trial"


async def test_a_plan_without_a_trial_is_paid_at_once(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    plan = await a_plan(infrastructure, PlanType.FAMILY, trial_days=0, amount_minor=69900)
    payment = FakePayment()
    asked = Creation(
        uuid.uuid4(), plan, BillingPeriod.YEARLY, "RU", "Europe/Samara", "https://b.example/1"
    )
    async with subscription_unit_of_work(infrastructure) as uow:
        created = await create_subscription(uow, payment, asked, clock.now())
    sub = created.subscription
    assert sub.status.value == "incomplete" and sub.price_minor == 699000
    assert sub.current_period_start == sub.current_period_end == clock.now()
    assert sub.access_until() is None
    assert await events_of(infrastructure, str(sub.id)) == []


async def test_a_second_live_subscription_of_a_plan_type_is_409(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user = uuid.uuid4()
    plan, same_type = await a_plan(infrastructure), await a_plan(infrastructure)
    assert (await subscribe(client, user, creation(plan))).status_code == 201
    for again in (plan, same_type):
        refused = await subscribe(client, user, creation(again))
        assert refused.status_code == 409
        assert error_of(refused)["code"] == "SUBSCRIPTION_ALREADY_EXISTS"
    listed = await client.get(MINE, headers=auth(user))
    assert len(listed.json()["data"]) == 1


async def test_the_idempotency_key_answers_the_first_answer_again(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user, plan, key = uuid.uuid4(), await a_plan(infrastructure), str(uuid.uuid4())
    first = await subscribe(client, user, creation(plan), key)
    again = await subscribe(client, user, creation(plan), key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other_body = await subscribe(client, user, creation(plan, time_zone="Asia/Tokyo"), key)
    assert other_body.status_code == 422
    assert error_of(other_body)["code"] == "IDEMPOTENCY_KEY_REUSED"
    no_key = await client.post(PREFIX, json=creation(plan), headers=auth(uuid.uuid4()))
    assert no_key.status_code == 400
    assert error_of(no_key)["source"] == {"parameter": "Idempotency-Key"}


async def test_plans_refusals_pass_through(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    plan = await a_plan(infrastructure)
    unknown = await subscribe(client, uuid.uuid4(), creation(uuid.uuid4()))
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "PLAN_NOT_FOUND"
    for attributes in ({"region": "BY"}, {"region": "KZ"}, {"billing_period": "quarterly"}):
        refused = await subscribe(client, uuid.uuid4(), creation(plan, **attributes))
        assert refused.status_code == 422, refused.text
        assert error_of(refused)["code"] == "PLAN_REGION_RESTRICTED"


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"billing_period": "weekly"}, "/data/attributes/billing_period"),
        ({"region": "ru"}, "/data/attributes/region"),
        ({"plan_id": "not-a-uuid"}, "/data/attributes/plan_id"),
        ({"return_url": "ftp://x.example/y"}, "/data/attributes/return_url"),
        ({"time_zone": 3}, "/data/attributes/time_zone"),
        ({"unknown": 1}, "/data/attributes/unknown"),
    ],
)
async def test_malformed_creations_are_400_naming_the_field(
    client: httpx.AsyncClient, attributes: dict[str, Any], pointer: str
) -> None:
    answer = await subscribe(client, uuid.uuid4(), creation(uuid.uuid4(), **attributes))
    assert answer.status_code == 400, answer.text
    error = error_of(answer)
    assert error["code"] == "VALIDATION_ERROR" and error["source"] == {"pointer": pointer}


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        PREFIX, json=creation(uuid.uuid4()), headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert answer.status_code == 401
    assert (await client.get(MINE)).status_code == 401


# --- reads ----------------------------------------------------------------------------------------
async def test_only_the_owner_reads_a_subscription(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    owner = uuid.uuid4()
    created = (await subscribe(client, owner, creation(await a_plan(infrastructure)))).json()
    url = created["data"]["links"]["self"]
    mine = await client.get(url, headers=auth(owner))
    assert mine.status_code == 200 and mine.json()["data"] == created["data"]
    for answer in (
        await client.get(url, headers=auth(uuid.uuid4())),
        await client.get(f"{PREFIX}/{uuid.uuid4()}", headers=auth(owner)),
        await client.post(f"{url}/cancel", headers=auth(uuid.uuid4())),
        await client.post(f"{url}/resume", headers=auth(uuid.uuid4())),
    ):
        assert answer.status_code == 404
        assert error_of(answer)["code"] == "SUBSCRIPTION_NOT_FOUND"
    # Not an id at all: no such resource (the path is the service's docs' neighbour, not ours).
    malformed = await client.get(f"{PREFIX}/not-a-uuid", headers=auth(owner))
    assert malformed.status_code == 404
    assert error_of(malformed)["code"] == "RESOURCE_NOT_FOUND"


async def test_my_list_is_newest_first_paged_and_filtered(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    ids = []
    for plan_type in PlanType:
        clock.advance(timedelta(seconds=1))
        answer = await subscribe(client, user, creation(await a_plan(infrastructure, plan_type)))
        ids.append(answer.json()["data"]["id"])
    await subscribe(client, uuid.uuid4(), creation(await a_plan(infrastructure)))
    await client.post(f"{PREFIX}/{ids[1]}/cancel", headers=auth(user))

    seen: list[str] = []
    url: str | None = f"{MINE}?page[size]=2"
    while url:
        page = await client.get(url, headers=auth(user))
        assert page.status_code == 200
        assert len(page.json()["data"]) <= 2
        seen += [sub["id"] for sub in page.json()["data"]]
        url = page.json()["links"]["next"]
    assert seen == ids[::-1]

    cancelled = await client.get(
        MINE, params={"filter[status]": "cancelled,expired"}, headers=auth(user)
    )
    assert [sub["id"] for sub in cancelled.json()["data"]] == [ids[1]]
    for params, parameter in (
        ({"filter[status]": "paid"}, "filter[status]"),
        ({"page[cursor]": "nonsense"}, "page[cursor]"),
        ({"page[size]": "0"}, "page[size]"),
    ):
        refused = await client.get(MINE, params=params, headers=auth(user))
        assert refused.status_code == 400
        assert error_of(refused)["source"] == {"parameter": parameter}


# --- cancel and resume --------------------------------------------------------------------------
async def test_cancel_keeps_access_to_the_end_and_resume_brings_the_trial_back(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    sub = (await subscribe(client, user, creation(await a_plan(infrastructure)))).json()["data"]
    url = sub["links"]["self"]
    clock.advance(timedelta(days=2))
    cancelled = await client.post(
        f"{url}/cancel",
        json={"data": {"type": "subscriptionCancellation", "attributes": {"reason": "Дорого"}}},
        headers=auth(user),
    )
    assert cancelled.status_code == 200, cancelled.text
    attributes = cancelled.json()["data"]["attributes"]
    assert attributes["status"] == "cancelled" and attributes["auto_renew"] is False
    assert attributes["cancellation_reason"] == "Дорого"
    assert attributes["access_until"] == sub["attributes"]["current_period_end"]
    twice = await client.post(f"{url}/cancel", headers=auth(user))
    assert twice.status_code == 422
    assert error_of(twice)["code"] == "SUBSCRIPTION_STATUS_CONFLICT"

    resumed = await client.post(f"{url}/resume", headers=auth(user))
    assert resumed.status_code == 200
    attributes = resumed.json()["data"]["attributes"]
    assert attributes["status"] == "trial" and attributes["auto_renew"] is True
    assert attributes["cancelled_at"] is None and attributes["cancellation_reason"] is None
    again = await client.post(f"{url}/resume", headers=auth(user))
    assert again.status_code == 422 and error_of(again)["code"] == "SUBSCRIPTION_NOT_RESUMABLE"

    events = await events_of(infrastructure, sub["id"])
    assert [event["type"] for event in events] == [
        "subscription.subscription.activated.v1",
        "subscription.subscription.cancelled.v1",
    ]
    data = events[1]["data"]
    assert (data["cancelled_by"], data["reason"]) == ("user", "Дорого")
    assert data["access_ends_at"] == data_time(sub["attributes"]["current_period_end"])


def data_time(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_resume_after_the_period_end_is_refused(
    client: httpx.AsyncClient, infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    sub = await subscribe(client, user, creation(await a_plan(infrastructure, trial_days=3)))
    url = sub.json()["data"]["links"]["self"]
    assert (await client.post(f"{url}/cancel", headers=auth(user))).status_code == 200
    clock.advance(timedelta(days=3))
    late = await client.post(f"{url}/resume", headers=auth(user))
    assert late.status_code == 422 and error_of(late)["code"] == "SUBSCRIPTION_NOT_RESUMABLE"
    assert (await client.get(url, headers=auth(user))).json()["data"]["attributes"][
        "status"
    ] == "cancelled"


# --- trial eligibility ----------------------------------------------------------------------------
async def eligibility(
    client: httpx.AsyncClient, user: uuid.UUID, plan: uuid.UUID | str
) -> httpx.Response:
    return await client.get(
        f"{PREFIX}/trials/eligibility", params={"plan_id": str(plan)}, headers=auth(user)
    )


async def test_trial_eligibility_follows_the_trials_taken(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user = uuid.uuid4()
    plan, same_type = await a_plan(infrastructure), await a_plan(infrastructure)
    no_trial = await a_plan(infrastructure, PlanType.BASIC, trial_days=0)
    before = (await eligibility(client, user, plan)).json()["data"]
    assert before["id"] == str(plan)
    assert before["attributes"] == {
        "plan_id": str(plan),
        "plan_type": "premium",
        "eligible": True,
        "trial_days": 14,
    }
    assert (await eligibility(client, user, no_trial)).json()["data"]["attributes"][
        "eligible"
    ] is False
    await subscribe(client, user, creation(plan))
    for asked in (plan, same_type):
        answer = await eligibility(client, user, asked)
        assert answer.json()["data"]["attributes"]["eligible"] is False
    assert (await eligibility(client, uuid.uuid4(), plan)).json()["data"]["attributes"][
        "eligible"
    ] is True
    unknown = await eligibility(client, user, uuid.uuid4())
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "PLAN_NOT_FOUND"
    malformed = await eligibility(client, user, "nope")
    assert malformed.status_code == 400
    assert error_of(malformed)["source"] == {"parameter": "plan_id"}


async def test_two_concurrent_creations_of_a_plan_type_one_wins(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user = uuid.uuid4()
    plans = [await a_plan(infrastructure, PlanType.CORPORATE) for _ in range(3)]
    answers = await asyncio.gather(*(subscribe(client, user, creation(plan)) for plan in plans))
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409]
    listed = await client.get(MINE, headers=auth(user))
    assert len(listed.json()["data"]) == 1


class PaymentDown:
    async def __call__(self, uow: Any, subscription: Any, return_url: str) -> Any:
        raise Unavailable("payment is down", code="PAYMENT_UNAVAILABLE")


async def test_a_failed_payment_start_leaves_nothing_behind(
    infrastructure: Infrastructure, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    plan = await a_plan(infrastructure, PlanType.STUDENT, trial_days=0)
    asked = Creation(user, plan, BillingPeriod.MONTHLY, "RU", "Europe/Moscow", "https://b.ex/1")
    async with subscription_unit_of_work(infrastructure) as uow:
        with pytest.raises(Unavailable):
            await create_subscription(uow, PaymentDown(), asked, clock.now())
    async with subscription_unit_of_work(infrastructure) as uow:
        assert await uow.subscriptions.live_of_user(user) == []
        # The user may simply try again.
        created = await create_subscription(uow, FakePayment(), asked, clock.now())
    assert created.subscription.status.value == "incomplete"

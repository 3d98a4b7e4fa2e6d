"""Support of billing's renewal and plan-change tests: plans with (magic) prices through the
plans service, subscriptions written through SqlSubscriptions, a real saved card at payment
(a 1.00 RUB card verification confirmed at the provider sandbox), the jobs' runs, outbox reads,
and a scripted Payments fake for outcomes the sandbox cannot vary between attempts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_subscription.billing.domain.charges import (
    Charge,
    PaymentOutcome,
    PaymentPurpose,
    PaymentState,
    RefundOutcome,
    is_hard_decline,
)
from parovoz_subscription.billing.jobs import renewal_queue
from parovoz_subscription.billing.renewal_rules import RenewalRules
from parovoz_subscription.billing.service.lifecycle import (
    JobRun,
    run_expiries,
    run_renewal_notices,
    run_renewals,
)
from parovoz_subscription.clients.payment import payment_client
from parovoz_subscription.plans.domain import Plan, Price
from parovoz_subscription.plans.service import PriceSetting, create_plan
from parovoz_subscription.subscriptions.domain import (
    BillingPeriod,
    PlanType,
    Subscription,
    SubscriptionStatus,
)
from parovoz_subscription.unit_of_work import subscription_unit_of_work
from sqlalchemy import text

S = SubscriptionStatus
MOSCOW = "Europe/Moscow"
#: Plans are created "long ago", so their prices reach every period of the tests.
PLANS_SINCE = datetime(2020, 1, 1, tzinfo=UTC)


async def a_plan(
    infrastructure: Infrastructure,
    prices: dict[BillingPeriod, int],
    plan_type: PlanType = PlanType.PREMIUM,
) -> Plan:
    settings = infrastructure.settings
    async with subscription_unit_of_work(infrastructure) as uow:
        view = await create_plan(
            uow,
            name=f"Тест {uuid.uuid4().hex[:8]}",
            description="План для тестов продлений.",
            plan_type=plan_type,
            features=[],
            trial_days=None,
            max_devices=None,
            new_releases=False,
            new_release_days=None,
            available_regions=["RU"],
            prices=[
                PriceSetting("RU", period, Price("RUB", amount), f"/data/attributes/prices/{n}")
                for n, (period, amount) in enumerate(prices.items())
            ],
            rules=settings.plan_rules(),  # type: ignore[attr-defined]
            now=PLANS_SINCE,
        )
    return view.plan


async def a_saved_method(infrastructure: Infrastructure, user_id: uuid.UUID) -> str:
    """A card saved at payment for ``user_id``: a 1.00 RUB verification confirmed at the
    sandbox (payment cancels the verification itself once the card is saved)."""
    client = payment_client(infrastructure)
    created = await client.create_payment(
        purpose=PaymentPurpose.CARD_VERIFICATION,
        user_id=user_id,
        amount_minor=100,
        currency="RUB",
        reference=f"test-card:{uuid.uuid4()}",
        item_name="Проверка карты",
        region="RU",
        description="Проверка карты для тестов продлений",
        return_url="https://parovoz.example/back",
        save_method=True,
        idempotency_key=str(uuid.uuid4()),
    )
    assert created.confirmation_url and created.payment_id
    async with httpx.AsyncClient() as http:
        confirmed = await http.get(created.confirmation_url, follow_redirects=False)
    assert confirmed.status_code == 303, confirmed.text
    for _ in range(100):
        payment = await client.get_payment(created.payment_id)
        if payment.saved_method_id:
            return payment.saved_method_id
        await asyncio.sleep(0.2)
    raise AssertionError("payment never saved the card")


def a_subscription(
    user_id: uuid.UUID,
    plan: Plan,
    *,
    anchor_at: datetime,
    period_end: datetime,
    price_minor: int,
    status: SubscriptionStatus = S.ACTIVE,
    period: BillingPeriod = BillingPeriod.MONTHLY,
    saved_method_id: str | None = None,
    time_zone: str = MOSCOW,
) -> Subscription:
    return Subscription(
        id=uuid.uuid4(),
        user_id=user_id,
        plan_id=plan.id,
        plan_type=plan.plan_type,
        billing_period=period,
        region="RU",
        currency="RUB",
        price_minor=price_minor,
        status=status,
        auto_renew=True,
        time_zone=time_zone,
        anchor_at=anchor_at,
        current_period_start=anchor_at,
        current_period_end=period_end,
        created_at=anchor_at,
        updated_at=anchor_at,
        trial_end_at=period_end if status is S.TRIAL else None,
        saved_method_id=saved_method_id,
    )


async def store(infrastructure: Infrastructure, *subscriptions: Subscription) -> None:
    async with subscription_unit_of_work(infrastructure) as uow:
        for subscription in subscriptions:
            await uow.subscriptions.add(subscription)
        await uow.commit()


async def read(infrastructure: Infrastructure, subscription_id: uuid.UUID) -> Subscription:
    async with subscription_unit_of_work(infrastructure) as uow:
        found = await uow.subscriptions.get(subscription_id)
    assert found is not None
    return found


async def charges_of(infrastructure: Infrastructure, subscription_id: uuid.UUID) -> list[Charge]:
    async with subscription_unit_of_work(infrastructure) as uow:
        return list(reversed(await uow.charges.of_subscription(subscription_id)))


async def events_of(
    infrastructure: Infrastructure, subscription_id: uuid.UUID
) -> list[tuple[str, dict[str, Any]]]:
    """The subscription's events in the outbox, oldest first: (type, data)."""
    async with infrastructure.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(subscription_id)},
        )
        return [(kind, payload) for kind, payload in rows]


def types(events: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    return [kind.removeprefix("subscription.").removesuffix(".v1") for kind, _ in events]


def rules_of(infrastructure: Infrastructure, **changes: Any) -> RenewalRules:
    rules: RenewalRules = infrastructure.settings.renewal_rules()  # type: ignore[attr-defined]
    values = {**rules.__dict__, **changes}
    return RenewalRules(**values)


async def renew(
    infrastructure: Infrastructure,
    at: datetime,
    *subscriptions: Subscription,
    payments: Any = None,
) -> JobRun:
    return await run_renewals(
        lambda: subscription_unit_of_work(infrastructure),  # type: ignore[arg-type,return-value]
        renewal_queue(rules_of(infrastructure)),
        payments or payment_client(infrastructure),
        rules_of(infrastructure),
        lambda: at,
        only=[s.id for s in subscriptions],
    )


async def expire(infrastructure: Infrastructure, at: datetime, *subs: Subscription) -> JobRun:
    return await run_expiries(
        lambda: subscription_unit_of_work(infrastructure),  # type: ignore[arg-type,return-value]
        renewal_queue(rules_of(infrastructure)),
        rules_of(infrastructure),
        lambda: at,
        only=[s.id for s in subs],
    )


async def notify(infrastructure: Infrastructure, at: datetime, *subs: Subscription) -> JobRun:
    return await run_renewal_notices(
        lambda: subscription_unit_of_work(infrastructure),  # type: ignore[arg-type,return-value]
        renewal_queue(rules_of(infrastructure)),
        rules_of(infrastructure),
        lambda: at,
        only=[s.id for s in subs],
    )


@dataclass
class ScriptedPayments:
    """A Payments port answering saved-method charges from a script of decline codes (None =
    success), one per call, in order; remembers every call."""

    script: list[str | None]
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def charge_saved_method(self, **call: Any) -> PaymentOutcome:
        self.calls.append(call)
        code = self.script.pop(0)
        return PaymentOutcome(
            payment_id=uuid.uuid4(),
            status=PaymentState.SUCCEEDED if code is None else PaymentState.CANCELLED,
            amount_minor=call["amount_minor"],
            currency=call["currency"],
            saved_method_id=call["saved_method_id"],
            decline_code=code,
            hard_decline=is_hard_decline(code),
            user_id=call["user_id"],
            reference=call["reference"],
            purpose="subscription",
            succeeded_at=None,
        )

    async def get_payment(self, payment_id: uuid.UUID) -> PaymentOutcome:
        raise AssertionError("not expected")

    async def create_payment(self, **call: Any) -> PaymentOutcome:
        raise AssertionError("not expected")

    async def refund(self, **call: Any) -> RefundOutcome:
        raise AssertionError("not expected")


def days(n: float) -> timedelta:
    return timedelta(days=n)

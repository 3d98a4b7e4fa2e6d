"""Starts subscription: REST, gRPC, the outbox relay, consumers and jobs (wiring only)."""

from __future__ import annotations

from collections.abc import Sequence

from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob
from parovoz_kit.service import ConsumerDefinition, ServiceDefinition, run_service

from parovoz_subscription.access.events import developer_event_handlers
from parovoz_subscription.billing.events import payment_event_handlers
from parovoz_subscription.billing.jobs import billing_jobs
from parovoz_subscription.error_texts import RUSSIAN
from parovoz_subscription.grpc.callers import CALLERS
from parovoz_subscription.grpc.servicer import grpc_services
from parovoz_subscription.plans.jobs import plan_jobs
from parovoz_subscription.routers import routers
from parovoz_subscription.settings import SubscriptionSettings


def _jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return [*billing_jobs(infrastructure), *plan_jobs(infrastructure)]


SERVICE = ServiceDefinition(
    title="Parovoz subscription",
    description=(
        "Subscription plans and regional prices, the subscription lifecycle, renewals and "
        "dunning, proration, trials, access decisions (CheckAccess), offline licenses."
    ),
    routers=routers,
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
    consumers=[
        ConsumerDefinition("payment.events.v1", payment_event_handlers),
        ConsumerDefinition("developer.events.v1", developer_event_handlers),
    ],
    jobs=_jobs,
    error_texts_ru=RUSSIAN,
)


def run() -> None:
    run_service(SubscriptionSettings(), SERVICE)


if __name__ == "__main__":
    run()

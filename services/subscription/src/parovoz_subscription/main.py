"""Starts subscription: REST, gRPC (and, as they come, the outbox relay, consumers and jobs)."""

from __future__ import annotations

from parovoz_kit.service import ServiceDefinition, run_service

from parovoz_subscription.grpc.callers import CALLERS
from parovoz_subscription.grpc.servicer import grpc_services
from parovoz_subscription.settings import SubscriptionSettings

SERVICE = ServiceDefinition(
    title="Parovoz subscription",
    description=(
        "Subscription plans, lifecycle, renewals and dunning, family and corporate plans, access "
        "decisions, offline licenses, loyalty."
    ),
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
)


def run() -> None:
    run_service(SubscriptionSettings(), SERVICE)


if __name__ == "__main__":
    run()

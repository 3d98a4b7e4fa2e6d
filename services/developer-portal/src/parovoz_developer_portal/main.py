"""Starts developer-portal: REST, gRPC (and, as they come, the outbox relay, consumers and jobs)."""

from __future__ import annotations

from parovoz_kit.service import ConsumerDefinition, ServiceDefinition, run_service

from parovoz_developer_portal.error_texts import RUSSIAN
from parovoz_developer_portal.finance.events import payment_event_handlers
from parovoz_developer_portal.finance.jobs import payout_jobs
from parovoz_developer_portal.grpc.callers import CALLERS
from parovoz_developer_portal.grpc.servicer import grpc_services
from parovoz_developer_portal.routers import routers
from parovoz_developer_portal.settings import DeveloperPortalSettings

SERVICE = ServiceDefinition(
    title="Parovoz developer-portal",
    description=(
        "Developer accounts and teams, games and DLC, builds, pricing, publication, payout "
        "requests and sales analytics."
    ),
    routers=routers,
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
    consumers=[ConsumerDefinition("payment.events.v1", payment_event_handlers)],
    jobs=payout_jobs,
    error_texts_ru=RUSSIAN,
)


def run() -> None:
    run_service(DeveloperPortalSettings(), SERVICE)


if __name__ == "__main__":
    run()

"""Starts greenlight: REST, gRPC, the outbox relay, consumers and jobs (wiring only)."""

from __future__ import annotations

from parovoz_kit.service import ConsumerDefinition, ServiceDefinition, run_service

from parovoz_greenlight.error_texts import RUSSIAN
from parovoz_greenlight.fees.events import payment_event_handlers
from parovoz_greenlight.grpc.callers import CALLERS
from parovoz_greenlight.grpc.servicer import grpc_services
from parovoz_greenlight.results.jobs import results_jobs
from parovoz_greenlight.routers import routers
from parovoz_greenlight.settings import GreenlightSettings

SERVICE = ServiceDefinition(
    title="Parovoz greenlight",
    description=(
        "Game submissions with a paid fee, moderation and curators, community voting in windows, "
        "results that settle before they are announced, anti-manipulation, appeals and support."
    ),
    routers=routers,
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
    consumers=[ConsumerDefinition("payment.events.v1", payment_event_handlers)],
    jobs=results_jobs,
    error_texts_ru=RUSSIAN,
)


def run() -> None:
    run_service(GreenlightSettings(), SERVICE)


if __name__ == "__main__":
    run()

"""Starts greenlight: REST, gRPC (and, as they come, the outbox relay, consumers and jobs)."""

from __future__ import annotations

from parovoz_kit.service import ServiceDefinition, run_service

from parovoz_greenlight.grpc.callers import CALLERS
from parovoz_greenlight.grpc.servicer import grpc_services
from parovoz_greenlight.settings import GreenlightSettings

SERVICE = ServiceDefinition(
    title="Parovoz greenlight",
    description=(
        "Game submissions, community voting, curation, anti-manipulation, appeals and developer "
        "support."
    ),
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
)


def run() -> None:
    run_service(GreenlightSettings(), SERVICE)


if __name__ == "__main__":
    run()

"""Starts payment: REST, gRPC (and, as they come, the outbox relay, consumers and jobs)."""

from __future__ import annotations

from parovoz_kit.service import ConsumerDefinition, ServiceDefinition, run_service

from parovoz_payment.api import routers
from parovoz_payment.error_texts import RUSSIAN
from parovoz_payment.events.developer_events import developer_event_handlers
from parovoz_payment.grpc.callers import CALLERS
from parovoz_payment.grpc.servicer import grpc_services
from parovoz_payment.jobs.periodic import payment_jobs
from parovoz_payment.settings import process_settings

SERVICE = ServiceDefinition(
    title="Parovoz payment",
    description=(
        "Double-entry ledger, payments and providers, webhooks, refunds, wallets, coupons, gift "
        "cards, payouts, fraud rules, 54-FZ receipts."
    ),
    routers=routers,
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
    consumers=[ConsumerDefinition("developer.events.v1", developer_event_handlers)],
    jobs=payment_jobs,
    error_texts_ru=RUSSIAN,
)


def run() -> None:
    # The process's one settings object: the rules built from it (the wallet's, revenue share,
    # ...) are the same ones the use cases deep in a settlement read (``process_settings``).
    run_service(process_settings(), SERVICE)


if __name__ == "__main__":
    run()

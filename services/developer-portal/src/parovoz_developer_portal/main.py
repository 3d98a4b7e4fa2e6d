"""Starts developer-portal: REST, gRPC (and, as they come, the outbox relay, consumers and jobs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from parovoz_kit.events import Handler, merge_handlers
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.jobs import PeriodicJob
from parovoz_kit.service import ConsumerDefinition, ServiceDefinition, run_service

from parovoz_developer_portal.accounts.events import admin_account_handlers
from parovoz_developer_portal.builds.jobs import build_jobs
from parovoz_developer_portal.error_texts import RUSSIAN
from parovoz_developer_portal.finance.events import payment_event_handlers
from parovoz_developer_portal.finance.jobs import payout_jobs
from parovoz_developer_portal.grpc.callers import CALLERS
from parovoz_developer_portal.grpc.servicer import grpc_services
from parovoz_developer_portal.media.jobs import media_jobs
from parovoz_developer_portal.notifications.events import (
    admin_notification_handlers,
    developer_notification_handlers,
    greenlight_notification_handlers,
    payment_notification_handlers,
)
from parovoz_developer_portal.review.events import (
    admin_moderation_handlers,
    greenlight_event_handlers,
)
from parovoz_developer_portal.routers import routers
from parovoz_developer_portal.settings import DeveloperPortalSettings


# One consumer group per topic: where several contexts handle one event type, each handler runs
# in turn in the group's one inbox transaction (notifications after the change they report).
def _admin_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return merge_handlers(
        admin_account_handlers(infrastructure),
        admin_moderation_handlers(infrastructure),
        admin_notification_handlers(infrastructure),
    )


def _payment_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return merge_handlers(
        payment_event_handlers(infrastructure), payment_notification_handlers(infrastructure)
    )


def _greenlight_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    return merge_handlers(
        greenlight_event_handlers(infrastructure),
        greenlight_notification_handlers(infrastructure),
    )


def _jobs(infrastructure: Infrastructure) -> Sequence[PeriodicJob]:
    return [*payout_jobs(infrastructure), *build_jobs(infrastructure), *media_jobs(infrastructure)]


SERVICE = ServiceDefinition(
    title="Parovoz developer-portal",
    description=(
        "Developer accounts and teams, games and DLC, builds, pricing, publication, payout "
        "requests and sales analytics."
    ),
    routers=routers,
    grpc_services=grpc_services,
    grpc_callers=CALLERS,
    consumers=[
        ConsumerDefinition("payment.events.v1", _payment_handlers),
        ConsumerDefinition("admin.events.v1", _admin_handlers),
        ConsumerDefinition("greenlight.events.v1", _greenlight_handlers),
        # The portal's own events that concern an account (publication...): its inbox.
        ConsumerDefinition("developer.events.v1", developer_notification_handlers),
    ],
    jobs=_jobs,
    error_texts_ru=RUSSIAN,
)


def run() -> None:
    run_service(DeveloperPortalSettings(), SERVICE)


if __name__ == "__main__":
    run()

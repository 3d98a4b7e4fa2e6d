"""The admin stand-in's HTTP API: moderation decisions and developer verification, as events."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from cloudevents.core.v1.event import CloudEvent
from fastapi import Body, FastAPI, Header, Request
from pydantic import BaseModel, ConfigDict, Field
from standin_common.web import ApiError, install_standin_http

from standin_admin import events
from standin_admin.publisher import KafkaPublisher, PublishFailed
from standin_admin.settings import AdminSettings

SERVER_NAME = "parovoz-standin-admin"
log = logging.getLogger(__name__)


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    moderator_id: uuid.UUID | None = None
    comment: str | None = Field(default=None, max_length=4000)


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=4000)
    moderator_id: uuid.UUID | None = None


class Published(BaseModel):
    event_id: str
    type: str


TraceparentHeader = Annotated[str | None, Header()]


def create_app(settings: AdminSettings | None = None) -> FastAPI:
    settings = settings or AdminSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.publisher = KafkaPublisher(
            settings.kafka_bootstrap_servers, settings.publish_timeout_seconds
        )
        yield
        app.state.publisher.close()

    app = FastAPI(
        title="Admin STAND-IN (not the real admin service)",
        description="Local/test stand-in for the external admin service. Not for production.",
        lifespan=lifespan,
    )
    install_standin_http(app, SERVER_NAME)

    def publish(request: Request, event: CloudEvent, traceparent: str | None) -> Published:
        try:
            request.app.state.publisher.publish(
                settings.topic, events.to_kafka_record(event, traceparent)
            )
        except PublishFailed as failure:
            log.warning("could not publish %s: %s", event.get_type(), failure)
            raise ApiError.single(
                503,
                "BROKER_UNAVAILABLE",
                f"The event could not be published to {settings.topic}; retry later.",
                headers={"Retry-After": "5"},
            ) from None
        return Published(event_id=event.get_id(), type=event.get_type())

    # Sync handlers: waiting for the broker's acknowledgement blocks, so they run in a thread.
    @app.post("/moderation/{game_id}/{version_id}/approve", status_code=202)
    def approve(
        request: Request,
        game_id: uuid.UUID,
        version_id: uuid.UUID,
        approval: Annotated[Approval | None, Body()] = None,
        traceparent: TraceparentHeader = None,
    ) -> Published:
        approval = approval or Approval()
        event = events.moderation_approved(
            game_id, version_id, approval.moderator_id, approval.comment
        )
        return publish(request, event, traceparent)

    @app.post("/moderation/{game_id}/{version_id}/reject", status_code=202)
    def reject(
        request: Request,
        game_id: uuid.UUID,
        version_id: uuid.UUID,
        rejection: Rejection,
        traceparent: TraceparentHeader = None,
    ) -> Published:
        event = events.moderation_rejected(
            game_id, version_id, rejection.moderator_id, rejection.reason
        )
        return publish(request, event, traceparent)

    @app.post("/developers/{developer_id}/verify", status_code=202)
    def verify_developer(
        request: Request, developer_id: uuid.UUID, traceparent: TraceparentHeader = None
    ) -> Published:
        return publish(request, events.developer_verified(developer_id), traceparent)

    return app

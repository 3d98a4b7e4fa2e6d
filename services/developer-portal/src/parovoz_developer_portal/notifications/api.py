"""`/notifications`: the account's inbox (any member), marking read, and the live stream."""

import uuid
from typing import Annotated, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.notifications import service as use_cases
from parovoz_developer_portal.notifications.schemas import (
    InboxMeta,
    NotificationAttributes,
    NotificationList,
    ReadAllAnswer,
    ReadAllMeta,
    notification_resource,
)
from parovoz_developer_portal.notifications.stream import (
    STREAM_ERRORS,
    StreamMember,
    event_stream,
    require_event_stream,
    stream_position,
)
from parovoz_developer_portal.schemas import Document
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.unit_of_work import portal_unit_of_work


def notifications_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).notification_rules()
    router = APIRouter(prefix=f"{prefix}/notifications", tags=["notifications"])

    @router.get(
        "",
        response_model=NotificationList,
        summary="The account's notifications, newest first (any member)",
        description=(
            "What happened to the account's games, builds, payouts and team, each linking to "
            "its resource (`links.related`). The inbox is the account's (one member's reading "
            "marks it read for all); each role sees the kinds its rights cover: payouts owner, "
            "admin and finance; invitations owner and admin; the rest every member. "
            "`filter[read]=false` lists the unread ones, `true` the read ones. Pages: "
            f"`page[size]` (1-{rules.max_page_size}, default {rules.default_page_size}); "
            "`links.next` is the next (older) page, stable while notifications arrive. "
            "`meta.unread` counts the unread notifications of the whole inbox the caller sees."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_notifications(
        request: Request,
        actor: CurrentMember,
        read: Annotated[
            bool | None,
            Query(alias="filter[read]", description="`true`: read ones only; `false`: unread."),
        ] = None,
        page_size: Annotated[
            int,
            Query(
                alias="page[size]",
                ge=1,
                le=rules.max_page_size,
                description=f"Notifications a page: 1 to {rules.max_page_size}.",
            ),
        ] = rules.default_page_size,
        cursor: Annotated[
            int | None,
            Query(
                alias="page[cursor]",
                ge=1,
                le=2**63 - 1,
                description="`links.next` of the previous page has it.",
            ),
        ] = None,
    ) -> NotificationList:
        async with portal_unit_of_work(infrastructure) as uow:
            page = await use_cases.inbox_page(uow, actor, read=read, cursor=cursor, size=page_size)
        next_link = None
        if page.next_cursor is not None:
            query: dict[str, str] = {"page[size]": str(page_size)}
            if read is not None:
                query["filter[read]"] = str(read).lower()
            query["page[cursor]"] = str(page.next_cursor)
            next_link = f"{prefix}/notifications?{urlencode(query)}"
        return NotificationList(
            data=[notification_resource(n, prefix) for n in page.notifications],
            meta=InboxMeta(unread=page.unread),
            links={"next": next_link},
        )

    @router.post(
        "/read-all",
        response_model=ReadAllAnswer,
        summary="Mark every notification of the account read (any member)",
        description=(
            "Every notification made until now is read (one arriving meanwhile stays unread). "
            "Repeating it changes nothing."
        ),
        responses=error_responses({404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def read_all(actor: CurrentMember) -> ReadAllAnswer:
        async with portal_unit_of_work(infrastructure) as uow:
            marked = await use_cases.mark_all_read(uow, actor, infrastructure.clock.now())
        async with portal_unit_of_work(infrastructure) as uow:
            page = await use_cases.inbox_page(uow, actor, read=False, cursor=None, size=1)
        return ReadAllAnswer(meta=ReadAllMeta(marked_read=marked, unread=page.unread))

    @router.post(
        "/{notification_id}/read",
        response_model=Document[NotificationAttributes],
        summary="Mark one notification read (any member)",
        description=(
            "The notification, read. Marking it again keeps the first time. Another account's "
            "notification, or an unknown id, is 404 `NOTIFICATION_NOT_FOUND`."
        ),
        responses=error_responses({404: ["NOTIFICATION_NOT_FOUND", "RESOURCE_NOT_FOUND"]}),
    )
    async def read_one(
        notification_id: Annotated[uuid.UUID, Path(description="The notification's id (UUID).")],
        actor: CurrentMember,
    ) -> Document[NotificationAttributes]:
        async with portal_unit_of_work(infrastructure) as uow:
            read = await use_cases.mark_read(
                uow, actor, notification_id, infrastructure.clock.now()
            )
        return Document(data=notification_resource(read, prefix))

    @router.get(
        "/stream",
        response_class=StreamingResponse,
        summary="The account's new notifications as they happen (Server-Sent Events)",
        description=(
            "A `text/event-stream` (seed 001 §3.3) for a portal page to refresh without polling: "
            "each new notification of the account is an event `notification` whose `id` is its "
            "`sequence` and whose `data` is the notification as `GET /notifications` gives it. "
            "A reconnection sending `Last-Event-ID` (browsers' EventSource does) first gets "
            "what came after that id, oldest first; without it the stream starts with what "
            "comes next. A comment line (`: heartbeat`) every "
            f"{rules.heartbeat_seconds:g} s keeps proxies from closing a quiet stream; the "
            f"server ends the stream after {rules.stream_max_seconds:g} s and the client "
            "reconnects (`retry` is sent). Only a client asking for it "
            "(`Accept: text/event-stream`) gets a stream: 406 `EVENT_STREAM_NOT_ACCEPTED` "
            "otherwise, so a plain request never hangs. Any member, with a user token in "
            "`Authorization: Bearer`, or — because EventSource cannot set headers — as the "
            "query parameter `access_token` (this route only; it is never logged by the "
            "service)."
        ),
        responses={
            **error_responses(
                {
                    400: ["VALIDATION_ERROR"],
                    404: ["RESOURCE_NOT_FOUND"],
                    406: ["EVENT_STREAM_NOT_ACCEPTED"],
                    **STREAM_ERRORS,
                }
            ),
            200: {
                "description": "The event stream.",
                "content": {
                    "text/event-stream": {
                        "schema": {"type": "string"},
                        "example": (
                            "retry: 3000\n\nid: 42\nevent: notification\n"
                            'data: {"type":"notification","id":"…","attributes":{…}}\n\n'
                            ": heartbeat\n\n"
                        ),
                    }
                },
            },
        },
    )
    async def stream(
        request: Request,
        actor: StreamMember,
        last_event_id_query: Annotated[
            str | None,
            Query(
                alias="last_event_id",
                description=(
                    "Resume after this `sequence` when the `Last-Event-ID` header cannot be "
                    "sent (a page opening a new EventSource); the header wins."
                ),
            ),
        ] = None,
    ) -> Response:
        require_event_stream(request)
        last_seen = stream_position(request, last_event_id_query)
        async with portal_unit_of_work(infrastructure) as uow:
            start = await use_cases.stream_start(uow, actor, last_seen)
        return StreamingResponse(
            event_stream(infrastructure, request, actor, start, rules, prefix),
            media_type="text/event-stream",
            headers={
                "Cache-Control": "no-cache, no-store",
                # nginx: pass each event on at once instead of buffering the answer.
                "X-Accel-Buffering": "no",
            },
        )

    return router

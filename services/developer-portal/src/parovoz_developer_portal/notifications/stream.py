"""`GET /notifications/stream`: the Server-Sent Events side of the inbox (seed 001 §3.3).

- Who: a member by user token, from ``Authorization: Bearer`` or, because browsers'
  EventSource cannot set headers, from the ``access_token`` query parameter (this route only).
  The service never logs a query string (uvicorn's access log is off); the gateway's access log
  is the operators' to configure.
- Where it starts: after ``Last-Event-ID`` (or ``last_event_id``), else after the account's
  newest notification.
- What it sends: each notification after that, oldest first, as ``id: <sequence>`` /
  ``event: notification`` / ``data: <JSON>``, read from the inbox whenever the account's
  announcement (PostgreSQL NOTIFY, :mod:`.announcements`) wakes it, and every ``poll_seconds``
  anyway; a ``: heartbeat`` comment when nothing was sent for ``heartbeat_seconds``; it ends
  after ``stream_max_seconds`` (the client reconnects with ``Last-Event-ID``) or when the client
  goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from parovoz_kit.auth.dependencies import current_principal, current_user_id, get_verifier
from parovoz_kit.errors import ParovozError, ValidationFailed
from parovoz_kit.http.openapi import answers_errors
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.notifications import service as use_cases
from parovoz_developer_portal.notifications.announcements import InboxAnnouncements
from parovoz_developer_portal.notifications.repository import CHANNEL
from parovoz_developer_portal.notifications.rules import NotificationRules
from parovoz_developer_portal.notifications.schemas import notification_resource
from parovoz_developer_portal.team.domain import Actor
from parovoz_developer_portal.team.service import actor_for_user
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

EVENT_STREAM = "text/event-stream"
#: What the client waits before reconnecting after the stream ended (ms, the SSE ``retry``).
RECONNECT_MS = 3000
#: The errors of the stream's authentication (documented on the route).
STREAM_ERRORS: dict[int, list[str]] = {
    401: ["TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED"],
    403: ["USER_TOKEN_REQUIRED"],
}

_bearer = HTTPBearer(auto_error=False, description="An access token from the auth service.")


class NotAcceptable(ParovozError):
    http_status = 406
    default_code = "NOT_ACCEPTABLE"
    title = "Not Acceptable"


@answers_errors(STREAM_ERRORS)
async def stream_member(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    access_token: Annotated[
        str | None,
        Query(
            description=(
                "The user token, for clients that cannot send `Authorization` (EventSource); "
                "the header wins. This route only."
            ),
        ),
    ] = None,
) -> Actor:
    """A member by user token, from the header or the ``access_token`` parameter."""
    credentials = bearer
    if credentials is None and access_token:
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=access_token)
    principal = await current_principal(get_verifier(request), credentials)
    user_id = current_user_id(principal)
    infrastructure: Infrastructure = request.app.state.infrastructure
    async with portal_unit_of_work(infrastructure) as uow:
        return await actor_for_user(uow, user_id)


StreamMember = Annotated[Actor, Depends(stream_member)]


def require_event_stream(request: Request) -> None:
    """Only a client that asks for an event stream gets one (406 otherwise)."""
    accepted = request.headers.get("accept", "")
    if EVENT_STREAM not in accepted.lower():
        raise NotAcceptable(
            "This route answers an event stream only: send Accept: text/event-stream.",
            code="EVENT_STREAM_NOT_ACCEPTED",
            parameter="Accept",
        )


def stream_position(request: Request, query_value: str | None) -> int | None:
    """The sequence the client saw last (``Last-Event-ID`` header, else the parameter)."""
    header = request.headers.get("last-event-id")
    value, where = (header, "Last-Event-ID") if header is not None else (query_value, None)
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise ValidationFailed(
            f"{where or 'last_event_id'} is the id of an event of this stream (a whole number).",
            parameter=where or "last_event_id",
            detail_ru=f"{where or 'last_event_id'} — id события этого потока (целое число).",
        )
    return int(text)


def announcements(infrastructure: Infrastructure) -> InboxAnnouncements:
    def new() -> InboxAnnouncements:
        url = infrastructure.engine.url.set(drivername="postgresql")
        return InboxAnnouncements(url.render_as_string(hide_password=False), CHANNEL)

    return infrastructure.shared("notification-announcements", new)


def _event(sequence: int, data: dict[str, object]) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {sequence}\nevent: notification\ndata: {payload}\n\n"


async def event_stream(
    infrastructure: Infrastructure,
    request: Request,
    actor: Actor,
    start: int,
    rules: NotificationRules,
    prefix: str,
) -> AsyncIterator[str]:
    ear = announcements(infrastructure)
    last = start
    ends_at = time.monotonic() + rules.stream_max_seconds
    quiet_since = time.monotonic()
    with ear.subscribe(actor.developer_id) as woken:
        await ear.started(wait_seconds=2.0)
        yield f"retry: {RECONNECT_MS}\n\n"
        while True:
            woken.clear()
            async with portal_unit_of_work(infrastructure) as uow:
                batch = await use_cases.stream_batch(uow, actor, last, rules)
            for notification in batch:
                resource = notification_resource(notification, prefix)
                yield _event(notification.sequence, resource.model_dump(mode="json"))
                last = notification.sequence
            if batch:
                quiet_since = time.monotonic()
            if len(batch) == rules.batch_size:
                continue  # more to replay
            now = time.monotonic()
            if now >= ends_at or await request.is_disconnected():
                return
            wait = min(
                rules.poll_seconds, rules.heartbeat_seconds - (now - quiet_since), ends_at - now
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), max(wait, 0.0))
            if not woken.is_set() and time.monotonic() - quiet_since >= rules.heartbeat_seconds:
                yield ": heartbeat\n\n"
                quiet_since = time.monotonic()

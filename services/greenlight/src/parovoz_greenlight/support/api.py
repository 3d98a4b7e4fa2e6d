"""REST of support (thin: parse -> one use case -> document): open a ticket, list tickets, read
one with its messages, write a message, take a ticket, move its status. A ticket the caller may
not see is 404, like an unknown one (no existence leak)."""

import uuid
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from parovoz_kit.auth import CurrentPrincipal, Principal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import Text
from parovoz_kit.http.filters import listed
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.http.paging import PageRequest, page_query
from parovoz_kit.idempotency import IdempotencyKey, run_idempotent
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.clients.developer_portal import developer_portal
from parovoz_greenlight.support import service as use_cases
from parovoz_greenlight.support.domain import Priority, SupportType, TicketFilter, TicketStatus
from parovoz_greenlight.support.rules import SupportRules
from parovoz_greenlight.support.schemas import (
    MessageCreationDocument,
    MessageDocument,
    StatusDocument,
    TicketCreationDocument,
    TicketDocument,
    TicketListDocument,
    json_response,
    message_resource,
    ticket_resource,
)
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

TicketId = Annotated[uuid.UUID, Path(description="The ticket's id (UUID).")]
FilterValue = Annotated[str, Text(200)]

_NOT_FOUND = {404: ["SUPPORT_TICKET_NOT_FOUND"], 503: ["DEVELOPER_PORTAL_UNAVAILABLE"]}
_STAFF = ["PERMISSION_DENIED"]


def _caller(principal: Principal) -> use_cases.Caller:
    return use_cases.Caller(current_user_id(principal), principal.roles)


def _assignee(raw: str | None, caller: use_cases.Caller) -> tuple[uuid.UUID | None, bool]:
    """``filter[assignee]``: a user id, ``me`` or ``none`` (nobody took it)."""
    if raw is None:
        return None, False
    if raw == "none":
        return None, True
    if raw == "me":
        return caller.user_id, False
    try:
        return uuid.UUID(raw), False
    except ValueError:
        raise ValidationFailed(
            f"filter[assignee] takes a user id, me or none, not {raw!r}.",
            detail_ru=f"filter[assignee] принимает id пользователя, me или none, а не {raw!r}.",
            code="INVALID_FILTER",
            parameter="filter[assignee]",
        ) from None


def support_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: SupportRules = infrastructure.settings.support_rules()
    router = APIRouter(prefix=prefix, tags=["support"])
    clock = infrastructure.clock
    developers = developer_portal(infrastructure)
    hours = {p.value: int(rules.first_response_within(p).total_seconds() // 3600) for p in Priority}

    @router.post(
        "/support/tickets",
        status_code=201,
        response_model=TicketDocument,
        summary="Open a support ticket for a developer account (a member of it)",
        description=(
            "Any member (owner, admin, editor, finance, viewer) of the developer account "
            "`developer_id` (developer-portal's `GetDeveloper`; else 403 "
            "`DEVELOPER_MEMBERSHIP_REQUIRED`), which must be `active` (422 "
            "`DEVELOPER_ACCOUNT_NOT_ACTIVE`). `submission_id` must be a submission of that "
            "account (422 `SUBMISSION_NOT_FOUND`). The ticket is `open`; staff owe a first "
            f"response by `first_response_due_at`: within {hours['urgent']} h (urgent), "
            f"{hours['high']} h (high), {hours['normal']} h (normal), {hours['low']} h (low). "
            "`Idempotency-Key` is required: the same key and body answer the first answer "
            "again, another body 422 `IDEMPOTENCY_KEY_REUSED`."
        ),
        responses=error_responses(
            {
                403: ["DEVELOPER_MEMBERSHIP_REQUIRED"],
                422: ["DEVELOPER_ACCOUNT_NOT_ACTIVE", "SUBMISSION_NOT_FOUND"],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def open_ticket(
        body: TicketCreationDocument,
        request: Request,
        principal: CurrentPrincipal,
        idempotency_key: IdempotencyKey,
    ) -> Response:
        caller = _caller(principal)
        attributes = body.data.attributes
        new = use_cases.NewTicket(
            developer_id=attributes.developer_id,
            submission_id=attributes.submission_id,
            type=attributes.type,
            priority=attributes.priority,
            subject=attributes.subject,
            description=attributes.description,
            attachments=tuple(attributes.attachments),
        )

        async def create(_: object) -> Response:
            async with greenlight_unit_of_work(infrastructure) as uow:
                ticket = await use_cases.open_ticket(
                    uow, developers, caller, new, rules, clock.now()
                )
            document = TicketDocument(data=ticket_resource(ticket, prefix, clock.now(), []))
            response = json_response(document, 201)
            response.headers["Location"] = document.data.links["self"]
            return response

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"user:{caller.user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @router.get(
        "/support/tickets",
        response_model=TicketListDocument,
        summary="Support tickets: an account's (its members) or everyone's (support staff)",
        description=(
            "A developer names their account in `filter[developer_id]` (a non-member: 403 "
            "`DEVELOPER_MEMBERSHIP_REQUIRED`); without it the list is support staff's (platform "
            "role `support` or `admin`; else 403 `PERMISSION_DENIED`). Filters: "
            "`filter[status]`, `filter[type]`, `filter[priority]` (comma-separated; an unknown "
            "value is 400 `INVALID_FILTER`), `filter[assignee]` (a user id, `me` or `none`). "
            "`sort=newest` (default): newest first; `sort=due` (staff): first response due "
            f"first. Pages: `page[size]` (1-{rules.max_page_size}, default "
            f"{rules.default_page_size}), `links.next` (null on the last); a `page[cursor]` not "
            "taken from one is 400 `INVALID_PAGE_CURSOR`."
        ),
        responses=error_responses(
            {
                400: ["INVALID_FILTER", "INVALID_PAGE_CURSOR"],
                403: ["DEVELOPER_MEMBERSHIP_REQUIRED", *_STAFF],
                503: ["DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def list_tickets(
        paging: Annotated[
            PageRequest,
            Depends(page_query("Tickets", rules.default_page_size, rules.max_page_size)),
        ],
        principal: CurrentPrincipal,
        developer_id: Annotated[
            uuid.UUID | None,
            Query(alias="filter[developer_id]", description="The developer account."),
        ] = None,
        status: Annotated[
            FilterValue | None,
            Query(alias="filter[status]", description="Statuses, comma-separated."),
        ] = None,
        type_: Annotated[
            FilterValue | None, Query(alias="filter[type]", description="Types, comma-separated.")
        ] = None,
        priority: Annotated[
            FilterValue | None,
            Query(alias="filter[priority]", description="Priorities, comma-separated."),
        ] = None,
        assignee: Annotated[
            FilterValue | None,
            Query(alias="filter[assignee]", description="A user id, `me` or `none`."),
        ] = None,
        sort: Annotated[
            Literal["newest", "due"],
            Query(description="`newest` (default) or `due` (staff: first response due first)."),
        ] = "newest",
    ) -> Response:
        caller = _caller(principal)
        assignee_id, unassigned = _assignee(assignee, caller)
        where = TicketFilter(
            developer_id=developer_id,
            statuses=listed(TicketStatus, status, "filter[status]"),
            types=listed(SupportType, type_, "filter[type]"),
            priorities=listed(Priority, priority, "filter[priority]"),
            assignee_id=assignee_id,
            unassigned=unassigned,
        )
        async with greenlight_unit_of_work(infrastructure) as uow:
            page = await use_cases.list_tickets(
                uow, developers, caller, where, sort=sort, cursor=paging.cursor, size=paging.size
            )
        query = {"page[size]": str(paging.size), "sort": sort}
        for name, value in (
            ("filter[developer_id]", None if developer_id is None else str(developer_id)),
            ("filter[status]", status),
            ("filter[type]", type_),
            ("filter[priority]", priority),
            ("filter[assignee]", assignee),
        ):
            if value is not None:
                query[name] = value
        base = f"{prefix}/support/tickets"
        now = clock.now()
        next_link = None
        if page.next_cursor:
            next_link = f"{base}?{urlencode({**query, 'page[cursor]': page.next_cursor})}"
        document = TicketListDocument(
            data=[ticket_resource(ticket, prefix, now) for ticket in page.tickets],
            links={"self": f"{base}?{urlencode(query)}", "next": next_link},
        )
        return json_response(document)

    @router.get(
        "/support/tickets/{ticket_id}",
        response_model=TicketDocument,
        summary="A support ticket with its messages",
        description=(
            "Members of the ticket's developer account and support staff (`support`, "
            "`admin`); anyone else gets 404 `SUPPORT_TICKET_NOT_FOUND`, like an unknown ticket."
        ),
        responses=error_responses(_NOT_FOUND),
    )
    async def get_ticket(ticket_id: TicketId, principal: CurrentPrincipal) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            view = await use_cases.view_ticket(uow, developers, ticket_id, _caller(principal))
        return json_response(
            TicketDocument(data=ticket_resource(view.ticket, prefix, clock.now(), view.messages))
        )

    @router.post(
        "/support/tickets/{ticket_id}/messages",
        status_code=201,
        response_model=MessageDocument,
        summary="Write on a support ticket (its developer or support staff)",
        description=(
            "A member of the ticket's account writes as `developer`, support staff as "
            "`support` (the first staff message is the first response; an `open` ticket is "
            "then `in_progress`). The developer's answer to `waiting_for_developer` puts it "
            "back `in_progress`. A `closed` ticket, or a `resolved` one for the developer "
            "(reopen it first), is 422 `SUPPORT_TICKET_STATUS_CONFLICT`. Messages are never "
            "edited. Anyone else: 404."
        ),
        responses=error_responses({**_NOT_FOUND, 422: ["SUPPORT_TICKET_STATUS_CONFLICT"]}),
    )
    async def write_message(
        ticket_id: TicketId, body: MessageCreationDocument, principal: CurrentPrincipal
    ) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            ticket, message = await use_cases.write_message(
                uow,
                developers,
                ticket_id,
                _caller(principal),
                body.data.attributes.body,
                clock.now(),
            )
        document = MessageDocument(
            data=message_resource(message), meta={"ticket_status": ticket.status.value}
        )
        return json_response(document, 201)

    @router.post(
        "/support/tickets/{ticket_id}/assign",
        response_model=TicketDocument,
        summary="Take a support ticket (support staff: assign it to yourself)",
        description=(
            "Platform role `support` or `admin`; a member of the ticket's account gets 403 "
            "`PERMISSION_DENIED`, anyone else 404. Taking it over from a colleague is allowed. "
            "An `open` ticket is then `in_progress`; a `resolved` or `closed` one is 422 "
            "`SUPPORT_TICKET_STATUS_CONFLICT`."
        ),
        responses=error_responses(
            {**_NOT_FOUND, 403: _STAFF, 422: ["SUPPORT_TICKET_STATUS_CONFLICT"]}
        ),
    )
    async def take_ticket(ticket_id: TicketId, principal: CurrentPrincipal) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            ticket = await use_cases.take_ticket(
                uow, developers, ticket_id, _caller(principal), clock.now()
            )
        return json_response(TicketDocument(data=ticket_resource(ticket, prefix, clock.now())))

    @router.post(
        "/support/tickets/{ticket_id}/status",
        response_model=TicketDocument,
        summary="Move a support ticket (ask, resolve, reopen, close)",
        description=(
            "Support staff: `in_progress`, `waiting_for_developer` (ask the developer; put the "
            "question in `comment`), `resolved`. The developer: `in_progress` (answered a "
            f"question), `open` (reopen a resolved ticket within {rules.reopen_period.days} "
            "days of its resolution), `closed` (final). Any other move is 422 "
            "`SUPPORT_TICKET_STATUS_CONFLICT`. `comment` is kept as a message of the mover. "
            "Anyone else: 404."
        ),
        responses=error_responses({**_NOT_FOUND, 422: ["SUPPORT_TICKET_STATUS_CONFLICT"]}),
    )
    async def change_status(
        ticket_id: TicketId, body: StatusDocument, principal: CurrentPrincipal
    ) -> Response:
        attributes = body.data.attributes
        async with greenlight_unit_of_work(infrastructure) as uow:
            view = await use_cases.change_status(
                uow,
                developers,
                ticket_id,
                _caller(principal),
                attributes.status,
                attributes.comment,
                rules,
                clock.now(),
            )
        return json_response(
            TicketDocument(data=ticket_resource(view.ticket, prefix, clock.now(), view.messages))
        )

    return router

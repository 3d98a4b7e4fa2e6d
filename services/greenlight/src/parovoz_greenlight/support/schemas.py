"""Request and response bodies of support's routes (JSON:API-style documents, seed 001). String
bounds are the columns' (``domain.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import Response
from parovoz_kit.http.fields import InvalidValue, RequestModel, Text
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from parovoz_greenlight.support.domain import (
    ATTACHMENT_LIMIT,
    BODY_LIMIT,
    DESCRIPTION_LIMIT,
    MAX_ATTACHMENTS,
    SUBJECT_LIMIT,
    Message,
    Priority,
    SupportType,
    Ticket,
    TicketStatus,
)


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidValue(
            "at least one character that is not a space",
            russian="нужен хотя бы один непробельный символ",
        )
    return value


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise InvalidValue("an https URL (https://host/...)", russian="нужен адрес https://…")
    return value


Subject = Annotated[str, Text(SUBJECT_LIMIT, min_length=1), AfterValidator(_not_blank)]
Description = Annotated[str, Text(DESCRIPTION_LIMIT, min_length=1), AfterValidator(_not_blank)]
Body = Annotated[str, Text(BODY_LIMIT, min_length=1), AfterValidator(_not_blank)]
Attachment = Annotated[str, Text(ATTACHMENT_LIMIT, min_length=9), AfterValidator(_https_url)]

TICKET_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "supportTicket",
        "attributes": {
            "developer_id": "0b7c6f0e-3d4a-4c55-9e1f-2a3b4c5d6e7f",
            "submission_id": None,
            "type": "technical",
            "priority": "high",
            "subject": "Не загружается сборка демо-версии",
            "description": "Загрузка сборки обрывается на 80 %, повторная попытка не помогает.",
            "attachments": ["https://files.example.ru/upload-log.txt"],
        },
    }
}
MESSAGE_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "supportMessage",
        "attributes": {"body": "Прикладываю журнал загрузки: ошибка на шаге 4."},
    }
}
STATUS_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "supportTicketStatus",
        "attributes": {
            "status": "waiting_for_developer",
            "comment": "Пришлите, пожалуйста, идентификатор версии сборки.",
        },
    }
}


class TicketAttributes(RequestModel):
    developer_id: uuid.UUID = Field(description="The developer account the ticket is for.")
    submission_id: uuid.UUID | None = Field(
        default=None, description="A submission of that account the ticket is about."
    )
    type: SupportType = Field(
        description="`technical`, `business`, `marketing`, `legal` or `mentorship`."
    )
    priority: Priority = Field(
        default=Priority.NORMAL,
        description="`low`, `normal` (default), `high` or `urgent`: sets when the first "
        "response is due.",
    )
    subject: Subject = Field(description=f"A short summary (1-{SUBJECT_LIMIT} characters).")
    description: Description = Field(description="What happened, what is needed.")
    attachments: list[Attachment] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description=f"Links to files (https URLs), at most {MAX_ATTACHMENTS}.",
    )


class TicketData(RequestModel):
    type: Literal["supportTicket"] = Field(description="Always `supportTicket`.")
    attributes: TicketAttributes = Field(description="The ticket.")


class TicketCreationDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [TICKET_EXAMPLE]})

    data: TicketData = Field(description="The ticket.")


class MessageAttributes(RequestModel):
    body: Body = Field(description=f"The message (1-{BODY_LIMIT} characters).")


class MessageData(RequestModel):
    type: Literal["supportMessage"] = Field(description="Always `supportMessage`.")
    attributes: MessageAttributes = Field(description="The message.")


class MessageCreationDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MESSAGE_EXAMPLE]})

    data: MessageData = Field(description="The message.")


class StatusAttributes(RequestModel):
    status: TicketStatus = Field(
        description="`in_progress`, `waiting_for_developer`, `resolved` (staff); `open` "
        "(reopen), `in_progress` (answered), `closed` (the developer)."
    )
    comment: Body | None = Field(default=None, description="Kept as a message of the mover.")


class StatusData(RequestModel):
    type: Literal["supportTicketStatus"] = Field(description="Always `supportTicketStatus`.")
    attributes: StatusAttributes = Field(description="The move.")


class StatusDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [STATUS_EXAMPLE]})

    data: StatusData = Field(description="The move.")


# --- answers -------------------------------------------------------------------------------------


class MessageResponseAttributes(BaseModel):
    ticket_id: uuid.UUID
    author_id: uuid.UUID
    author_kind: str = Field(description="`developer` or `support`.")
    body: str
    created_at: datetime


class MessageResource(BaseModel):
    type: Literal["supportMessage"] = "supportMessage"
    id: uuid.UUID
    attributes: MessageResponseAttributes


class TicketResponseAttributes(BaseModel):
    developer_id: uuid.UUID
    opened_by: uuid.UUID
    submission_id: uuid.UUID | None
    type: str
    priority: str
    subject: str
    description: str
    attachments: list[str]
    status: str
    assignee_id: uuid.UUID | None
    first_response_due_at: datetime
    first_responded_at: datetime | None
    first_response_overdue: bool = Field(
        description="No response from staff yet and `first_response_due_at` has passed."
    )
    resolved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    messages: list[MessageResource] | None = Field(
        default=None, description="Oldest first; in the answer of one ticket only."
    )


class TicketResource(BaseModel):
    type: Literal["supportTicket"] = "supportTicket"
    id: uuid.UUID
    attributes: TicketResponseAttributes
    links: dict[str, str]


class TicketDocument(BaseModel):
    data: TicketResource


class TicketListDocument(BaseModel):
    data: list[TicketResource]
    links: dict[str, str | None] = Field(description="`self` and `next` (null on the last page).")


class MessageDocument(BaseModel):
    data: MessageResource
    meta: dict[str, str] = Field(description="`ticket_status`: the ticket's status after it.")


def message_resource(message: Message) -> MessageResource:
    return MessageResource(
        id=message.id,
        attributes=MessageResponseAttributes(
            ticket_id=message.ticket_id,
            author_id=message.author_id,
            author_kind=message.author_kind.value,
            body=message.body,
            created_at=message.created_at,
        ),
    )


def ticket_resource(
    ticket: Ticket, prefix: str, now: datetime, messages: Sequence[Message] | None = None
) -> TicketResource:
    return TicketResource(
        id=ticket.id,
        attributes=TicketResponseAttributes(
            developer_id=ticket.developer_id,
            opened_by=ticket.opened_by,
            submission_id=ticket.submission_id,
            type=ticket.type.value,
            priority=ticket.priority.value,
            subject=ticket.subject,
            description=ticket.description,
            attachments=list(ticket.attachments),
            status=ticket.status.value,
            assignee_id=ticket.assignee_id,
            first_response_due_at=ticket.first_response_due_at,
            first_responded_at=ticket.first_responded_at,
            first_response_overdue=ticket.response_overdue(now),
            resolved_at=ticket.resolved_at,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            messages=None if messages is None else [message_resource(m) for m in messages],
        ),
        links={"self": f"{prefix}/support/tickets/{ticket.id}"},
    )


def json_response(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )

"""A support ticket (seed 002 "Developer Support Manager", ``SupportRequest``): plain Python.

A member of a developer account opens a ticket for it; support staff take it, answer, ask the
developer, resolve it. The status machine below says who may move a ticket where; messages are
append-only, and a message moves the status the way a support desk's does (staff answering an
open ticket: in progress; the developer answering a question: back in progress).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation
from parovoz_kit.keyset import keyset_cursor, keyset_position

SUBJECT_LIMIT = 200
DESCRIPTION_LIMIT = 10_000
BODY_LIMIT = 10_000
ATTACHMENT_LIMIT = 2000
MAX_ATTACHMENTS = 10


class SupportType(StrEnum):
    TECHNICAL = "technical"
    BUSINESS = "business"
    MARKETING = "marketing"
    LEGAL = "legal"
    MENTORSHIP = "mentorship"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_DEVELOPER = "waiting_for_developer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class AuthorKind(StrEnum):
    """Who acts on a ticket: a member of its developer account, or support staff."""

    DEVELOPER = "developer"
    SUPPORT = "support"


T = TicketStatus
DEVELOPER = frozenset({AuthorKind.DEVELOPER})
SUPPORT = frozenset({AuthorKind.SUPPORT})

#: (from, to) -> who may make that move. Anything else is refused (422).
MOVES: dict[tuple[TicketStatus, TicketStatus], frozenset[AuthorKind]] = {
    # Staff take or answer a ticket.
    (T.OPEN, T.IN_PROGRESS): SUPPORT,
    (T.WAITING_FOR_DEVELOPER, T.IN_PROGRESS): SUPPORT | DEVELOPER,
    # Staff ask the developer something.
    (T.OPEN, T.WAITING_FOR_DEVELOPER): SUPPORT,
    (T.IN_PROGRESS, T.WAITING_FOR_DEVELOPER): SUPPORT,
    # Staff resolve.
    (T.OPEN, T.RESOLVED): SUPPORT,
    (T.IN_PROGRESS, T.RESOLVED): SUPPORT,
    (T.WAITING_FOR_DEVELOPER, T.RESOLVED): SUPPORT,
    # The developer reopens a resolved ticket (within the reopen period).
    (T.RESOLVED, T.OPEN): DEVELOPER,
    # The developer closes their ticket, whatever its state; closed is final.
    (T.OPEN, T.CLOSED): DEVELOPER,
    (T.IN_PROGRESS, T.CLOSED): DEVELOPER,
    (T.WAITING_FOR_DEVELOPER, T.CLOSED): DEVELOPER,
    (T.RESOLVED, T.CLOSED): DEVELOPER,
}


def status_conflict(detail: str, detail_ru: str) -> BusinessRuleViolation:
    return BusinessRuleViolation(detail, code="SUPPORT_TICKET_STATUS_CONFLICT", detail_ru=detail_ru)


@dataclass(frozen=True)
class Message:
    id: uuid.UUID
    ticket_id: uuid.UUID
    author_id: uuid.UUID
    author_kind: AuthorKind
    body: str
    created_at: datetime


@dataclass
class Ticket:
    id: uuid.UUID
    developer_id: uuid.UUID
    opened_by: uuid.UUID
    type: SupportType
    priority: Priority
    subject: str
    description: str
    status: TicketStatus
    first_response_due_at: datetime
    created_at: datetime
    updated_at: datetime
    submission_id: uuid.UUID | None = None
    attachments: tuple[str, ...] = ()
    assignee_id: uuid.UUID | None = None
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    #: Only the messages written in this unit of work (the repository appends them).
    new_messages: list[Message] = field(default_factory=list)

    def move(
        self,
        target: TicketStatus,
        by: AuthorKind,
        now: datetime,
        reopen_period: timedelta,
        *,
        author_id: uuid.UUID | None = None,
        comment: str | None = None,
    ) -> Message | None:
        """Move to ``target`` if ``by`` may (``MOVES``); a resolved ticket reopens only within
        ``reopen_period`` of its resolution. Refused: 422 ``SUPPORT_TICKET_STATUS_CONFLICT``.
        A ``comment`` is kept as a message of ``author_id`` without moving the status again (a
        question asked with ``waiting_for_developer`` keeps the ticket waiting); staff's
        comment is a response."""
        allowed = MOVES.get((self.status, target), frozenset())
        if by not in allowed:
            who = "support staff" if by is AuthorKind.SUPPORT else "the developer"
            who_ru = "сотрудник поддержки" if by is AuthorKind.SUPPORT else "разработчик"
            raise status_conflict(
                f"A ticket cannot go from {self.status.value} to {target.value} by {who}.",
                f"Обращение нельзя перевести из статуса {self.status.value} в {target.value}: "
                f"это действие недоступно (действует {who_ru}).",
            )
        if (self.status, target) == (T.RESOLVED, T.OPEN):
            resolved = self.resolved_at or self.updated_at
            if now > resolved + reopen_period:
                days = reopen_period.days
                raise status_conflict(
                    f"A resolved ticket can be reopened within {days} days of its resolution; "
                    "that time has passed: open a new ticket.",
                    f"Решённое обращение можно открыть заново в течение {days} дней после "
                    "решения; этот срок истёк: создайте новое обращение.",
                )
        if target is T.RESOLVED:
            self.resolved_at = now
        elif target is T.OPEN:
            self.resolved_at = None
        self.status = target
        self.updated_at = now
        if not comment or author_id is None:
            return None
        if by is AuthorKind.SUPPORT and self.first_responded_at is None:
            self.first_responded_at = now
        return self._append(author_id, by, comment, now)

    def _append(self, author_id: uuid.UUID, kind: AuthorKind, body: str, now: datetime) -> Message:
        message = Message(uuid.uuid4(), self.id, author_id, kind, body, now)
        self.new_messages.append(message)
        self.updated_at = now
        return message

    def write(self, author_id: uuid.UUID, kind: AuthorKind, body: str, now: datetime) -> Message:
        """Append a message. Staff answering: the first response is recorded, and an open ticket
        is in progress. The developer answering a question: back in progress. A closed ticket
        takes no message; a resolved one none from the developer (reopen it first)."""
        if self.status is T.CLOSED:
            raise status_conflict(
                "A closed ticket takes no more messages; open a new ticket.",
                "Закрытое обращение не принимает сообщений: создайте новое обращение.",
            )
        if self.status is T.RESOLVED and kind is AuthorKind.DEVELOPER:
            raise status_conflict(
                "This ticket is resolved: reopen it (status open) to write again.",
                "Обращение решено: чтобы написать снова, откройте его заново (статус open).",
            )
        if kind is AuthorKind.SUPPORT:
            if self.first_responded_at is None:
                self.first_responded_at = now
            if self.status is T.OPEN:
                self.status = T.IN_PROGRESS
        elif self.status is T.WAITING_FOR_DEVELOPER:
            self.status = T.IN_PROGRESS
        return self._append(author_id, kind, body, now)

    def take(self, staff_id: uuid.UUID, now: datetime) -> None:
        """A support user takes the ticket (assigns it to themselves; taking it over from a
        colleague is allowed): an open ticket is in progress. Resolved or closed: 422."""
        if self.status in (T.RESOLVED, T.CLOSED):
            raise status_conflict(
                f"A {self.status.value} ticket cannot be taken.",
                f"Обращение в статусе {self.status.value} нельзя взять в работу.",
            )
        self.assignee_id = staff_id
        if self.status is T.OPEN:
            self.status = T.IN_PROGRESS
        self.updated_at = now

    def response_overdue(self, now: datetime) -> bool:
        """No first response from staff and the due time passed."""
        return self.first_responded_at is None and now > self.first_response_due_at


@dataclass(frozen=True)
class TicketFilter:
    developer_id: uuid.UUID | None = None
    statuses: Collection[TicketStatus] = ()
    types: Collection[SupportType] = ()
    priorities: Collection[Priority] = ()
    assignee_id: uuid.UUID | None = None
    #: Only tickets nobody has taken (``filter[assignee]=none``).
    unassigned: bool = False


@dataclass(frozen=True)
class TicketPosition:
    """Where a page of tickets starts: after the ticket with ``moment`` (its creation time,
    or its first-response due time for ``sort=due``) and id ``ticket_id``."""

    sort: str
    moment: datetime
    ticket_id: uuid.UUID

    @classmethod
    def after(cls, ticket: Ticket, sort: str) -> TicketPosition:
        moment = ticket.first_response_due_at if sort == "due" else ticket.created_at
        return cls(sort, moment, ticket.id)

    def cursor(self) -> str:
        return keyset_cursor(self.moment, self.ticket_id, kind=self.sort)

    @classmethod
    def of_cursor(cls, cursor: str, sort: str) -> TicketPosition:
        """The position a cursor of a previous page of the same ``sort`` names; else 400
        ``INVALID_PAGE_CURSOR``."""
        return cls(sort, *keyset_position(cursor, kind=sort))

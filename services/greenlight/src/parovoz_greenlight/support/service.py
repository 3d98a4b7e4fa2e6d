"""Support's use cases: open a ticket, list tickets, read one with its messages, write a
message, take a ticket, move its status. One async function per action, over the unit of work.

Who: a member (any role) of the ticket's developer account, as developer-portal answers it
(submissions' ``Developers`` port), acts as the developer; a user with the platform role
``support`` or ``admin`` acts as support staff and sees every ticket. Anyone else gets 404 for a
ticket (its existence is not revealed) and 403 for staff lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from parovoz_kit.errors import BusinessRuleViolation, NotFound, PermissionDenied

from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.submissions.domain import Submission
from parovoz_greenlight.submissions.service import Developers, Membership
from parovoz_greenlight.support.domain import (
    AuthorKind,
    Message,
    Priority,
    SupportType,
    Ticket,
    TicketFilter,
    TicketPosition,
    TicketStatus,
)
from parovoz_greenlight.support.rules import SupportRules

#: Platform roles that work the support desk (see and act on every ticket).
STAFF_ROLES = frozenset({"support", "admin"})
SORTS = ("newest", "due")


# --- ports ---------------------------------------------------------------------------------------


class TicketStore(Protocol):
    """``uow.support`` (``repository.SqlSupport``)."""

    async def add(self, ticket: Ticket) -> None: ...
    async def get(self, ticket_id: uuid.UUID, *, for_update: bool = False) -> Ticket | None: ...
    async def save(self, ticket: Ticket) -> None:
        """The ticket's changes and its ``new_messages`` (appended)."""
        ...

    async def messages(self, ticket_id: uuid.UUID) -> list[Message]: ...
    async def page(
        self,
        where: TicketFilter,
        *,
        sort: str,
        after: TicketPosition | None,
        limit: int,
    ) -> list[Ticket]: ...


class SubmissionStore(Protocol):
    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...


class SupportUnitOfWork(UnitOfWorkPort, Protocol):
    @property
    def support(self) -> TicketStore: ...
    @property
    def submissions(self) -> SubmissionStore: ...


@dataclass(frozen=True)
class Caller:
    user_id: uuid.UUID
    roles: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        return not self.roles.isdisjoint(STAFF_ROLES)


# --- errors --------------------------------------------------------------------------------------


def ticket_not_found(ticket_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Support ticket {ticket_id} does not exist.",
        code="SUPPORT_TICKET_NOT_FOUND",
        detail_ru=f"Обращение в поддержку {ticket_id} не найдено.",
    )


def _not_a_member() -> PermissionDenied:
    return PermissionDenied(
        "Only a member of the developer account may open or read its support tickets.",
        code="DEVELOPER_MEMBERSHIP_REQUIRED",
        detail_ru="Открывать и читать обращения аккаунта разработчика может только участник "
        "его команды.",
    )


def _staff_only(what: str, what_ru: str) -> PermissionDenied:
    return PermissionDenied(
        f"{what} is for support staff (platform role support or admin).",
        detail_ru=f"{what_ru}: только для сотрудников поддержки (роль support или admin).",
    )


# --- opening -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTicket:
    developer_id: uuid.UUID
    type: SupportType
    priority: Priority
    subject: str
    description: str
    submission_id: uuid.UUID | None = None
    attachments: tuple[str, ...] = field(default=())


async def _member(
    developers: Developers, user_id: uuid.UUID, developer_id: uuid.UUID
) -> Membership | None:
    membership = await developers.membership(user_id, developer_id)
    if membership is None or membership.developer_id != developer_id:
        return None
    return membership


async def open_ticket(
    uow: SupportUnitOfWork,
    developers: Developers,
    caller: Caller,
    new: NewTicket,
    rules: SupportRules,
    now: datetime,
) -> Ticket:
    """A member (any role) of an ACTIVE developer account opens a ticket for it (403
    ``DEVELOPER_MEMBERSHIP_REQUIRED``, 422 ``DEVELOPER_ACCOUNT_NOT_ACTIVE``). A submission it
    names must be one of that account's (422 ``SUBMISSION_NOT_FOUND`` otherwise, whether it
    does not exist or is someone else's). The first response is due by the priority's time."""
    membership = await _member(developers, caller.user_id, new.developer_id)
    if membership is None:
        raise _not_a_member()
    if membership.account_status != "active":
        raise BusinessRuleViolation(
            f"The developer account is {membership.account_status or 'not active'}: only an "
            "active account may open support tickets.",
            code="DEVELOPER_ACCOUNT_NOT_ACTIVE",
            detail_ru="Аккаунт разработчика не активен: обращаться в поддержку может только "
            "активный аккаунт (завершите верификацию).",
            pointer="/data/attributes/developer_id",
        )
    if new.submission_id is not None:
        submission = await uow.submissions.get(new.submission_id)
        if submission is None or submission.developer_id != new.developer_id:
            raise BusinessRuleViolation(
                f"Submission {new.submission_id} is not a submission of this developer account.",
                code="SUBMISSION_NOT_FOUND",
                detail_ru=f"Заявка {new.submission_id} не найдена среди заявок этого аккаунта "
                "разработчика.",
                pointer="/data/attributes/submission_id",
            )
    ticket = Ticket(
        id=uuid.uuid4(),
        developer_id=new.developer_id,
        opened_by=caller.user_id,
        type=new.type,
        priority=new.priority,
        subject=new.subject,
        description=new.description,
        status=TicketStatus.OPEN,
        first_response_due_at=now + rules.first_response_within(new.priority),
        created_at=now,
        updated_at=now,
        submission_id=new.submission_id,
        attachments=new.attachments,
    )
    await uow.support.add(ticket)
    await uow.commit()
    return ticket


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    messages: Sequence[Message]


async def _acting(
    uow: SupportUnitOfWork,
    developers: Developers,
    ticket_id: uuid.UUID,
    caller: Caller,
    *,
    for_update: bool = False,
) -> tuple[Ticket, AuthorKind]:
    """The ticket and whether the caller acts on it as support or as the developer; anyone
    else: 404 ``SUPPORT_TICKET_NOT_FOUND``, like an unknown ticket."""
    ticket = await uow.support.get(ticket_id, for_update=for_update)
    if ticket is None:
        raise ticket_not_found(ticket_id)
    if caller.is_staff:
        return ticket, AuthorKind.SUPPORT
    if await _member(developers, caller.user_id, ticket.developer_id) is None:
        raise ticket_not_found(ticket_id)
    return ticket, AuthorKind.DEVELOPER


async def view_ticket(
    uow: SupportUnitOfWork, developers: Developers, ticket_id: uuid.UUID, caller: Caller
) -> TicketView:
    """The ticket with its messages, oldest first."""
    ticket, _ = await _acting(uow, developers, ticket_id, caller)
    return TicketView(ticket, await uow.support.messages(ticket_id))


@dataclass(frozen=True)
class TicketPage:
    tickets: Sequence[Ticket]
    next_cursor: str | None


async def list_tickets(
    uow: SupportUnitOfWork,
    developers: Developers,
    caller: Caller,
    where: TicketFilter,
    *,
    sort: str,
    cursor: str | None,
    size: int,
) -> TicketPage:
    """Newest first (``sort=newest``) or, for staff, first response due first (``sort=due``).
    Staff see every account's tickets; a developer names their account
    (``filter[developer_id]``): without it, or with ``sort=due``, the list is staff's (403);
    another account's: 403 ``DEVELOPER_MEMBERSHIP_REQUIRED``."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if not caller.is_staff:
        if where.developer_id is None:
            raise _staff_only(
                "The list of every account's tickets (name your account in filter[developer_id])",
                "Список обращений всех аккаунтов (укажите свой аккаунт в filter[developer_id])",
            )
        if sort == "due":
            raise _staff_only("Sorting by the first response due", "Сортировка по сроку ответа")
        if await _member(developers, caller.user_id, where.developer_id) is None:
            raise _not_a_member()
    after = TicketPosition.of_cursor(cursor, sort) if cursor else None
    found = await uow.support.page(where, sort=sort, after=after, limit=size + 1)
    if len(found) > size:
        return TicketPage(found[:size], TicketPosition.after(found[size - 1], sort).cursor())
    return TicketPage(found, None)


# --- acting --------------------------------------------------------------------------------------


async def write_message(
    uow: SupportUnitOfWork,
    developers: Developers,
    ticket_id: uuid.UUID,
    caller: Caller,
    body: str,
    now: datetime,
) -> tuple[Ticket, Message]:
    """Append a message as the developer or as support (the domain moves the status)."""
    ticket, kind = await _acting(uow, developers, ticket_id, caller, for_update=True)
    message = ticket.write(caller.user_id, kind, body, now)
    await uow.support.save(ticket)
    await uow.commit()
    return ticket, message


async def take_ticket(
    uow: SupportUnitOfWork,
    developers: Developers,
    ticket_id: uuid.UUID,
    caller: Caller,
    now: datetime,
) -> Ticket:
    """Support staff assign the ticket to themselves (a developer of the account: 403)."""
    ticket, kind = await _acting(uow, developers, ticket_id, caller, for_update=True)
    if kind is not AuthorKind.SUPPORT:
        raise _staff_only("Taking a ticket", "Брать обращения в работу")
    ticket.take(caller.user_id, now)
    await uow.support.save(ticket)
    await uow.commit()
    return ticket


async def change_status(
    uow: SupportUnitOfWork,
    developers: Developers,
    ticket_id: uuid.UUID,
    caller: Caller,
    target: TicketStatus,
    comment: str | None,
    rules: SupportRules,
    now: datetime,
) -> TicketView:
    """Move the ticket (the domain says who may, 422 ``SUPPORT_TICKET_STATUS_CONFLICT``); a
    comment is kept as a message of the mover."""
    ticket, kind = await _acting(uow, developers, ticket_id, caller, for_update=True)
    ticket.move(target, kind, now, rules.reopen_period, author_id=caller.user_id, comment=comment)
    await uow.support.save(ticket)
    await uow.commit()
    return TicketView(ticket, await uow.support.messages(ticket_id))

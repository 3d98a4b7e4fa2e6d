"""Support's use cases over an in-memory unit of work and a fake developer-portal: who may
open (any member of an active account), the submission reference checked against the account,
due times, who sees a ticket (404 otherwise) and staff lists (403), what writing, taking and
moving do, and that each writing use case commits once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_events.base import EventData
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.submissions.service import GameOwner, Membership
from parovoz_greenlight.support import service
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
from parovoz_greenlight.support.service import Caller, NewTicket
from parovoz_kit.errors import BusinessRuleViolation, NotFound, PermissionDenied

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULES = SupportRules(
    urgent_response=timedelta(hours=4),
    high_response=timedelta(hours=24),
    normal_response=timedelta(hours=72),
    low_response=timedelta(hours=168),
    reopen_period=timedelta(days=14),
    default_page_size=20,
    max_page_size=100,
)
T = TicketStatus


class MemoryTickets:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Ticket] = {}
        self.written: list[Message] = []

    async def add(self, ticket: Ticket) -> None:
        self.rows[ticket.id] = ticket
        self.written.extend(ticket.new_messages)
        ticket.new_messages = []

    async def get(self, ticket_id: uuid.UUID, *, for_update: bool = False) -> Ticket | None:
        return self.rows.get(ticket_id)

    async def save(self, ticket: Ticket) -> None:
        self.rows[ticket.id] = ticket
        self.written.extend(ticket.new_messages)
        ticket.new_messages = []

    async def messages(self, ticket_id: uuid.UUID) -> list[Message]:
        return [m for m in self.written if m.ticket_id == ticket_id]

    async def page(
        self, where: TicketFilter, *, sort: str, after: TicketPosition | None, limit: int
    ) -> list[Ticket]:
        found = [
            t
            for t in self.rows.values()
            if (where.developer_id is None or t.developer_id == where.developer_id)
            and (not where.statuses or t.status in where.statuses)
        ]
        if sort == "due":
            found.sort(key=lambda t: (t.first_response_due_at, t.id))
            if after:
                found = [
                    t
                    for t in found
                    if (t.first_response_due_at, t.id) > (after.moment, after.ticket_id)
                ]
        else:
            found.sort(key=lambda t: (t.created_at, t.id), reverse=True)
            if after:
                found = [t for t in found if (t.created_at, t.id) < (after.moment, after.ticket_id)]
        return found[:limit]


class MemorySubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        return self.rows.get(submission_id)


class MemoryUow:
    def __init__(self) -> None:
        self.support = MemoryTickets()
        self.submissions = MemorySubmissions()
        self.events: list[EventData] = []
        self.commits = 0

    def emit(self, event: EventData, **_: Any) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        self.commits += 1


class FakePortal:
    """developer-portal's GetDeveloper: (user, account) -> membership."""

    def __init__(self) -> None:
        self.members: dict[tuple[uuid.UUID, uuid.UUID], Membership] = {}
        self.asked: list[tuple[uuid.UUID, uuid.UUID | None]] = []

    def join(
        self, user_id: uuid.UUID, developer_id: uuid.UUID, role: str, status: str = "active"
    ) -> None:
        self.members[(user_id, developer_id)] = Membership(developer_id, role, status)

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        self.asked.append((user_id, developer_id))
        if developer_id is None:
            return next((m for (u, _), m in self.members.items() if u == user_id), None)
        return self.members.get((user_id, developer_id))

    async def game_owner(self, game_id: uuid.UUID) -> GameOwner | None:
        return None


class Desk:
    """An account with an owner and a viewer, a staff member, a stranger."""

    def __init__(self) -> None:
        self.uow = MemoryUow()
        self.portal = FakePortal()
        self.developer_id = uuid.uuid4()
        self.owner, self.viewer = uuid.uuid4(), uuid.uuid4()
        self.portal.join(self.owner, self.developer_id, "owner")
        self.portal.join(self.viewer, self.developer_id, "viewer")
        self.staff = Caller(uuid.uuid4(), frozenset({"support"}))
        self.stranger = Caller(uuid.uuid4())

    async def open(self, caller: Caller | None = None, **changes: Any) -> Ticket:
        values: dict[str, Any] = {
            "developer_id": self.developer_id,
            "type": SupportType.TECHNICAL,
            "priority": Priority.NORMAL,
            "subject": "Сборка",
            "description": "Не грузится.",
            **changes,
        }
        return await service.open_ticket(
            self.uow, self.portal, caller or Caller(self.owner), NewTicket(**values), RULES, NOW
        )


def a_submission(developer_id: uuid.UUID) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=developer_id,
        submitted_by=uuid.uuid4(),
        title="Дорога",
        description="Приключение.",
        status=SubmissionStatus.DRAFT,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("role", ["owner", "admin", "editor", "finance", "viewer"])
async def test_any_member_of_an_active_account_opens_a_ticket(role: str) -> None:
    desk = Desk()
    member = uuid.uuid4()
    desk.portal.join(member, desk.developer_id, role)
    ticket = await desk.open(Caller(member), priority=Priority.HIGH)
    assert ticket.status is T.OPEN and ticket.opened_by == member
    assert ticket.first_response_due_at == NOW + timedelta(hours=24)
    assert desk.uow.support.rows[ticket.id] is ticket and desk.uow.commits == 1
    assert desk.portal.asked == [(member, desk.developer_id)]


@pytest.mark.parametrize("priority", list(Priority))
async def test_the_first_response_is_due_by_the_priority(priority: Priority) -> None:
    ticket = await Desk().open(priority=priority)
    assert ticket.first_response_due_at - ticket.created_at == RULES.first_response_within(priority)


async def test_a_non_member_cannot_open_for_the_account() -> None:
    desk = Desk()
    other_account = uuid.uuid4()
    desk.portal.join(desk.stranger.user_id, other_account, "owner")
    with pytest.raises(PermissionDenied) as refused:
        await desk.open(desk.stranger)
    assert refused.value.code == "DEVELOPER_MEMBERSHIP_REQUIRED"
    assert desk.uow.support.rows == {} and desk.uow.commits == 0


@pytest.mark.parametrize("status", ["pending_verification", "suspended", ""])
async def test_an_account_not_active_cannot_open(status: str) -> None:
    desk = Desk()
    desk.portal.join(desk.owner, desk.developer_id, "owner", status)
    with pytest.raises(BusinessRuleViolation) as refused:
        await desk.open()
    assert refused.value.code == "DEVELOPER_ACCOUNT_NOT_ACTIVE"
    assert desk.uow.support.rows == {}


async def test_the_submission_must_be_one_of_the_account() -> None:
    desk = Desk()
    own, foreign = a_submission(desk.developer_id), a_submission(uuid.uuid4())
    desk.uow.submissions.rows = {own.id: own, foreign.id: foreign}
    ticket = await desk.open(submission_id=own.id)
    assert ticket.submission_id == own.id
    for refused_id in (foreign.id, uuid.uuid4()):
        with pytest.raises(BusinessRuleViolation) as refused:
            await desk.open(submission_id=refused_id)
        assert refused.value.code == "SUBMISSION_NOT_FOUND"
        assert refused.value.pointer == "/data/attributes/submission_id"
    assert list(desk.uow.support.rows) == [ticket.id]


async def test_who_sees_a_ticket() -> None:
    desk = Desk()
    ticket = await desk.open()
    for caller in (
        Caller(desk.owner),
        Caller(desk.viewer),
        desk.staff,
        Caller(uuid.uuid4(), frozenset({"admin"})),
    ):
        view = await service.view_ticket(desk.uow, desk.portal, ticket.id, caller)
        assert view.ticket.id == ticket.id
    for caller in (desk.stranger, Caller(uuid.uuid4(), frozenset({"moderator", "curator"}))):
        with pytest.raises(NotFound) as hidden:
            await service.view_ticket(desk.uow, desk.portal, ticket.id, caller)
        assert hidden.value.code == "SUPPORT_TICKET_NOT_FOUND"
    with pytest.raises(NotFound):
        await service.view_ticket(desk.uow, desk.portal, uuid.uuid4(), desk.staff)


async def test_a_stranger_can_do_nothing_to_a_ticket() -> None:
    desk = Desk()
    ticket = await desk.open()
    commits = desk.uow.commits
    for act in (
        service.write_message(desk.uow, desk.portal, ticket.id, desk.stranger, "Эй", NOW),
        service.take_ticket(desk.uow, desk.portal, ticket.id, desk.stranger, NOW),
        service.change_status(
            desk.uow, desk.portal, ticket.id, desk.stranger, T.CLOSED, None, RULES, NOW
        ),
    ):
        with pytest.raises(NotFound):
            await act
    assert ticket.status is T.OPEN and desk.uow.commits == commits
    assert desk.uow.support.written == []


async def test_the_whole_conversation() -> None:
    desk = Desk()
    ticket = await desk.open()
    later = NOW + timedelta(hours=1)
    taken = await service.take_ticket(desk.uow, desk.portal, ticket.id, desk.staff, later)
    assert taken.assignee_id == desk.staff.user_id and taken.status is T.IN_PROGRESS
    view = await service.change_status(
        desk.uow,
        desk.portal,
        ticket.id,
        desk.staff,
        T.WAITING_FOR_DEVELOPER,
        "Версия?",
        RULES,
        later,
    )
    assert view.ticket.status is T.WAITING_FOR_DEVELOPER
    assert view.ticket.first_responded_at == later
    assert [m.body for m in view.messages] == ["Версия?"]
    answered, message = await service.write_message(
        desk.uow, desk.portal, ticket.id, Caller(desk.viewer), "1.2.0", later
    )
    assert answered.status is T.IN_PROGRESS and message.author_kind is AuthorKind.DEVELOPER
    resolved = await service.change_status(
        desk.uow, desk.portal, ticket.id, desk.staff, T.RESOLVED, None, RULES, later
    )
    assert resolved.ticket.status is T.RESOLVED
    reopened = await service.change_status(
        desk.uow,
        desk.portal,
        ticket.id,
        Caller(desk.owner),
        T.OPEN,
        "Снова падает",
        RULES,
        later + RULES.reopen_period,
    )
    assert reopened.ticket.status is T.OPEN
    assert [(m.author_kind, m.body) for m in reopened.messages] == [
        (AuthorKind.SUPPORT, "Версия?"),
        (AuthorKind.DEVELOPER, "1.2.0"),
        (AuthorKind.DEVELOPER, "Снова падает"),
    ]
    assert desk.uow.commits == 6


async def test_a_member_cannot_take_a_ticket_and_staff_act_as_support() -> None:
    desk = Desk()
    ticket = await desk.open()
    with pytest.raises(PermissionDenied):
        await service.take_ticket(desk.uow, desk.portal, ticket.id, Caller(desk.owner), NOW)
    # A support user who is also a member of the account acts as support.
    desk.portal.join(desk.staff.user_id, desk.developer_id, "viewer")
    _, message = await service.write_message(
        desk.uow, desk.portal, ticket.id, desk.staff, "Смотрим", NOW
    )
    assert message.author_kind is AuthorKind.SUPPORT
    assert desk.uow.support.rows[ticket.id].status is T.IN_PROGRESS


async def test_a_refused_move_commits_nothing() -> None:
    desk = Desk()
    ticket = await desk.open()
    commits = desk.uow.commits
    with pytest.raises(BusinessRuleViolation) as refused:
        await service.change_status(
            desk.uow, desk.portal, ticket.id, Caller(desk.owner), T.RESOLVED, "Готово", RULES, NOW
        )
    assert refused.value.code == "SUPPORT_TICKET_STATUS_CONFLICT"
    assert desk.uow.commits == commits and desk.uow.support.written == []


async def test_lists_for_members_and_for_staff() -> None:
    desk = Desk()
    opened = []
    for hours, priority in enumerate((Priority.LOW, Priority.URGENT, Priority.NORMAL)):
        opened.append(
            await service.open_ticket(
                desk.uow,
                desk.portal,
                Caller(desk.owner),
                NewTicket(desk.developer_id, SupportType.LEGAL, priority, "Тема", "Описание"),
                RULES,
                NOW + timedelta(hours=hours),
            )
        )
    elsewhere = Desk()
    elsewhere.uow = desk.uow
    await elsewhere.open()
    mine = TicketFilter(developer_id=desk.developer_id)

    first = await service.list_tickets(
        desk.uow, desk.portal, Caller(desk.viewer), mine, sort="newest", cursor=None, size=2
    )
    assert [t.id for t in first.tickets] == [opened[2].id, opened[1].id]
    assert first.next_cursor is not None
    rest = await service.list_tickets(
        desk.uow,
        desk.portal,
        Caller(desk.viewer),
        mine,
        sort="newest",
        cursor=first.next_cursor,
        size=2,
    )
    assert [t.id for t in rest.tickets] == [opened[0].id] and rest.next_cursor is None

    due = await service.list_tickets(
        desk.uow, desk.portal, desk.staff, mine, sort="due", cursor=None, size=10
    )
    assert [t.id for t in due.tickets] == [opened[1].id, opened[2].id, opened[0].id]
    everyone = await service.list_tickets(
        desk.uow, desk.portal, desk.staff, TicketFilter(), sort="newest", cursor=None, size=10
    )
    assert len(everyone.tickets) == 4

    for caller, where, sort, code in (
        (Caller(desk.owner), TicketFilter(), "newest", "PERMISSION_DENIED"),
        (Caller(desk.owner), mine, "due", "PERMISSION_DENIED"),
        (desk.stranger, mine, "newest", "DEVELOPER_MEMBERSHIP_REQUIRED"),
    ):
        with pytest.raises(PermissionDenied) as refused:
            await service.list_tickets(
                desk.uow, desk.portal, caller, where, sort=sort, cursor=None, size=10
            )
        assert refused.value.code == code

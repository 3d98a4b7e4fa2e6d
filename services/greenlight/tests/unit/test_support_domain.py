"""The support ticket's status machine: every move, allowed or refused, for staff and for the
developer; the reopen period at its boundary; what a message and taking a ticket do to the
status; first-response due times by priority; the page cursor."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.support.domain import (
    MOVES,
    AuthorKind,
    Priority,
    SupportType,
    Ticket,
    TicketPosition,
    TicketStatus,
)
from parovoz_greenlight.support.rules import SupportRules
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

T = TicketStatus
DEV = AuthorKind.DEVELOPER
STAFF = AuthorKind.SUPPORT
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REOPEN = timedelta(days=14)

#: Who may make which move, written out once more by hand (the table under test is MOVES).
EXPECTED: dict[tuple[TicketStatus, TicketStatus], set[AuthorKind]] = {
    (T.OPEN, T.IN_PROGRESS): {STAFF},
    (T.OPEN, T.WAITING_FOR_DEVELOPER): {STAFF},
    (T.OPEN, T.RESOLVED): {STAFF},
    (T.OPEN, T.CLOSED): {DEV},
    (T.IN_PROGRESS, T.WAITING_FOR_DEVELOPER): {STAFF},
    (T.IN_PROGRESS, T.RESOLVED): {STAFF},
    (T.IN_PROGRESS, T.CLOSED): {DEV},
    (T.WAITING_FOR_DEVELOPER, T.IN_PROGRESS): {STAFF, DEV},
    (T.WAITING_FOR_DEVELOPER, T.RESOLVED): {STAFF},
    (T.WAITING_FOR_DEVELOPER, T.CLOSED): {DEV},
    (T.RESOLVED, T.OPEN): {DEV},
    (T.RESOLVED, T.CLOSED): {DEV},
}


def a_ticket(status: TicketStatus = T.OPEN, **changes: object) -> Ticket:
    ticket = Ticket(
        id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        opened_by=uuid.uuid4(),
        type=SupportType.TECHNICAL,
        priority=Priority.NORMAL,
        subject="Сборка не загружается",
        description="Обрыв на 80 %.",
        status=status,
        first_response_due_at=NOW + timedelta(hours=72),
        created_at=NOW,
        updated_at=NOW,
        resolved_at=NOW if status is T.RESOLVED else None,
    )
    for name, value in changes.items():
        setattr(ticket, name, value)
    return ticket


def test_the_table_is_the_one_intended() -> None:
    assert {move: set(who) for move, who in MOVES.items()} == EXPECTED


ALL_MOVES = [
    (source, target, who)
    for source, target in itertools.product(TicketStatus, TicketStatus)
    for who in AuthorKind
]


@pytest.mark.parametrize(("source", "target", "who"), ALL_MOVES)
def test_every_move_is_allowed_or_refused(
    source: TicketStatus, target: TicketStatus, who: AuthorKind
) -> None:
    ticket = a_ticket(source)
    later = NOW + timedelta(hours=1)
    if who in EXPECTED.get((source, target), set()):
        ticket.move(target, who, later, REOPEN)
        assert ticket.status is target
        assert ticket.updated_at == later
    else:
        with pytest.raises(BusinessRuleViolation) as refused:
            ticket.move(target, who, later, REOPEN)
        assert refused.value.code == "SUPPORT_TICKET_STATUS_CONFLICT"
        assert ticket.status is source and ticket.updated_at == NOW


def test_a_closed_ticket_is_final() -> None:
    assert not [move for move in MOVES if move[0] is T.CLOSED]


def test_resolving_records_when_and_reopening_clears_it() -> None:
    ticket = a_ticket(T.IN_PROGRESS)
    resolved_at = NOW + timedelta(days=1)
    ticket.move(T.RESOLVED, STAFF, resolved_at, REOPEN)
    assert ticket.resolved_at == resolved_at
    ticket.move(T.OPEN, DEV, resolved_at + REOPEN, REOPEN)  # the last instant is in
    assert ticket.status is T.OPEN and ticket.resolved_at is None


def test_reopening_after_the_period_is_refused() -> None:
    ticket = a_ticket(T.IN_PROGRESS)
    ticket.move(T.RESOLVED, STAFF, NOW, REOPEN)
    with pytest.raises(BusinessRuleViolation) as refused:
        ticket.move(T.OPEN, DEV, NOW + REOPEN + timedelta(microseconds=1), REOPEN)
    assert refused.value.code == "SUPPORT_TICKET_STATUS_CONFLICT"
    assert "14" in str(refused.value.detail_ru)
    assert ticket.status is T.RESOLVED
    ticket.move(T.CLOSED, DEV, NOW + REOPEN * 2, REOPEN)  # closing stays possible
    assert ticket.status is T.CLOSED


def test_a_comment_is_kept_and_a_staff_comment_is_the_first_response() -> None:
    ticket = a_ticket(T.IN_PROGRESS)
    staff_id = uuid.uuid4()
    later = NOW + timedelta(hours=2)
    message = ticket.move(
        T.WAITING_FOR_DEVELOPER, STAFF, later, REOPEN, author_id=staff_id, comment="Версия?"
    )
    assert message is not None and message.author_kind is STAFF and message.body == "Версия?"
    assert ticket.status is T.WAITING_FOR_DEVELOPER  # the question keeps it waiting
    assert ticket.first_responded_at == later
    assert ticket.new_messages == [message]
    quiet = a_ticket(T.OPEN)
    assert quiet.move(T.RESOLVED, STAFF, later, REOPEN) is None
    assert quiet.first_responded_at is None and quiet.new_messages == []


def test_a_developers_closing_comment_is_no_response() -> None:
    ticket = a_ticket(T.OPEN)
    ticket.move(T.CLOSED, DEV, NOW, REOPEN, author_id=ticket.opened_by, comment="Само прошло")
    assert ticket.status is T.CLOSED and ticket.first_responded_at is None
    assert [m.author_kind for m in ticket.new_messages] == [DEV]


@pytest.mark.parametrize(
    ("status", "who", "after"),
    [
        (T.OPEN, STAFF, T.IN_PROGRESS),
        (T.IN_PROGRESS, STAFF, T.IN_PROGRESS),
        (T.WAITING_FOR_DEVELOPER, STAFF, T.WAITING_FOR_DEVELOPER),
        (T.RESOLVED, STAFF, T.RESOLVED),
        (T.OPEN, DEV, T.OPEN),
        (T.IN_PROGRESS, DEV, T.IN_PROGRESS),
        (T.WAITING_FOR_DEVELOPER, DEV, T.IN_PROGRESS),
    ],
)
def test_a_message_moves_the_status_like_a_desk(
    status: TicketStatus, who: AuthorKind, after: TicketStatus
) -> None:
    ticket = a_ticket(status)
    later = NOW + timedelta(minutes=5)
    message = ticket.write(uuid.uuid4(), who, "Текст", later)
    assert ticket.status is after
    assert ticket.new_messages == [message] and message.created_at == later
    assert ticket.first_responded_at == (later if who is STAFF else None)


def test_the_first_response_is_recorded_once() -> None:
    ticket = a_ticket(T.OPEN)
    ticket.write(uuid.uuid4(), STAFF, "Смотрим", NOW + timedelta(hours=1))
    ticket.write(uuid.uuid4(), STAFF, "Нашли", NOW + timedelta(hours=5))
    assert ticket.first_responded_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "who"),
    [(T.CLOSED, DEV), (T.CLOSED, STAFF), (T.RESOLVED, DEV)],
)
def test_messages_refused(status: TicketStatus, who: AuthorKind) -> None:
    ticket = a_ticket(status)
    with pytest.raises(BusinessRuleViolation) as refused:
        ticket.write(uuid.uuid4(), who, "Текст", NOW)
    assert refused.value.code == "SUPPORT_TICKET_STATUS_CONFLICT"
    assert ticket.new_messages == []


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (T.OPEN, T.IN_PROGRESS),
        (T.IN_PROGRESS, T.IN_PROGRESS),
        (T.WAITING_FOR_DEVELOPER, T.WAITING_FOR_DEVELOPER),
    ],
)
def test_taking_a_ticket(status: TicketStatus, after: TicketStatus) -> None:
    colleague, staff_id = uuid.uuid4(), uuid.uuid4()
    ticket = a_ticket(status, assignee_id=colleague)
    ticket.take(staff_id, NOW)
    assert ticket.assignee_id == staff_id and ticket.status is after


@pytest.mark.parametrize("status", [T.RESOLVED, T.CLOSED])
def test_a_finished_ticket_cannot_be_taken(status: TicketStatus) -> None:
    ticket = a_ticket(status)
    with pytest.raises(BusinessRuleViolation):
        ticket.take(uuid.uuid4(), NOW)
    assert ticket.assignee_id is None


def test_first_response_due_times_from_the_settings_defaults() -> None:
    rules: SupportRules = GreenlightSettings(environment="test").support_rules()
    hours = {p: rules.first_response_within(p) / timedelta(hours=1) for p in Priority}
    assert hours == {Priority.URGENT: 4, Priority.HIGH: 24, Priority.NORMAL: 72, Priority.LOW: 168}
    assert rules.reopen_period == timedelta(days=14)


def test_overdue_means_no_first_response_past_the_due_time() -> None:
    ticket = a_ticket()
    due = ticket.first_response_due_at
    assert not ticket.response_overdue(due)
    assert ticket.response_overdue(due + timedelta(seconds=1))
    ticket.write(uuid.uuid4(), STAFF, "Ответ", due + timedelta(seconds=2))
    assert not ticket.response_overdue(due + timedelta(days=1))


@pytest.mark.parametrize("sort", ["newest", "due"])
def test_a_cursor_names_its_position_and_its_sort(sort: str) -> None:
    ticket = a_ticket()
    position = TicketPosition.after(ticket, sort)
    assert TicketPosition.of_cursor(position.cursor(), sort) == position
    expected = ticket.first_response_due_at if sort == "due" else ticket.created_at
    assert position.moment == expected
    other = "newest" if sort == "due" else "due"
    with pytest.raises(ValidationFailed) as refused:
        TicketPosition.of_cursor(position.cursor(), other)
    assert refused.value.code == "INVALID_PAGE_CURSOR"


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90LWpzb24", "WzEsIDIsIDNd"])
def test_a_cursor_not_from_a_page_is_400(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        TicketPosition.of_cursor(cursor, "newest")
    assert refused.value.parameter == "page[cursor]"

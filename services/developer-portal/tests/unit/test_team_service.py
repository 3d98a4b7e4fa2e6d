"""The team's use cases over in-memory fakes: what each changes, which event it emits in the
same unit of work, and what it refuses (a stale role, a second pending invitation, a user
already in a team, the last owner)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_developer_portal.team import service as use_cases
from parovoz_developer_portal.team.domain import (
    Actor,
    Invitation,
    InvitationStatus,
    Invitee,
    Member,
    TeamRole,
    invitation_already_pending,
)
from parovoz_developer_portal.team.rules import TeamRules
from parovoz_events.developer import (
    TeamInvitationCreated,
    TeamMemberChanged,
    TeamOwnershipTransferred,
)
from parovoz_kit.errors import ParovozError

NOW = datetime(2101, 6, 1, 9, 0, tzinfo=UTC)
RULES = TeamRules(invitation_ttl=timedelta(days=7), invitations_listed=50)


class FakeTeam:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, uuid.UUID], Member] = {}
        self.invitations: dict[uuid.UUID, Invitation] = {}
        self.locked: list[uuid.UUID] = []

    async def lock_team(self, developer_id: uuid.UUID) -> None:
        self.locked.append(developer_id)

    async def members(self, developer_id: uuid.UUID) -> list[Member]:
        return [m for (d, _), m in self.rows.items() if d == developer_id]

    async def member(self, developer_id: uuid.UUID, user_id: uuid.UUID) -> Member | None:
        return self.rows.get((developer_id, user_id))

    async def developer_of(self, user_id: uuid.UUID) -> uuid.UUID | None:
        return next((d for (d, u) in self.rows if u == user_id), None)

    async def add_member(self, member: Member) -> None:
        self.rows[(member.developer_id, member.user_id)] = member

    async def save_role(self, member: Member) -> None:
        if member.role is TeamRole.OWNER:  # the database's one-owner index
            others = await self.members(member.developer_id)
            assert not [m for m in others if m.role is TeamRole.OWNER and m != member]
        self.rows[(member.developer_id, member.user_id)] = member

    async def remove(self, member: Member) -> None:
        del self.rows[(member.developer_id, member.user_id)]

    async def add_invitation(self, invitation: Invitation) -> None:
        if await self.pending_for(
            invitation.developer_id,
            Invitee(invitation.invitee_user_id, invitation.invitee_email),
        ):
            raise invitation_already_pending()
        self.invitations[invitation.id] = invitation

    async def invitation(
        self, invitation_id: uuid.UUID, *, lock: bool = False
    ) -> Invitation | None:
        return self.invitations.get(invitation_id)

    async def pending_for(self, developer_id: uuid.UUID, invitee: Invitee) -> Invitation | None:
        for invitation in self.invitations.values():
            same = (
                invitation.invitee_user_id == invitee.user_id
                if invitee.user_id
                else invitation.invitee_email == invitee.email
            )
            if (
                invitation.developer_id == developer_id
                and invitation.status is InvitationStatus.PENDING
                and same
            ):
                return invitation
        return None

    async def save_invitation(self, invitation: Invitation) -> None:
        self.invitations[invitation.id] = invitation

    async def invitations_of_account(self, developer_id: uuid.UUID, limit: int) -> list[Invitation]:
        found = [i for i in self.invitations.values() if i.developer_id == developer_id]
        return sorted(found, key=lambda i: i.created_at, reverse=True)[:limit]

    async def invitations_to(
        self, user_id: uuid.UUID, email: str | None, now: datetime
    ) -> list[tuple[Invitation, str]]:
        return [
            (i, "Студия")
            for i in self.invitations.values()
            if i.status_at(now) is InvitationStatus.PENDING and i.addressed_to(user_id, email)
        ]


class FakeAccounts:
    def __init__(self) -> None:
        self.owners: dict[uuid.UUID, uuid.UUID] = {}

    async def save_owner(self, developer_id: uuid.UUID, owner: uuid.UUID, now: datetime) -> None:
        self.owners[developer_id] = owner


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.team = FakeTeam()
        self.accounts = FakeAccounts()
        self.emitted: list[Any] = []
        self.committed: list[Any] = []

    def emit(self, item: Any) -> None:
        self.emitted.append(item)

    async def commit(self) -> None:
        self.committed.extend(self.emitted)
        self.emitted = []


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def refused(coroutine: Any) -> str:
    try:
        run(coroutine)
    except ParovozError as error:
        return f"{error.http_status} {error.code}"
    return "ok"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


DEVELOPER = uuid.uuid4()


def add(uow: FakeUnitOfWork, role: TeamRole) -> Actor:
    user_id = uuid.uuid4()
    run(uow.team.add_member(Member(DEVELOPER, user_id, role, NOW - timedelta(days=1))))
    return Actor(DEVELOPER, user_id, role)


def test_an_invitation_is_stored_and_announced_in_one_commit(uow: FakeUnitOfWork) -> None:
    admin = add(uow, TeamRole.ADMIN)
    invitee = uuid.uuid4()
    invitation = run(
        use_cases.send_invitation(  # type: ignore[arg-type]
            uow, admin, Invitee(user_id=invitee), TeamRole.EDITOR, RULES, NOW
        )
    )
    assert uow.team.invitations[invitation.id].status is InvitationStatus.PENDING
    assert uow.team.locked == [DEVELOPER]
    [event] = uow.committed
    assert isinstance(event, TeamInvitationCreated)
    assert (event.invitation_id, event.invitee_user_id, event.role, event.by_email) == (
        invitation.id,
        invitee,
        "editor",
        False,
    )
    assert event.expires_at == NOW + timedelta(days=7)


def test_a_second_pending_invitation_is_409_until_the_first_expires(uow: FakeUnitOfWork) -> None:
    owner = add(uow, TeamRole.OWNER)
    person = Invitee(email="dev@example.com")
    first = run(
        use_cases.send_invitation(uow, owner, person, TeamRole.VIEWER, RULES, NOW)  # type: ignore[arg-type]
    )
    again = use_cases.send_invitation(uow, owner, person, TeamRole.ADMIN, RULES, NOW)  # type: ignore[arg-type]
    assert refused(again) == "409 INVITATION_ALREADY_PENDING"
    later = NOW + timedelta(days=8)
    second = run(
        use_cases.send_invitation(uow, owner, person, TeamRole.ADMIN, RULES, later)  # type: ignore[arg-type]
    )
    assert uow.team.invitations[first.id].status is InvitationStatus.EXPIRED
    assert uow.team.invitations[second.id].status is InvitationStatus.PENDING


def test_a_member_is_not_invited_again(uow: FakeUnitOfWork) -> None:
    owner, viewer = add(uow, TeamRole.OWNER), add(uow, TeamRole.VIEWER)
    again = use_cases.send_invitation(  # type: ignore[arg-type]
        uow, owner, Invitee(user_id=viewer.user_id), TeamRole.ADMIN, RULES, NOW
    )
    assert refused(again) == "409 ALREADY_A_MEMBER"


def test_a_role_taken_away_meanwhile_counts(uow: FakeUnitOfWork) -> None:
    admin = add(uow, TeamRole.ADMIN)
    viewer = add(uow, TeamRole.VIEWER)
    # The admin was made a viewer after the request resolved them as an admin.
    run(uow.team.save_role(Member(DEVELOPER, admin.user_id, TeamRole.VIEWER, NOW)))
    stale = use_cases.change_role(uow, admin, viewer.user_id, TeamRole.EDITOR, NOW)  # type: ignore[arg-type]
    assert refused(stale) == "403 TEAM_ROLE_FORBIDS"


def test_accepting_joins_the_team_with_the_role(uow: FakeUnitOfWork) -> None:
    owner = add(uow, TeamRole.OWNER)
    user = uuid.uuid4()
    invitation = run(
        use_cases.send_invitation(  # type: ignore[arg-type]
            uow, owner, Invitee(email="new@example.com"), TeamRole.FINANCE, RULES, NOW
        )
    )
    # Another user, or one whose token carries no e-mail: as if it did not exist.
    assert (
        refused(
            use_cases.accept_invitation(uow, invitation.id, user, None, NOW)  # type: ignore[arg-type]
        )
        == "404 INVITATION_NOT_FOUND"
    )
    member = run(
        use_cases.accept_invitation(uow, invitation.id, user, "NEW@example.com", NOW)  # type: ignore[arg-type]
    )
    assert member == Member(DEVELOPER, user, TeamRole.FINANCE, NOW)
    stored = uow.team.invitations[invitation.id]
    assert (stored.status, stored.accepted_by_user_id) == (InvitationStatus.ACCEPTED, user)
    joined = uow.committed[-1]
    assert isinstance(joined, TeamMemberChanged)
    assert (joined.change, joined.role, joined.user_id, joined.invitation_id) == (
        "joined",
        "finance",
        user,
        invitation.id,
    )


def test_a_user_already_in_a_team_cannot_accept(uow: FakeUnitOfWork) -> None:
    owner = add(uow, TeamRole.OWNER)
    elsewhere = uuid.uuid4()
    run(uow.team.add_member(Member(uuid.uuid4(), elsewhere, TeamRole.OWNER, NOW)))
    invitation = run(
        use_cases.send_invitation(  # type: ignore[arg-type]
            uow, owner, Invitee(user_id=elsewhere), TeamRole.ADMIN, RULES, NOW
        )
    )
    accept = use_cases.accept_invitation(uow, invitation.id, elsewhere, None, NOW)  # type: ignore[arg-type]
    assert refused(accept) == "422 ALREADY_IN_A_TEAM"
    assert uow.team.invitations[invitation.id].status is InvitationStatus.PENDING


def test_the_transfer_keeps_one_owner_and_moves_the_account(uow: FakeUnitOfWork) -> None:
    owner, editor = add(uow, TeamRole.OWNER), add(uow, TeamRole.EDITOR)
    new_owner = run(
        use_cases.transfer_account_ownership(uow, owner, editor.user_id, NOW)  # type: ignore[arg-type]
    )
    assert new_owner.role is TeamRole.OWNER
    roles = {m.user_id: m.role for m in run(uow.team.members(DEVELOPER))}
    assert roles == {owner.user_id: TeamRole.ADMIN, editor.user_id: TeamRole.OWNER}
    assert uow.accounts.owners[DEVELOPER] == editor.user_id
    [event] = uow.committed
    assert isinstance(event, TeamOwnershipTransferred)
    assert (event.previous_owner_user_id, event.owner_user_id) == (owner.user_id, editor.user_id)
    # The old owner, an admin now, can no longer transfer nor touch the new owner.
    demoted = Actor(DEVELOPER, owner.user_id, TeamRole.ADMIN)
    assert (
        refused(
            use_cases.transfer_account_ownership(uow, demoted, owner.user_id, NOW)  # type: ignore[arg-type]
        )
        == "403 TEAM_ROLE_FORBIDS"
    )
    assert (
        refused(
            use_cases.remove_member(uow, demoted, editor.user_id, NOW)  # type: ignore[arg-type]
        )
        == "422 OWNER_PROTECTED"
    )


def test_leaving_and_removing(uow: FakeUnitOfWork) -> None:
    owner, admin, viewer = (add(uow, r) for r in (TeamRole.OWNER, TeamRole.ADMIN, TeamRole.VIEWER))
    run(use_cases.remove_member(uow, viewer, viewer.user_id, NOW))  # type: ignore[arg-type]
    run(use_cases.remove_member(uow, owner, admin.user_id, NOW))  # type: ignore[arg-type]
    assert [m.user_id for m in run(uow.team.members(DEVELOPER))] == [owner.user_id]
    assert [(e.change, e.user_id) for e in uow.committed] == [
        ("left", viewer.user_id),
        ("removed", admin.user_id),
    ]
    assert (
        refused(
            use_cases.remove_member(uow, owner, owner.user_id, NOW)  # type: ignore[arg-type]
        )
        == "422 OWNER_PROTECTED"
    )
    assert (
        refused(
            use_cases.remove_member(uow, owner, uuid.uuid4(), NOW)  # type: ignore[arg-type]
        )
        == "404 MEMBER_NOT_FOUND"
    )

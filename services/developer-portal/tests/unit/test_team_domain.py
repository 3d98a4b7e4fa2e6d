"""The team's rules as plain Python: who may change, remove or hand the account to whom (every
pair of roles), invitations and their clock, one owner always."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_developer_portal.team.domain import (
    ROLE_PERMISSIONS,
    Invitation,
    InvitationStatus,
    Invitee,
    Member,
    Permission,
    TeamRole,
    invite,
    require_may_change_role,
    require_may_remove,
    require_not_in_a_team,
    require_one_owner,
    transfer_ownership,
)
from parovoz_developer_portal.team.rules import TeamRules
from parovoz_kit.errors import (
    BusinessRuleViolation,
    Conflict,
    ParovozError,
    PermissionDenied,
    ValidationFailed,
)

NOW = datetime(2101, 5, 1, 12, 0, tzinfo=UTC)
RULES = TeamRules(invitation_ttl=timedelta(days=7), invitations_listed=50)
DEVELOPER = uuid.uuid4()
ROLES = list(TeamRole)
MANAGERS = {TeamRole.OWNER, TeamRole.ADMIN}


def member(role: TeamRole) -> Member:
    return Member(DEVELOPER, uuid.uuid4(), role, NOW - timedelta(days=30))


def outcome(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except ParovozError as error:
        return f"{error.http_status} {error.code}"
    return "ok"


def test_product_rights_per_role() -> None:
    assert ROLE_PERMISSIONS[TeamRole.OWNER] == frozenset(Permission)
    assert ROLE_PERMISSIONS[TeamRole.ADMIN] == frozenset(Permission) - {
        Permission.DELETE_ACCOUNT,
        Permission.TRANSFER_OWNERSHIP,
    }
    assert ROLE_PERMISSIONS[TeamRole.EDITOR] == {Permission.VIEW, Permission.MANAGE_GAMES}
    assert ROLE_PERMISSIONS[TeamRole.FINANCE] == {Permission.VIEW, Permission.MANAGE_FINANCE}
    assert ROLE_PERMISSIONS[TeamRole.VIEWER] == {Permission.VIEW}


@pytest.mark.parametrize("acting_role", ROLES)
@pytest.mark.parametrize("target_role", ROLES)
@pytest.mark.parametrize("new_role", ROLES)
def test_who_may_change_whose_role(
    acting_role: TeamRole, target_role: TeamRole, new_role: TeamRole
) -> None:
    result = outcome(
        lambda: require_may_change_role(member(acting_role), member(target_role), new_role)
    )
    if acting_role not in MANAGERS:
        assert result == "403 TEAM_ROLE_FORBIDS"
    elif new_role is TeamRole.OWNER:
        assert result == "422 OWNERSHIP_TRANSFER_REQUIRED"
    elif target_role is TeamRole.OWNER:
        assert result == "422 OWNER_PROTECTED"  # an admin never touches the owner
    else:
        assert result == "ok"


def test_the_owner_cannot_change_their_own_role() -> None:
    owner = member(TeamRole.OWNER)
    assert outcome(lambda: require_may_change_role(owner, owner, TeamRole.ADMIN)) == (
        "422 OWNER_PROTECTED"
    )


@pytest.mark.parametrize("acting_role", ROLES)
@pytest.mark.parametrize("target_role", ROLES)
def test_who_may_remove_whom(acting_role: TeamRole, target_role: TeamRole) -> None:
    result = outcome(lambda: require_may_remove(member(acting_role), member(target_role)))
    if acting_role not in MANAGERS:
        assert result == "403 TEAM_ROLE_FORBIDS"
    elif target_role is TeamRole.OWNER:
        assert result == "422 OWNER_PROTECTED"
    else:
        assert result == "ok"


@pytest.mark.parametrize("role", ROLES)
def test_every_member_but_the_owner_may_leave(role: TeamRole) -> None:
    me = member(role)
    result = outcome(lambda: require_may_remove(me, me))
    assert result == ("422 OWNER_PROTECTED" if role is TeamRole.OWNER else "ok")


@pytest.mark.parametrize("acting_role", ROLES)
@pytest.mark.parametrize("target_role", ROLES)
def test_only_the_owner_transfers_ownership(acting_role: TeamRole, target_role: TeamRole) -> None:
    acting, target = member(acting_role), member(target_role)
    if acting_role is not TeamRole.OWNER:
        with pytest.raises(PermissionDenied):
            transfer_ownership(acting, target)
        return
    transfer = transfer_ownership(acting, target)
    assert transfer.previous_owner.role is TeamRole.ADMIN
    assert transfer.new_owner.role is TeamRole.OWNER
    assert transfer.new_owner.user_id == target.user_id
    others = [member(role) for role in ROLES if role is not TeamRole.OWNER]
    require_one_owner([transfer.previous_owner, transfer.new_owner, *others])


def test_the_owner_cannot_transfer_to_themself() -> None:
    owner = member(TeamRole.OWNER)
    assert outcome(lambda: transfer_ownership(owner, owner)) == "422 ALREADY_OWNER"


def test_a_team_has_exactly_one_owner() -> None:
    require_one_owner([member(TeamRole.OWNER), member(TeamRole.ADMIN)])
    with pytest.raises(BusinessRuleViolation):
        require_one_owner([member(TeamRole.ADMIN)])
    with pytest.raises(BusinessRuleViolation):
        require_one_owner([member(TeamRole.OWNER), member(TeamRole.OWNER)])


@pytest.mark.parametrize("acting_role", ROLES)
def test_owner_and_admin_invite(acting_role: TeamRole) -> None:
    result = outcome(
        lambda: invite(
            member(acting_role), Invitee(user_id=uuid.uuid4()), TeamRole.EDITOR, RULES, NOW
        )
    )
    assert result == ("ok" if acting_role in MANAGERS else "403 TEAM_ROLE_FORBIDS")


def test_an_invitation_never_gives_the_owner_role() -> None:
    with pytest.raises(ValidationFailed) as refused:
        invite(member(TeamRole.OWNER), Invitee(user_id=uuid.uuid4()), TeamRole.OWNER, RULES, NOW)
    assert refused.value.code == "INVALID_INVITATION_ROLE"
    assert refused.value.pointer == "/data/attributes/role"


def test_an_invitation_names_one_person_by_id_or_email() -> None:
    owner = member(TeamRole.OWNER)
    for invitee in (Invitee(), Invitee(uuid.uuid4(), "a@example.com")):
        with pytest.raises(ValidationFailed):
            invite(owner, invitee, TeamRole.VIEWER, RULES, NOW)
    with pytest.raises(Conflict):
        invite(owner, Invitee(user_id=owner.user_id), TeamRole.VIEWER, RULES, NOW)


def test_an_invitation_expires_after_the_rules_ttl() -> None:
    invitation = invite(
        member(TeamRole.ADMIN), Invitee(email=" Dev@Example.COM "), TeamRole.FINANCE, RULES, NOW
    )
    assert invitation.invitee_email == "dev@example.com"
    assert invitation.expires_at == NOW + timedelta(days=7)
    assert invitation.status_at(NOW + timedelta(days=7) - timedelta(seconds=1)) is (
        InvitationStatus.PENDING
    )
    late = NOW + timedelta(days=7)
    assert invitation.status_at(late) is InvitationStatus.EXPIRED
    with pytest.raises(BusinessRuleViolation) as refused:
        invitation.accepted(uuid.uuid4(), late)
    assert refused.value.code == "INVITATION_EXPIRED"


def _pending(**changes: object) -> Invitation:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "developer_id": DEVELOPER,
        "role": TeamRole.EDITOR,
        "invitee_user_id": uuid.uuid4(),
        "invitee_email": None,
        "invited_by_user_id": uuid.uuid4(),
        "status": InvitationStatus.PENDING,
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=7),
        **changes,
    }
    return Invitation(**values)  # type: ignore[arg-type]


def test_an_answered_invitation_is_answered_once() -> None:
    invitation = _pending()
    user = invitation.invitee_user_id
    assert user is not None
    accepted = invitation.accepted(user, NOW)
    assert (accepted.status, accepted.responded_at, accepted.accepted_by_user_id) == (
        InvitationStatus.ACCEPTED,
        NOW,
        user,
    )
    for answer in (
        lambda: accepted.declined(NOW),
        lambda: accepted.revoked(NOW),
        lambda: invitation.revoked(NOW).accepted(user, NOW),
        lambda: invitation.declined(NOW).declined(NOW),
    ):
        assert outcome(answer) == "422 INVITATION_NOT_PENDING"


def test_an_invitation_is_addressed_by_user_id_or_by_email() -> None:
    by_id = _pending()
    assert by_id.invitee_user_id is not None
    assert by_id.addressed_to(by_id.invitee_user_id, None)
    assert not by_id.addressed_to(uuid.uuid4(), None)
    by_email = _pending(invitee_user_id=None, invitee_email="dev@example.com")
    assert by_email.addressed_to(uuid.uuid4(), "DEV@example.com")
    assert not by_email.addressed_to(uuid.uuid4(), None)
    assert not by_email.addressed_to(uuid.uuid4(), "other@example.com")


def test_a_user_in_a_team_cannot_join_another() -> None:
    require_not_in_a_team(None)
    with pytest.raises(BusinessRuleViolation) as refused:
        require_not_in_a_team(uuid.uuid4())
    assert refused.value.code == "ALREADY_IN_A_TEAM"

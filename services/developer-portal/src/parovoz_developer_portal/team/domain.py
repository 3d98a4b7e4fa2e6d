"""Team roles inside a developer account and what each may do (PRODUCT.md, Developer portal)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from parovoz_kit.errors import PermissionDenied


class TeamRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    FINANCE = "finance"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"
    MANAGE_GAMES = "manage_games"
    MANAGE_FINANCE = "manage_finance"
    MANAGE_TEAM = "manage_team"
    DELETE_ACCOUNT = "delete_account"


_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[TeamRole, frozenset[Permission]] = {
    TeamRole.OWNER: _ALL,
    TeamRole.ADMIN: _ALL - {Permission.DELETE_ACCOUNT},
    TeamRole.EDITOR: frozenset({Permission.VIEW, Permission.MANAGE_GAMES}),
    TeamRole.FINANCE: frozenset({Permission.VIEW, Permission.MANAGE_FINANCE}),
    TeamRole.VIEWER: frozenset({Permission.VIEW}),
}


def require_permission(role: TeamRole, permission: Permission) -> None:
    if permission not in ROLE_PERMISSIONS[role]:
        raise PermissionDenied(
            f"The '{role}' role may not {permission.value.replace('_', ' ')}.",
            code="TEAM_ROLE_FORBIDS",
        )


@dataclass(frozen=True)
class Actor:
    """Who acts on a developer account's behalf: a team member (user token), or one of the
    account's API keys acting as an editor (``api_key_id`` set; ``user_id`` is then the key's
    creator, so events always name a person)."""

    developer_id: uuid.UUID
    user_id: uuid.UUID
    role: TeamRole
    api_key_id: uuid.UUID | None = None

    def require(self, permission: Permission) -> None:
        require_permission(self.role, permission)

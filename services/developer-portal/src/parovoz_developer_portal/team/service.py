"""Use cases of the team: who a caller is inside their developer account."""

from __future__ import annotations

import uuid

from parovoz_developer_portal.accounts.ports import PortalUnitOfWork
from parovoz_developer_portal.accounts.service import my_membership
from parovoz_developer_portal.team.domain import Actor


async def actor_for_user(uow: PortalUnitOfWork, user_id: uuid.UUID) -> Actor:
    """The caller as a member of their account (404 when they belong to none)."""
    membership = await my_membership(uow, user_id)
    return Actor(developer_id=membership.account.id, user_id=user_id, role=membership.role)

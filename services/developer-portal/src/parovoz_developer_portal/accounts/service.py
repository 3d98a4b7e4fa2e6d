"""Use cases of developer accounts: open an account, read the caller's membership, verify an
account as a studio (the platform's decision).

Each is one function taking the unit of work (games' use cases: games/service.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_events import EventData
from parovoz_events.developer import DeveloperAccountCreated, DeveloperAccountStatusChanged
from parovoz_kit.errors import Conflict, NotFound

from parovoz_developer_portal.accounts.domain import (
    AccountApplication,
    DeveloperAccount,
    open_account,
    verify_as_studio,
)
from parovoz_developer_portal.accounts.ports import Membership, PortalUnitOfWork
from parovoz_developer_portal.team.domain import TeamRole

_ALREADY_A_MEMBER_RU = "Пользователь уже состоит в аккаунте разработчика."


@dataclass(frozen=True)
class MemberView:
    account: DeveloperAccount
    role: TeamRole


async def register_account(
    uow: PortalUnitOfWork, application: AccountApplication, user_id: uuid.UUID, now: datetime
) -> MemberView:
    if await uow.accounts.membership_of(user_id) is not None:
        raise Conflict(
            "This user already belongs to a developer account.",
            detail_ru=_ALREADY_A_MEMBER_RU,
            code="RESOURCE_ALREADY_EXISTS",
        )
    account = open_account(application, user_id, now)
    await uow.accounts.add(account)
    await uow.accounts.add_member(account.id, user_id, TeamRole.OWNER, now)
    uow.emit(
        DeveloperAccountCreated(
            developer_id=account.id,
            owner_user_id=user_id,
            display_name=account.display_name,
            legal_entity_type=account.legal_entity_type.value,
            country_code=account.country_code,
            status=account.status.value,
            publishing_track=account.publishing_track.value,
            created_at=account.created_at,
        )
    )
    await uow.commit()
    return MemberView(account, TeamRole.OWNER)


async def my_membership(uow: PortalUnitOfWork, user_id: uuid.UUID) -> Membership:
    membership = await uow.accounts.membership_of(user_id)
    if membership is None:
        raise NotFound(
            "You are not a member of any developer account yet.",
            detail_ru="Вы пока не состоите ни в одном аккаунте разработчика.",
            code="RESOURCE_NOT_FOUND",
        )
    return membership


async def change_owner(
    uow: PortalUnitOfWork, developer_id: uuid.UUID, owner_user_id: uuid.UUID, now: datetime
) -> None:
    """The account's owner is another member now (the team's ownership transfer; its
    transaction, its commit)."""
    await uow.accounts.save_owner(developer_id, owner_user_id, now)


class AccountStatuses(Protocol):
    async def get_for_update(self, developer_id: uuid.UUID) -> DeveloperAccount | None: ...
    async def save_status(self, account: DeveloperAccount) -> None: ...


class AccountStatusUnitOfWork(Protocol):
    accounts: AccountStatuses

    def emit(self, item: EventData) -> object: ...
    async def commit(self) -> None: ...


async def verify_studio(
    uow: AccountStatusUnitOfWork, developer_id: uuid.UUID, now: datetime
) -> DeveloperAccount | None:
    """The platform verified ``developer_id`` as a studio: the account becomes verified, active
    (a suspended one stays suspended) and on the direct publishing track, and
    ``developer.account.status.changed.v1`` says so in the same transaction. None when there
    is no such account or it already is all that (nothing changes, nothing is emitted)."""
    account = await uow.accounts.get_for_update(developer_id)
    if account is None:
        return None
    verified = verify_as_studio(account, now)
    if verified is None:
        return None
    await uow.accounts.save_status(verified)
    uow.emit(
        DeveloperAccountStatusChanged(
            developer_id=verified.id,
            previous_status=account.status.value,
            status=verified.status.value,
            publishing_track=verified.publishing_track.value,
            verified=True,
            reason=None,
            changed_at=verified.updated_at,
        )
    )
    await uow.commit()
    return verified

"""notifications' consumers: the events that concern an account become lines in its inbox.

developer-portal has one consumer group per topic (``developer-portal.<topic>``). On
``admin.events.v1``, ``greenlight.events.v1`` and ``payment.events.v1`` other contexts already
handle the same types, so main.py merges these maps with theirs (``parovoz_kit.events.
merge_handlers``): the notification is written after their effect, in the same inbox transaction
(a moderation decision review ignored makes no notification). The portal's own
``developer.events.v1`` (publication, rollback, unpublication, the team's invitations, member
changes and ownership transfers) is consumed by the group
``developer-portal.developer.events.v1`` (the event catalogue lists other services only).

The unique (account, source event id) of the inbox absorbs a redelivery even outside the
consumer's inbox (another group, a replayed topic).
"""

from __future__ import annotations

from collections.abc import Mapping

from parovoz_events import EventData
from parovoz_events.admin import GameModerationApproved, GameModerationRejected
from parovoz_events.developer import (
    GamePublished,
    GameRolledBack,
    GameUnpublished,
    TeamInvitationCreated,
    TeamMemberChanged,
    TeamOwnershipTransferred,
)
from parovoz_events.greenlight import SubmissionApproved, SubmissionRejected
from parovoz_events.payment import PayoutStatusChanged
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.accounts.repository import SqlAccounts
from parovoz_developer_portal.builds.repository import SqlBuilds
from parovoz_developer_portal.games.repository import SqlGames
from parovoz_developer_portal.notifications.domain import (
    team_invitation,
    team_member_changed,
    team_ownership_transferred,
)
from parovoz_developer_portal.notifications.repository import SqlNotifications
from parovoz_developer_portal.notifications.service import (
    GameChange,
    on_game_change,
    on_greenlight_decision,
    on_moderation_decision,
    on_payout_status,
    on_team_change,
)


class ConsumerUnitOfWork:
    """The repositories the notifying use cases read, over the consumer's session. It emits
    nothing and commits nothing: the consumer commits with the inbox row."""

    def __init__(self, session: AsyncSession) -> None:
        self.accounts = SqlAccounts(session)
        self.games = SqlGames(session)
        self.builds = SqlBuilds(session)
        self.notifications = SqlNotifications(session)

    def emit(self, item: EventData) -> object:
        raise RuntimeError("notifications' consumers emit no events")

    async def commit(self) -> None:
        """The consumer commits (with the inbox row)."""


def admin_notification_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_approved(
        session: AsyncSession, data: GameModerationApproved, event: Event
    ) -> None:
        await on_moderation_decision(
            ConsumerUnitOfWork(session),
            game_id=data.game_id,
            version_id=data.version_id,
            approved=True,
            note=data.comment or None,
            now=clock.now(),
        )

    async def on_rejected(
        session: AsyncSession, data: GameModerationRejected, event: Event
    ) -> None:
        await on_moderation_decision(
            ConsumerUnitOfWork(session),
            game_id=data.game_id,
            version_id=data.version_id,
            approved=False,
            note=data.reason,
            now=clock.now(),
        )

    return {
        GameModerationApproved.event_type: on_approved,
        GameModerationRejected.event_type: on_rejected,
    }


def greenlight_notification_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_approved(session: AsyncSession, data: SubmissionApproved, event: Event) -> None:
        await on_greenlight_decision(
            ConsumerUnitOfWork(session),
            developer_id=data.developer_id,
            game_id=data.game_id,
            approved=True,
            detail=None,
            source_event_id=event.id,
            now=clock.now(),
        )

    async def on_rejected(session: AsyncSession, data: SubmissionRejected, event: Event) -> None:
        await on_greenlight_decision(
            ConsumerUnitOfWork(session),
            developer_id=data.developer_id,
            game_id=data.game_id,
            approved=False,
            detail=data.comment,
            source_event_id=event.id,
            now=clock.now(),
        )

    return {
        SubmissionApproved.event_type: on_approved,
        SubmissionRejected.event_type: on_rejected,
    }


def payment_notification_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_payout(session: AsyncSession, data: PayoutStatusChanged, event: Event) -> None:
        await on_payout_status(
            ConsumerUnitOfWork(session),
            developer_id=data.developer_id,
            payout_request_id=data.payout_request_id,
            amount_minor=data.amount.amount_minor,
            currency=data.amount.currency,
            new_status=data.new_status,
            failure=data.failure_reason_message or data.failure_reason_code,
            source_event_id=event.id,
            now=clock.now(),
        )

    return {PayoutStatusChanged.event_type: on_payout}


def developer_notification_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_published(session: AsyncSession, data: GamePublished, event: Event) -> None:
        change = "republished" if data.first_published_at < data.published_at else "published"
        await on_game_change(
            ConsumerUnitOfWork(session),
            GameChange(data.developer_id, data.game_id, change, None, event.id),
            clock.now(),
        )

    async def on_rolled_back(session: AsyncSession, data: GameRolledBack, event: Event) -> None:
        await on_game_change(
            ConsumerUnitOfWork(session),
            GameChange(data.developer_id, data.game_id, "rolled_back", data.reason, event.id),
            clock.now(),
        )

    async def on_unpublished(session: AsyncSession, data: GameUnpublished, event: Event) -> None:
        await on_game_change(
            ConsumerUnitOfWork(session),
            GameChange(data.developer_id, data.game_id, "unpublished", data.reason, event.id),
            clock.now(),
        )

    async def on_invited(session: AsyncSession, data: TeamInvitationCreated, event: Event) -> None:
        draft = team_invitation(
            developer_id=data.developer_id,
            invitation_id=data.invitation_id,
            role=data.role,
            invitee_user_id=data.invitee_user_id,
            expires_at=data.expires_at,
            source_event_id=event.id,
        )
        await on_team_change(ConsumerUnitOfWork(session), draft, clock.now())

    async def on_member(session: AsyncSession, data: TeamMemberChanged, event: Event) -> None:
        draft = team_member_changed(
            developer_id=data.developer_id,
            user_id=data.user_id,
            change=data.change,
            role=data.role,
            previous_role=data.previous_role,
            source_event_id=event.id,
        )
        await on_team_change(ConsumerUnitOfWork(session), draft, clock.now())

    async def on_owner(session: AsyncSession, data: TeamOwnershipTransferred, event: Event) -> None:
        draft = team_ownership_transferred(
            developer_id=data.developer_id,
            previous_owner_user_id=data.previous_owner_user_id,
            owner_user_id=data.owner_user_id,
            source_event_id=event.id,
        )
        await on_team_change(ConsumerUnitOfWork(session), draft, clock.now())

    return {
        GamePublished.event_type: on_published,
        GameRolledBack.event_type: on_rolled_back,
        GameUnpublished.event_type: on_unpublished,
        TeamInvitationCreated.event_type: on_invited,
        TeamMemberChanged.event_type: on_member,
        TeamOwnershipTransferred.event_type: on_owner,
    }

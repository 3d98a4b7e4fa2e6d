"""review's consumers: moderation decisions (``admin.events.v1``) and greenlight decisions
(``greenlight.events.v1``).

Each handler runs in the consumer's inbox transaction (the consumer commits the effect with the
inbox row, so a redelivered event has no second effect); the use cases check every reference
before moving anything and ignore, with a log line, a decision that does not apply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from parovoz_events import EventData
from parovoz_events.admin import GameModerationApproved, GameModerationRejected
from parovoz_events.greenlight import SubmissionApproved, SubmissionRejected
from parovoz_kit.events import Event, Handler
from parovoz_kit.infrastructure import Infrastructure
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_developer_portal.accounts.repository import SqlAccounts
from parovoz_developer_portal.builds.repository import SqlBuilds
from parovoz_developer_portal.games.repository import SqlGames
from parovoz_developer_portal.review.domain import GreenlightDecision, ModerationDecision, Outcome
from parovoz_developer_portal.review.repository import SqlReviews
from parovoz_developer_portal.review.service import (
    record_greenlight_decision,
    record_moderation_decision,
)

log = logging.getLogger(__name__)


class InboxUnitOfWork:
    """The repositories review's use cases need, over the consumer's session. It emits nothing
    and commits nothing: the consumer commits the effect together with the inbox row."""

    def __init__(self, session: AsyncSession) -> None:
        self.accounts = SqlAccounts(session)
        self.games = SqlGames(session)
        self.builds = SqlBuilds(session)
        self.reviews = SqlReviews(session)

    def emit(self, item: EventData) -> object:
        raise RuntimeError("review's consumers emit no events")

    async def commit(self) -> None:
        """The consumer commits (with the inbox row)."""


def admin_moderation_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    clock = infrastructure.clock

    async def on_approved(
        session: AsyncSession, data: GameModerationApproved, event: Event
    ) -> None:
        decision = ModerationDecision(
            outcome=Outcome.APPROVED,
            game_id=data.game_id,
            version_id=data.version_id,
            moderator_id=data.moderator_id,
            note=data.comment or None,
            decided_at=data.decided_at,
        )
        await record_moderation_decision(InboxUnitOfWork(session), decision, clock.now())

    async def on_rejected(
        session: AsyncSession, data: GameModerationRejected, event: Event
    ) -> None:
        decision = ModerationDecision(
            outcome=Outcome.REJECTED,
            game_id=data.game_id,
            version_id=data.version_id,
            moderator_id=data.moderator_id,
            note=data.reason,
            decided_at=data.decided_at,
        )
        await record_moderation_decision(InboxUnitOfWork(session), decision, clock.now())

    return {
        GameModerationApproved.event_type: on_approved,
        GameModerationRejected.event_type: on_rejected,
    }


def greenlight_event_handlers(infrastructure: Infrastructure) -> Mapping[str, Handler]:
    async def on_approved(session: AsyncSession, data: SubmissionApproved, event: Event) -> None:
        decision = GreenlightDecision(
            submission_id=data.submission_id,
            game_id=data.game_id,
            developer_id=data.developer_id,
            approved=True,
            decided_at=data.approved_at,
        )
        if not await record_greenlight_decision(InboxUnitOfWork(session), decision):
            log.info("greenlight decision older than the known one", extra={"id": str(event.id)})

    async def on_rejected(session: AsyncSession, data: SubmissionRejected, event: Event) -> None:
        decision = GreenlightDecision(
            submission_id=data.submission_id,
            game_id=data.game_id,
            developer_id=data.developer_id,
            approved=False,
            decided_at=data.rejected_at,
        )
        if not await record_greenlight_decision(InboxUnitOfWork(session), decision):
            log.info("greenlight decision older than the known one", extra={"id": str(event.id)})

    return {
        SubmissionApproved.event_type: on_approved,
        SubmissionRejected.event_type: on_rejected,
    }

"""Which developer account a user belongs to, for moderation's "the submitting team" checks."""

from __future__ import annotations

import uuid

from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.moderation.service import Membership, Teams


class _SubmitterOnly:
    """No developer-portal lookup: only the submitting user counts as the team."""

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None:
        return None


def teams_of(infrastructure: Infrastructure) -> Teams:
    return _SubmitterOnly()

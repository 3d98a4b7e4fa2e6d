"""Invite codes: random, url-safe, kept and shown to the team (they share them); each with an
optional use limit and expiry, revocable."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import ValidationFailed

from parovoz_developer_portal.beta.domain.beta_test import ATTRIBUTES, BetaTest, refusal
from parovoz_developer_portal.beta.rules import BetaRules

#: Random bytes of an invite code (16 url-safe characters).
CODE_BYTES = 12


class CodeStatus(StrEnum):
    ACTIVE = "active"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InviteCode:
    """A code players join with. Not a secret from the team: they share it, so it is stored
    and shown to every member; only the test's players' own joins use it up."""

    id: uuid.UUID
    beta_test_id: uuid.UUID
    code: str
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    created_by_user_id: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None = None

    def status_at(self, now: datetime) -> CodeStatus:
        if self.revoked_at is not None:
            return CodeStatus.REVOKED
        if self.expires_at is not None and now >= self.expires_at:
            return CodeStatus.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return CodeStatus.USED_UP
        return CodeStatus.ACTIVE

    def revoked(self, now: datetime) -> InviteCode:
        """Revoking twice keeps the first time."""
        return self if self.revoked_at is not None else replace(self, revoked_at=now)

    def require_admits(self, now: datetime) -> None:
        status = self.status_at(now)
        if status is CodeStatus.REVOKED:
            raise invalid_code()
        if status is CodeStatus.EXPIRED:
            raise refusal(
                "BETA_CODE_EXPIRED",
                "The invite code has expired.",
                "Срок действия кода приглашения истёк.",
                "code",
            )
        if status is CodeStatus.USED_UP:
            raise refusal(
                "BETA_CODE_USED_UP",
                "The invite code has been used as many times as it allows.",
                "Код приглашения уже использован максимальное число раз.",
                "code",
            )


def invalid_code() -> Exception:
    """Unknown and revoked codes alike (a guesser learns nothing)."""
    return refusal(
        "BETA_CODE_INVALID",
        "The invite code is not valid.",
        "Код приглашения недействителен.",
        "code",
    )


def normalized_code(text: str) -> str:
    return text.strip()


def issue_code(
    test: BetaTest,
    active_codes: int,
    max_uses: int | None,
    expires_at: datetime | None,
    user_id: uuid.UUID,
    rules: BetaRules,
    now: datetime,
) -> InviteCode:
    test.require_changeable(now)
    if active_codes >= rules.max_active_codes:
        raise refusal(
            "BETA_CODE_LIMIT_REACHED",
            f"The test already has {active_codes} active invite codes, the most allowed.",
            f"У бета-теста уже {active_codes} действующих кодов приглашения — это предел.",
        )
    if max_uses is not None and max_uses < 1:
        raise ValidationFailed(
            "max_uses is at least 1.",
            detail_ru="max_uses — не меньше 1.",
            pointer=f"{ATTRIBUTES}/max_uses",
        )
    if expires_at is not None and expires_at <= now:
        raise refusal(
            "BETA_CODE_EXPIRY_IN_PAST",
            "expires_at must be in the future.",
            "expires_at уже прошёл.",
            "expires_at",
        )
    return InviteCode(
        id=uuid.uuid4(),
        beta_test_id=test.id,
        code=secrets.token_urlsafe(CODE_BYTES),
        max_uses=max_uses,
        uses=0,
        expires_at=expires_at,
        created_by_user_id=user_id,
        created_at=now,
    )

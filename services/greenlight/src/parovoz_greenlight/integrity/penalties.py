"""Penalties (PRODUCT.md "Greenlight"; seed 002 PenaltyType): plain Python, no framework.

WARNING (no effect), VOTING_SUSPENSION (7 or 30 days), ACCOUNT_SUSPENSION (a duration in days),
PERMANENT_BAN (forever). All appealable: once, by the penalized user, within the appeal window;
a moderator or admin then upholds or revokes. ACCOUNT_SUSPENSION and PERMANENT_BAN are
published (``greenlight.user.penalized.v1``); every type but WARNING blocks voting while in force.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied, ValidationFailed

REASON_LIMIT = 500
APPEAL_LIMIT = 2000
STAFF_ROLES = frozenset({"moderator", "admin"})
#: ``issued_by`` of a penalty the audit issued on its own (no person): the nil UUID.
AUDIT_ISSUER = uuid.UUID(int=0)


class PenaltyType(enum.StrEnum):
    WARNING = "warning"
    VOTING_SUSPENSION = "voting_suspension"
    ACCOUNT_SUSPENSION = "account_suspension"
    PERMANENT_BAN = "permanent_ban"


class AppealDecision(enum.StrEnum):
    UPHELD = "upheld"
    REVOKED = "revoked"


#: The types the user service must enforce (published as events).
PUBLISHED = frozenset({PenaltyType.ACCOUNT_SUSPENSION, PenaltyType.PERMANENT_BAN})
#: The types that keep a user from voting while in force.
BLOCKS_VOTING = frozenset(
    {PenaltyType.VOTING_SUSPENSION, PenaltyType.ACCOUNT_SUSPENSION, PenaltyType.PERMANENT_BAN}
)
#: The types the audit issues on its own; ACCOUNT_SUSPENSION and PERMANENT_BAN stay a
#: moderator's decision.
AUTOMATIC = frozenset({PenaltyType.WARNING, PenaltyType.VOTING_SUSPENSION})


@dataclass(frozen=True)
class PenaltyRules:
    #: The lengths a voting suspension may have (PRODUCT.md: 7 or 30 days): the audit suspends
    #: for the shortest after a recent warning, for the longest after a suspension.
    voting_suspension_days: tuple[int, ...]
    #: A warning this recent (before the new offence) makes the audit's next penalty a suspension.
    warning_memory: timedelta
    #: The longest account suspension.
    longest_account_suspension_days: int
    #: A penalty may be appealed within this long of its start.
    appeal_period: timedelta


@dataclass(frozen=True)
class Penalty:
    id: uuid.UUID
    user_id: uuid.UUID
    type: PenaltyType
    reason: str
    submission_id: uuid.UUID | None
    issued_by: uuid.UUID
    starts_at: datetime
    ends_at: datetime | None
    revoked_at: datetime | None = None
    revoked_by: uuid.UUID | None = None
    appealed_at: datetime | None = None
    appeal_text: str | None = None
    appeal_decision: AppealDecision | None = None
    appeal_decided_by: uuid.UUID | None = None
    appeal_decided_at: datetime | None = None
    #: The voting window whose audit issued it (None: issued by a moderator or an admin); one
    #: automatic penalty per user and window.
    window_id: uuid.UUID | None = None

    @property
    def automatic(self) -> bool:
        return self.window_id is not None

    @property
    def published(self) -> bool:
        return self.type in PUBLISHED

    def in_force(self, now: datetime) -> bool:
        if self.revoked_at is not None or self.starts_at > now:
            return False
        return self.ends_at is None or self.ends_at > now

    def blocks_voting(self, now: datetime) -> bool:
        """True while in force for a type that blocks voting (until ``ends_at``; a ban, with
        none, for good)."""
        return self.type in BLOCKS_VOTING and self.in_force(now)

    def appeal(self, user_id: uuid.UUID, text: str, now: datetime, rules: PenaltyRules) -> Penalty:
        if user_id != self.user_id:
            raise PermissionDenied(
                "Only the penalized user may appeal a penalty.", code="PENALTY_APPEAL_NOT_ALLOWED"
            )
        if self.revoked_at is not None:
            raise BusinessRuleViolation(
                "The penalty was revoked: there is nothing to appeal.",
                code="PENALTY_APPEAL_NOT_ALLOWED",
            )
        if self.appealed_at is not None:
            raise BusinessRuleViolation(
                "The penalty was already appealed (once only).", code="PENALTY_ALREADY_APPEALED"
            )
        deadline = self.starts_at + rules.appeal_period
        if now > deadline:
            raise BusinessRuleViolation(
                f"The appeal period ended at {deadline.isoformat()}.",
                detail_ru=f"Срок обжалования истёк {deadline.isoformat()}.",
                code="PENALTY_APPEAL_DEADLINE_PASSED",
            )
        return replace(self, appealed_at=now, appeal_text=text)

    def decide_appeal(
        self, decision: AppealDecision, decided_by: uuid.UUID, now: datetime
    ) -> Penalty:
        if self.appealed_at is None or self.appeal_decision is not None:
            raise BusinessRuleViolation(
                "The penalty has no appeal awaiting a decision.", code="PENALTY_APPEAL_NOT_PENDING"
            )
        decided = replace(
            self, appeal_decision=decision, appeal_decided_by=decided_by, appeal_decided_at=now
        )
        if decision is AppealDecision.REVOKED:
            return decided.revoke(decided_by, now)
        return decided

    def revoke(self, revoked_by: uuid.UUID, now: datetime) -> Penalty:
        if self.revoked_at is not None:
            raise BusinessRuleViolation(
                "The penalty is already revoked.", code="PENALTY_ALREADY_REVOKED"
            )
        return replace(self, revoked_at=now, revoked_by=revoked_by)


def penalty_end(
    type_: PenaltyType, starts_at: datetime, duration_days: int | None, rules: PenaltyRules
) -> datetime | None:
    """When a new penalty ends (None: never, or no duration for a warning)."""
    pointer = "/data/attributes/duration_days"
    if type_ is PenaltyType.VOTING_SUSPENSION:
        allowed = rules.voting_suspension_days
        if duration_days not in allowed:
            days = " or ".join(str(d) for d in allowed)
            raise ValidationFailed(
                f"A voting suspension lasts {days} days.",
                detail_ru=f"Приостановка голосования длится {days} дн.",
                pointer=pointer,
            )
        return starts_at + timedelta(days=duration_days)
    if type_ is PenaltyType.ACCOUNT_SUSPENSION:
        longest = rules.longest_account_suspension_days
        if duration_days is None or not 1 <= duration_days <= longest:
            raise ValidationFailed(
                f"An account suspension needs duration_days between 1 and {longest}.",
                detail_ru=f"Для блокировки аккаунта нужен duration_days от 1 до {longest}.",
                pointer=pointer,
            )
        return starts_at + timedelta(days=duration_days)
    if duration_days is not None:
        raise ValidationFailed(
            f"A {type_.value} has no duration.",
            detail_ru=f"У наказания {type_.value} нет длительности.",
            pointer=pointer,
        )
    return None


def require_staff(roles: frozenset[str] | set[str] | tuple[str, ...], *allowed: str) -> None:
    if not set(roles) & set(allowed or STAFF_ROLES):
        raise PermissionDenied(
            "Only a moderator or an admin may do this.", code="PENALTY_NOT_AUTHORIZED"
        )


def automatic_penalty(
    history: Sequence[Penalty], offence_at: datetime, rules: PenaltyRules
) -> tuple[PenaltyType, int | None]:
    """The penalty the audit issues for votes flagged up to ``offence_at`` (the voter's last
    flagged vote), given the voter's earlier penalties: those issued BEFORE the offence and not
    revoked count (a rerun of a campaign already penalized is no second offence).

    - had a suspension (voting or account) or a ban: VOTING_SUSPENSION, the longest (30 days);
    - had a WARNING within ``warning_memory``: VOTING_SUSPENSION, the shortest (7 days);
    - else: WARNING (a first offence)."""
    earlier = [p for p in history if p.revoked_at is None and p.starts_at < offence_at]
    if any(p.type in BLOCKS_VOTING for p in earlier):
        return PenaltyType.VOTING_SUSPENSION, max(rules.voting_suspension_days)
    if any(
        p.type is PenaltyType.WARNING and p.starts_at >= offence_at - rules.warning_memory
        for p in earlier
    ):
        return PenaltyType.VOTING_SUSPENSION, min(rules.voting_suspension_days)
    return PenaltyType.WARNING, None


#: What each audit rule is called in a penalty's reason.
_RULE_NAMES_RU = {
    "rate_limit": "больше допустимого числа голосов в час",
    "burst": "всплеск голосов от новых аккаунтов или с общего устройства/подсети",
    "lockstep": "согласованное голосование группой аккаунтов",
}


def automatic_reason(rules_broken: Collection[str], votes: int, submission_id: uuid.UUID) -> str:
    """Why the audit penalized: the rule(s) and the submission, in Russian (shown to the user)."""
    names = "; ".join(
        f"{rule} ({_RULE_NAMES_RU.get(rule, rule)})" for rule in sorted(set(rules_broken))
    )
    text = (
        f"Аудит голосования по заявке {submission_id}: голосов признано недействительными — "
        f"{votes}; правила: {names}."
    )
    return text[:REASON_LIMIT]

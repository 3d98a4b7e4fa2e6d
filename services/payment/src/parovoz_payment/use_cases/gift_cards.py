"""Gift cards outside a payment: promotional issue by an admin, a balance check by code
(rate-limited), and breakage of expired balances.

Ledger: issuing credits ``gift_card_liability`` (a promotional card is paid from
``marketing_expense``); a payment's settlement debits it for the part redeemed; breakage
debits what expired unused and credits ``platform_revenue``. The code is returned by
:func:`issue_promotional` once and never logged nor stored in clear (only its hash).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from parovoz_kit.clock import Clock
from parovoz_kit.errors import NotFound, TooManyRequests
from parovoz_kit.uow import UnitOfWorkFactory
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.db.audit import record
from parovoz_payment.db.gift_cards import SqlGiftCards
from parovoz_payment.db.ledger import account_for, post
from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.gift_cards import (
    GiftCard,
    GiftCardOrigin,
    GiftCardRules,
    gift_card_audit,
    hash_code,
    issue_gift_card,
    normalize_code,
)
from parovoz_payment.domain.ledger import AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money

log = logging.getLogger(__name__)

BREAKAGE_ACTOR = "system:gift-cards-breakage"
BATCH = 200


class TooManyAttempts(TooManyRequests):
    """Too many wrong gift-card codes: 429 with ``Retry-After`` (the window's remaining time)."""

    default_code = "GIFT_CARD_ATTEMPTS_EXCEEDED"


@dataclass(frozen=True)
class IssuedCard:
    card: GiftCard
    #: The code in clear: only in the answer to the issue, never again. None on a replay.
    code: str | None
    replayed: bool = False


async def issue_promotional(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    value: Money,
    *,
    admin: str,
    issue_key: str,
    rules: GiftCardRules,
    expires_at: datetime | None = None,
) -> IssuedCard:
    """A card paid for by the platform's marketing budget. The admin's Idempotency-Key makes a
    retry find the same card (without its code: it was shown once)."""
    async with unit_of_work() as uow:
        session = uow.session
        cards = SqlGiftCards(session)
        existing = await cards.by_issue_key(issue_key)
        if existing is not None:
            return IssuedCard(existing, None, replayed=True)
        card, code = issue_gift_card(
            value, clock.now(), GiftCardOrigin.PROMOTIONAL, rules=rules, expires_at=expires_at
        )
        await cards.add(card, hash_code(code), admin, issue_key)
        await _book_issue(session, card, AccountPurpose.MARKETING_EXPENSE)
        await record(session, _audit(card, admin, "gift_card.issued"))
        await uow.commit()
    return IssuedCard(card, code)


async def _book_issue(session: AsyncSession, card: GiftCard, source: AccountPurpose) -> None:
    value = Money(card.initial_minor, card.currency)
    paid_from = await account_for(session, OwnerType.PLATFORM, None, source, card.currency)
    liability = await account_for(
        session, OwnerType.PLATFORM, None, AccountPurpose.GIFT_CARD_LIABILITY, card.currency
    )
    await post(
        session,
        f"gift-card:{card.id}:issued",
        "gift_card_issue",
        [debit(paid_from, value), credit(liability, value)],
        reference=str(card.id),
    )


def _audit(card: GiftCard, actor: str, action: str) -> AuditRecord:
    return gift_card_audit(card, actor, action)


# -- balance check ------------------------------------------------------------------------
class LookupLimiter:
    """Failed gift-card lookups per user in a fixed window, counted in Redis: past the limit
    every lookup is refused (429) until the window ends, so codes cannot be brute-forced."""

    def __init__(self, redis: Redis, limit: int, window_seconds: int) -> None:
        self._redis, self._limit, self._window = redis, limit, window_seconds

    def _key(self, user_id: uuid.UUID) -> str:
        return f"payment:gift-card-lookups:{user_id}"

    async def check(self, user_id: uuid.UUID) -> None:
        key = self._key(user_id)
        failed = await self._redis.get(key)
        if failed is not None and int(failed) >= self._limit:
            left = await self._redis.ttl(key)  # -1/-2: no expiry (yet) or gone: the window
            raise TooManyAttempts(
                "Too many wrong gift card codes; try again later.",
                retry_after_seconds=left if left > 0 else self._window,
                pointer="/data/attributes/code",
                detail_ru="Слишком много неверных кодов подарочных карт; повторите попытку позже.",
            )

    async def failed(self, user_id: uuid.UUID) -> None:
        key = self._key(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._window, nx=True)
            await pipe.execute()


async def check_balance(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    limiter: LookupLimiter,
    user_id: uuid.UUID,
    raw_code: str,
) -> GiftCard:
    """The card behind a code (what is left, until when); an unknown code counts as a failed
    lookup and answers 404."""
    await limiter.check(user_id)
    code = normalize_code(raw_code)
    card = None
    if code is not None:
        async with unit_of_work() as uow:
            card = await SqlGiftCards(uow.session).by_hash(hash_code(code))
    if card is None:
        await limiter.failed(user_id)
        raise NotFound(
            "There is no gift card with this code.",
            code="GIFT_CARD_NOT_FOUND",
            pointer="/data/attributes/code",
        )
    return card


# -- breakage -----------------------------------------------------------------------------
async def break_expired_gift_cards(unit_of_work: UnitOfWorkFactory, clock: Clock) -> int:
    """The job: every expired card's unused, unheld value moves from the liability to platform
    revenue, once (each step is keyed by the card and what was broken before it). Value a
    pending payment holds waits: redeemed if it succeeds, broken on a later run if released."""
    async with unit_of_work() as uow:
        due = await SqlGiftCards(uow.session).due_for_breakage(clock.now(), BATCH)
    broken = 0
    for card_id in due:
        async with unit_of_work() as uow:
            session = uow.session
            cards = SqlGiftCards(session)
            card = await cards.get(card_id, for_update=True)
            if card is None or not card.is_expired(clock.now()) or not card.available.is_positive:
                continue  # another runner got there first
            amount = card.available
            liability = await account_for(
                session, OwnerType.PLATFORM, None, AccountPurpose.GIFT_CARD_LIABILITY, card.currency
            )
            revenue = await account_for(
                session, OwnerType.PLATFORM, None, AccountPurpose.PLATFORM_REVENUE, card.currency
            )
            await post(
                session,
                f"gift-card:{card.id}:breakage:{card.broken_minor}",
                "gift_card_breakage",
                [debit(liability, amount), credit(revenue, amount)],
                reference=str(card.id),
            )
            await cards.record_breakage(card.id, amount.amount_minor)
            broken_card = replace(card, broken_minor=card.broken_minor + amount.amount_minor)
            await record(
                session,
                gift_card_audit(broken_card, BREAKAGE_ACTOR, "gift_card.expired", before=card),
            )
            await uow.commit()
            broken += 1
    if broken:
        log.info("gift-card breakage: %d expired cards moved to revenue", broken)
    return broken

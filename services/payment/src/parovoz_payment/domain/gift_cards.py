"""Gift cards (PRODUCT.md "Payment"): a bearer code worth a value in one currency, used in part
over several payments, expiring one year after issue by default.

The code is a secret: 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
drawn from ``secrets``; only its SHA-256 is stored (~79 bits of entropy: a plain hash cannot be
reversed by guessing). It is shown once, at issue, and never written to a log.

A card's value moves through five counters, in minor units of its currency:
``initial = available + reserved + redeemed + broken + refunded``; ``reserved`` is held by
pending payments or refunds (released if they fail), ``redeemed`` paid for something,
``broken`` expired unused and moved to platform revenue (breakage), ``refunded`` (a bought card
only) paid back to its buyer. The ledger's gift-card liability is what is none of the last
three.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

from parovoz_payment.domain.audit import AuditRecord
from parovoz_payment.domain.money import Money

#: 31 characters: digits 2-9 and letters without O, I, L (0/O and 1/I/L look alike).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
GIFT_CARDS_POINTER = "/data/attributes/gift_card_codes"
_ALPHABET_SET = frozenset(ALPHABET)


class GiftCardOrigin(StrEnum):
    #: Issued by an admin, paid for from the platform's marketing budget.
    PROMOTIONAL = "promotional"
    #: Bought by a user (a ``gift_card`` payment).
    PURCHASE = "purchase"


@dataclass(frozen=True)
class GiftCardRules:
    #: PRODUCT.md: a card expires one year after issue by default.
    validity: timedelta = timedelta(days=365)
    #: Several cards may pay one order (applied in the order given), at most this many.
    max_per_order: int = 5
    #: Bounds of an issued value, in minor units (100.00 .. 100,000.00).
    min_value: int = 10_000
    max_value: int = 10_000_000


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None when it cannot be one."""
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or not set(code) <= _ALPHABET_SET:
        return None
    return code


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def display_code(code: str) -> str:
    """``ABCDEFGHJKMNPQRS`` → ``ABCD-EFGH-JKMN-PQRS`` (how the buyer reads it)."""
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


@dataclass(frozen=True)
class GiftCard:
    id: uuid.UUID
    currency: str
    initial_minor: int
    reserved_minor: int
    redeemed_minor: int
    broken_minor: int
    origin: GiftCardOrigin
    issued_at: datetime
    expires_at: datetime
    #: The ``gift_card`` payment that bought it (purchase origin).
    payment_id: uuid.UUID | None = None
    refunded_minor: int = 0

    def __post_init__(self) -> None:
        parts = (self.reserved_minor, self.redeemed_minor, self.broken_minor, self.refunded_minor)
        if min(parts) < 0 or sum(parts) > self.initial_minor:
            raise ValueError("gift card counters out of order")

    def audit_state(self) -> dict[str, object]:
        """The whole card as the audit log shows it (never its code)."""
        return {
            "origin": self.origin.value,
            "currency": self.currency,
            "initial_minor": self.initial_minor,
            "reserved_minor": self.reserved_minor,
            "redeemed_minor": self.redeemed_minor,
            "broken_minor": self.broken_minor,
            "refunded_minor": self.refunded_minor,
            "available_minor": self.available.amount_minor,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "payment_id": None if self.payment_id is None else str(self.payment_id),
        }

    @property
    def available(self) -> Money:
        spent = self.reserved_minor + self.redeemed_minor + self.broken_minor + self.refunded_minor
        return Money(self.initial_minor - spent, self.currency)

    @property
    def liability(self) -> Money:
        """What the platform still owes on the card (reserved included)."""
        owed = self.initial_minor - self.redeemed_minor - self.broken_minor - self.refunded_minor
        return Money(owed, self.currency)

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def check_usable(self, currency: str, now: datetime, pointer: str) -> None:
        if self.is_expired(now):
            raise BusinessRuleViolation(
                "The gift card has expired.", code="GIFT_CARD_EXPIRED", pointer=pointer
            )
        if self.currency != currency:
            raise BusinessRuleViolation(
                f"The gift card holds {self.currency}; the order is in {currency}.",
                code="GIFT_CARD_CURRENCY_MISMATCH",
                pointer=pointer,
            )
        if not self.available.is_positive:
            raise BusinessRuleViolation(
                "The gift card has nothing left on it.",
                code="GIFT_CARD_EXHAUSTED",
                pointer=pointer,
            )

    def reserve(self, amount: Money) -> GiftCard:
        if amount > self.available or not amount.is_positive:
            raise ValueError("a reservation is positive and at most what is available")
        return replace(self, reserved_minor=self.reserved_minor + amount.amount_minor)


def issue_gift_card(
    value: Money,
    now: datetime,
    origin: GiftCardOrigin,
    *,
    rules: GiftCardRules | None = None,
    payment_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
    pointer: str = "/data/attributes/value",
) -> tuple[GiftCard, str]:
    """A new card and its code (the only time the code exists in clear)."""
    rules = rules or GiftCardRules()
    if not rules.min_value <= value.amount_minor <= rules.max_value:
        raise BusinessRuleViolation(
            f"A gift card is worth {rules.min_value}..{rules.max_value} minor units.",
            code="INVALID_GIFT_CARD_VALUE",
            pointer=f"{pointer}/amount_minor",
        )
    expiry = expires_at or now + rules.validity
    if expiry <= now:
        raise ValidationFailed(
            "A gift card expires in the future.",
            code="INVALID_GIFT_CARD_EXPIRY",
            pointer="/data/attributes/expires_at",
        )
    card = GiftCard(
        id=uuid.uuid4(),
        currency=value.currency,
        initial_minor=value.amount_minor,
        reserved_minor=0,
        redeemed_minor=0,
        broken_minor=0,
        origin=origin,
        issued_at=now,
        expires_at=expiry,
        payment_id=payment_id,
    )
    return card, generate_code()


def allocate(cards: Sequence[GiftCard], to_cover: Money) -> list[tuple[GiftCard, Money]]:
    """What each card pays of ``to_cover``, in the order given; cards not needed pay nothing
    (and are left out, so nothing is reserved on them)."""
    left = to_cover
    taken: list[tuple[GiftCard, Money]] = []
    for card in cards:
        if not left.is_positive:
            break
        part = card.available if card.available < left else left
        taken.append((card, part))
        left = left - part
    return taken


def gift_card_audit(
    card: GiftCard,
    actor: str,
    action: str,
    *,
    before: GiftCard | None = None,
    **facts: object,
) -> AuditRecord:
    """The audit record of something done to a card: the whole card after it (and before it
    when it changed the card), plus ``facts``. Never the code."""
    return AuditRecord(
        actor=actor,
        action=action,
        subject_type="gift_card",
        subject_id=str(card.id),
        before=None if before is None else before.audit_state(),
        after={**card.audit_state(), **facts},
        request_id=None,
    )

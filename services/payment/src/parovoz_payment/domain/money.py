"""Money: integer minor units (kopecks, tiyn, cents) in one ISO 4217 currency. Never floats.

Arithmetic and comparisons refuse to mix currencies; splitting (:meth:`Money.allocate`) always
returns parts that add up to the whole, so rounding never creates or destroys a kopeck.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class CurrencyMismatch(BusinessRuleViolation):
    """Amounts in two currencies meet where one is expected (422: a well-formed request the
    domain refuses)."""

    default_code = "CURRENCY_MISMATCH"


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True kopecks is a bug, not an amount.
        if type(self.amount_minor) is not int:
            raise TypeError(f"amount_minor must be an int, got {type(self.amount_minor).__name__}")
        if not _CURRENCY.match(self.currency):
            raise ValidationFailed(
                f"{self.currency!r} is not an ISO 4217 currency code", code="INVALID_CURRENCY"
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def total(cls, items: Iterable[Money], currency: str) -> Money:
        """Sum of ``items`` (all in ``currency``); zero when there are none."""
        result = cls.zero(currency)
        for item in items:
            result = result + item
        return result

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor >= other.amount_minor

    @property
    def is_positive(self) -> bool:
        return self.amount_minor > 0

    @property
    def is_zero(self) -> bool:
        return self.amount_minor == 0

    def portion(self, numerator: int, denominator: int) -> Money:
        """``self * numerator / denominator`` rounded toward zero (whoever takes the rest gets
        the remainder: ``whole - whole.portion(...)``)."""
        if denominator <= 0 or numerator < 0:
            raise ValueError("portion needs numerator >= 0 and denominator > 0")
        magnitude = abs(self.amount_minor) * numerator // denominator
        return Money(magnitude if self.amount_minor >= 0 else -magnitude, self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split in proportion to non-negative integer ``weights`` (largest remainder method).

        The parts always sum to ``self``; leftover minor units go one each to the parts with
        the largest fractional remainders, earlier parts first on ties (deterministic).
        """
        if not weights or any(weight < 0 for weight in weights) or sum(weights) == 0:
            raise ValueError("allocate needs non-negative weights with a positive sum")
        total_weight = sum(weights)
        sign = -1 if self.amount_minor < 0 else 1
        magnitude = abs(self.amount_minor)
        floors = [magnitude * weight // total_weight for weight in weights]
        remainders = [magnitude * weight % total_weight for weight in weights]
        leftover = magnitude - sum(floors)
        by_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
        for index in by_remainder[:leftover]:
            floors[index] += 1
        return [Money(sign * part, self.currency) for part in floors]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.currency} (minor units)"

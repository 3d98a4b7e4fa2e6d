"""The card a buyer enters on the payment page, as the providers report it afterwards.

Only what the real providers report is kept, never the number: YooKassa's
``payment_method.card`` (``first6``, ``last4``, ``expiry_month``, ``expiry_year``,
``card_type``) and T-Bank's masked ``Pan`` (``220220******1234``) and ``ExpDate`` (``MMYY``).
A buyer who names no card pays with a made-up one of their own payment (seeded by its id).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\d{13,19}$")
_EXPIRY = re.compile(r"^(0[1-9]|1[0-2])/?(\d{2})$")
#: The sandbox's own BIN (a Mir range) for the made-up cards.
SANDBOX_BIN = "220220"
DEFAULT_EXPIRY = "1230"


class InvalidCard(ValueError):
    """The entered number or expiry is not a card's."""


@dataclass(frozen=True)
class Card:
    first6: str
    last4: str
    #: Two digits each: ``12`` and ``30`` for December 2030.
    expiry_month: str
    expiry_year: str

    @classmethod
    def entered(cls, number: str, expiry: str | None = None) -> Card:
        """The card the buyer typed: a 13..19-digit number (spaces allowed) and ``MMYY`` or
        ``MM/YY`` (December 2030 when not given). The number itself is not kept."""
        digits = number.replace(" ", "")
        if not _NUMBER.match(digits):
            raise InvalidCard("a card number has 13 to 19 digits")
        found = _EXPIRY.match((expiry or DEFAULT_EXPIRY).strip())
        if found is None:
            raise InvalidCard("an expiry is MMYY or MM/YY")
        return cls(digits[:6], digits[-4:], found.group(1), found.group(2))

    @classmethod
    def made_up(cls, seed: str) -> Card:
        """Never a real number: the sandbox's BIN and last digits derived from ``seed``."""
        last4 = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % 10000
        return cls(SANDBOX_BIN, f"{last4:04d}", DEFAULT_EXPIRY[:2], DEFAULT_EXPIRY[2:])

    @property
    def card_type(self) -> str:
        return {"2": "Mir", "4": "Visa", "5": "MasterCard", "3": "AmericanExpress"}.get(
            self.first6[0], "Unknown"
        )

    def yookassa(self) -> dict[str, str]:
        """YooKassa's ``payment_method.card``."""
        return {
            "first6": self.first6,
            "last4": self.last4,
            "expiry_year": f"20{self.expiry_year}",
            "expiry_month": self.expiry_month,
            "card_type": self.card_type,
            "issuer_country": "RU",
            "issuer_name": "Sandbox Bank",
        }

    def tbank_pan(self) -> str:
        """T-Bank's masked ``Pan``."""
        return f"{self.first6}******{self.last4}"

    def tbank_expiry(self) -> str:
        """T-Bank's ``ExpDate`` (``MMYY``)."""
        return f"{self.expiry_month}{self.expiry_year}"

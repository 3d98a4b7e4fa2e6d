"""A saved payment method: a provider's token for off-session charges (renewals).

Only the provider's opaque token is kept -- never a card number, expiry or CVC -- plus a title
the owner recognises ("MIR •••• 4444"). Removal is soft (``removed_at``): past payments still
name the method, and the audit log says who removed it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from parovoz_kit.errors import NotFound

from parovoz_payment.domain.methods import Provider

_LAST4 = re.compile(r"^[0-9]{4}$")
_MASK = "\u2022\u2022\u2022\u2022"  # ••••


def card_title(brand: str, last4: str) -> str:
    """``card_title("mir", "4444")`` → ``"MIR •••• 4444"``: what the owner sees, never more."""
    if not _LAST4.match(last4):
        raise ValueError("a card title shows exactly the last 4 digits")
    brand = brand.strip().upper()
    if not brand or len(brand) > 24:
        raise ValueError("a card brand has 1 to 24 characters")
    return f"{brand} {_MASK} {last4}"


@dataclass(frozen=True)
class SavedMethod:
    id: uuid.UUID
    user_id: uuid.UUID
    provider: Provider
    #: The provider's token; repr=False keeps it out of logs and tracebacks.
    provider_token: str = field(repr=False)
    title: str
    created_at: datetime
    removed_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.provider_token or len(self.provider_token) > 255:
            raise ValueError("a provider token has 1 to 255 characters")
        if not self.title or len(self.title) > 64:
            raise ValueError("a saved method title has 1 to 64 characters")

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    def audit_state(self) -> dict[str, Any]:
        """What the audit log keeps of the method: the title, never the token."""
        return {
            "user_id": str(self.user_id),
            "provider": self.provider.value,
            "title": self.title,
            "removed_at": None if self.removed_at is None else self.removed_at.isoformat(),
        }


def saved_method_not_found(method_id: uuid.UUID) -> NotFound:
    # The same answer for unknown, someone else's and already removed: nothing to probe.
    return NotFound(
        f"Saved payment method {method_id} was not found.", code="SAVED_METHOD_NOT_FOUND"
    )

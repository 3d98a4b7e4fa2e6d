"""Offline licenses: one game on one device, valid for a while without the network.

A license is issued when access is allowed now (the same decision as CheckAccess), runs from
its issue for the rules' validity, and never past the end of the access that granted it
(``access_until``: the subscription's paid period or grace, an announced catalog removal).
Renewal online is a new license; an earlier one stays valid until its own expiry. Instants are
whole seconds (a license's claims are seconds since the epoch).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from parovoz_kit.errors import BusinessRuleViolation

from parovoz_subscription.error_texts import RUSSIAN

#: A device id as the launcher chooses it (as in CheckAccess): 1 to this many characters.
DEVICE_ID_LIMIT = 128


@dataclass(frozen=True, slots=True)
class OfflineLicense:
    id: uuid.UUID
    user_id: uuid.UUID
    game_id: uuid.UUID
    device_id: str
    subscription_id: uuid.UUID
    #: The id of the key that signed it (the token's ``kid``).
    key_id: str
    issued_at: datetime
    #: Exclusive: from this instant on the license is expired.
    expires_at: datetime


def license_expiry(
    issued_at: datetime, access_until: datetime | None, validity: timedelta
) -> datetime:
    """When a license issued at ``issued_at`` expires: ``validity`` later, or when the access
    that grants it ends if that is sooner (whole seconds, never later than either)."""
    expires_at = issued_at + validity
    if access_until is not None:
        expires_at = min(expires_at, _whole_second(access_until))
    return expires_at


def new_license(
    *,
    user_id: uuid.UUID,
    game_id: uuid.UUID,
    device_id: str,
    subscription_id: uuid.UUID,
    access_until: datetime | None,
    key_id: str,
    validity: timedelta,
    now: datetime,
) -> OfflineLicense:
    """A license granted now by ``subscription_id``'s access (ending at ``access_until``)."""
    issued_at = _whole_second(now)
    expires_at = license_expiry(issued_at, access_until, validity)
    if expires_at <= issued_at:
        # Access ends within the second: nothing is left to license.
        raise license_refused("SUBSCRIPTION_EXPIRED")
    return OfflineLicense(
        id=uuid.uuid4(),
        user_id=user_id,
        game_id=game_id,
        device_id=device_id,
        subscription_id=subscription_id,
        key_id=key_id,
        issued_at=issued_at,
        expires_at=expires_at,
    )


def license_refused(reason: str) -> BusinessRuleViolation:
    """Access is denied for ``reason`` (an access reason code, e.g. ``GAME_NOT_IN_SUBSCRIPTION``):
    no license. The error's code is the reason, as CheckAccess would answer it."""
    why = RUSSIAN.get(reason, "Доступа к игре нет.")
    return BusinessRuleViolation(
        f"Access to this game is denied ({reason}): no offline license is issued.",
        code=reason,
        detail_ru=f"{why} Офлайн-лицензия не выдаётся.",
    )


def _whole_second(instant: datetime) -> datetime:
    return instant.replace(microsecond=0)

"""When an account is paid out (PRODUCT.md: "on request, or monthly automatic").

``monthly``: on the 1st of each month (UTC) developer-portal's leased job asks for a payout of
the whole available RUB balance (less what the developer owes back) to the chosen method,
when it reaches the minimum. The day is fixed: one day for every account keeps the job one
run per month and the payout predictable for the developer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_developer_portal.finance.domain.balances import DeveloperBalance
from parovoz_developer_portal.finance.domain.payouts import PayoutAmount

#: Automatic payouts go to Russian bank accounts, in roubles.
AUTOMATIC_PAYOUT_CURRENCY = "RUB"
#: The day of the month automatic payouts are asked on (UTC).
AUTOMATIC_PAYOUT_DAY = 1
#: Names the automatic request of (account, month): uuid5 of it is the request's id, so a
#: second runner or a rerun of the month finds the first one instead of asking again.
_AUTOMATIC_REQUESTS = uuid.UUID("0b0e6c1d-53a4-4c51-9d0c-8a1f4d7e2a61")


class PayoutScheduleMode(StrEnum):
    ON_REQUEST = "on_request"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class PayoutSchedule:
    developer_id: uuid.UUID
    mode: PayoutScheduleMode
    #: Where monthly payouts go; None when paid on request only.
    payout_method_id: uuid.UUID | None
    updated_by_user_id: uuid.UUID | None
    updated_at: datetime | None


def on_request_schedule(developer_id: uuid.UUID) -> PayoutSchedule:
    """An account that never chose: paid when it asks."""
    return PayoutSchedule(developer_id, PayoutScheduleMode.ON_REQUEST, None, None, None)


def automatic_request_id(developer_id: uuid.UUID, period_key: str) -> uuid.UUID:
    """The id of the account's automatic payout request of the month ``period_key``."""
    return uuid.uuid5(_AUTOMATIC_REQUESTS, f"{developer_id}:{period_key}")


def automatic_payout_amount(balance: DeveloperBalance, minimum_minor: int) -> PayoutAmount | None:
    """All of the available roubles less what is owed back, or None below the minimum."""
    payable = sum(
        entry.available_minor - entry.owed_minor
        for entry in balance.balances
        if entry.currency == AUTOMATIC_PAYOUT_CURRENCY
    )
    if payable < minimum_minor:
        return None
    return PayoutAmount(payable, AUTOMATIC_PAYOUT_CURRENCY)

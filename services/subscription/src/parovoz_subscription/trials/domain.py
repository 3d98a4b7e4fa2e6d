"""A trial taken: once per user per plan type (PRODUCT.md "Subscription": trial). Plain Python.

The trial itself is the first period of a subscription in status ``trial``; this record only
remembers that the user has had one of the plan type, and how it ended: ``running`` until the
trial's end, then ``converted`` (the first paid period was charged) or ``expired`` (no saved
method, or cancelled and never resumed). Billing's renewal job sets the outcome.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parovoz_subscription.subscriptions.domain import PlanType


class TrialOutcome(StrEnum):
    RUNNING = "running"
    CONVERTED = "converted"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Trial:
    user_id: uuid.UUID
    plan_type: PlanType
    subscription_id: uuid.UUID
    started_at: datetime
    ends_at: datetime
    outcome: TrialOutcome = TrialOutcome.RUNNING

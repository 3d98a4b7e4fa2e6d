"""Appeals' configurable numbers (PRODUCT.md "Appeal"), built by ``settings.appeal_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class AppealRules:
    #: A rejection may be appealed this long after it (30 days).
    period: timedelta
    #: The voting window an approved appeal opens lasts this many days (results' rule: 14).
    window_days: int

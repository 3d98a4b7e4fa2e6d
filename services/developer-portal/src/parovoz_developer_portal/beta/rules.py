"""Beta tests' configurable numbers, built in settings.py (``beta_rules``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class BetaRules:
    #: The largest participant cap a test may have (and the cap when none is given).
    max_participants: int
    #: The longest a test may run, from its start to its end.
    max_duration: timedelta
    #: Invite codes one test may hold that still admit players (not revoked, expired, used up).
    max_active_codes: int
    #: Page size of participants and feedback when the client names none, and the largest.
    default_page_size: int
    max_page_size: int

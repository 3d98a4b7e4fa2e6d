"""The team's configurable numbers, built in settings.py (``team_rules``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class TeamRules:
    #: How long an invitation may be accepted after it was sent.
    invitation_ttl: timedelta
    #: The most invitations ``GET /team/invitations`` lists (newest first).
    invitations_listed: int

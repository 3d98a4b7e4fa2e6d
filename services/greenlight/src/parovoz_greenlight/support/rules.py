"""Support's configurable numbers (first-response times by priority, the reopen period, page
sizes), built by ``settings.support_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from parovoz_greenlight.support.domain import Priority


@dataclass(frozen=True)
class SupportRules:
    #: Staff owe a first response this long after a ticket is opened, by priority
    #: (urgent 4 h, high 24 h, normal 72 h, low 168 h).
    urgent_response: timedelta
    high_response: timedelta
    normal_response: timedelta
    low_response: timedelta
    #: A developer may reopen a resolved ticket this long after its resolution (14 days).
    reopen_period: timedelta
    #: Tickets a page of GET /support/tickets.
    default_page_size: int
    max_page_size: int

    def first_response_within(self, priority: Priority) -> timedelta:
        return {
            Priority.URGENT: self.urgent_response,
            Priority.HIGH: self.high_response,
            Priority.NORMAL: self.normal_response,
            Priority.LOW: self.low_response,
        }[priority]

"""Moderation's configurable numbers (PRODUCT.md "Greenlight"), built by
``settings.moderation_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ModerationRules:
    #: REQUEST_CHANGES without a deadline: the changes are due this long after the request.
    changes_deadline: timedelta
    #: The latest deadline a curator may set for requested changes.
    longest_changes_deadline: timedelta
    #: A rejection may be appealed this long after it (``appealable_until`` of the event).
    appeal_period: timedelta
    #: Page sizes of ``GET /curators``.
    default_page_size: int
    max_page_size: int

"""Results' configurable numbers (PRODUCT.md "Greenlight": the voting window, the window after an
approved appeal, the 24-hour audit, the approval rule), built by ``settings.results_rules()``;
no default is repeated here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ResultsRules:
    #: How long a first voting window stays open.
    window: timedelta
    #: How long the window opened by an approved appeal stays open.
    appeal_window: timedelta
    #: How long the audit runs after a window closed, before the result is final.
    audit: timedelta
    #: Valid (not flagged) votes a submission needs at least to be approved.
    minimum_valid_votes: int
    #: Weighted yes ÷ (yes + no) a submission needs at least, in basis points (6000 = 60 %).
    approval_threshold_basis_points: int
    #: A rejection by the vote may be appealed this long (moderation's appeal period).
    appeal_period: timedelta
    #: How often the closing job runs, and the windows one run handles at most.
    jobs_every: timedelta
    batch_size: int

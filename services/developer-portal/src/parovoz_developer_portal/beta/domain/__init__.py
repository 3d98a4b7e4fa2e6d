"""Closed beta tests (seed 000 "Testing Management"): a test of one version of a game, its
invite codes, its participants under a cap, and their feedback (plain Python, no I/O).

- ``beta_test``: the test, its machine (``draft`` → ``open`` → ``ended``; ``cancelled``), its
  dates and cap, read from the clock (an open test past its ``ends_at`` is ended);
- ``codes``: invite codes (use limit, expiry, revocation);
- ``participants``: joins under the cap, leaves, feedback and the exact average rating;
- ``pages``: cursors of the participants' and feedback's pages.
"""

from parovoz_developer_portal.beta.domain.beta_test import (
    TESTABLE_VERSION_STATES,
    BetaChanges,
    BetaStatus,
    BetaTest,
    beta_not_found,
    can_move,
    cancel_beta_test,
    change_beta_test,
    code_not_found,
    end_beta_test,
    not_participant,
    open_beta_test,
    plan_beta_test,
)
from parovoz_developer_portal.beta.domain.codes import (
    CODE_BYTES,
    CodeStatus,
    InviteCode,
    invalid_code,
    issue_code,
    normalized_code,
)
from parovoz_developer_portal.beta.domain.pages import Position
from parovoz_developer_portal.beta.domain.participants import (
    MAX_RATING,
    MIN_RATING,
    Admission,
    Feedback,
    Participation,
    RatingSummary,
    admit,
    give_feedback,
    leave,
)

__all__ = [
    "CODE_BYTES",
    "MAX_RATING",
    "MIN_RATING",
    "TESTABLE_VERSION_STATES",
    "Admission",
    "BetaChanges",
    "BetaStatus",
    "BetaTest",
    "CodeStatus",
    "Feedback",
    "InviteCode",
    "Participation",
    "Position",
    "RatingSummary",
    "admit",
    "beta_not_found",
    "can_move",
    "cancel_beta_test",
    "change_beta_test",
    "code_not_found",
    "end_beta_test",
    "give_feedback",
    "invalid_code",
    "issue_code",
    "leave",
    "normalized_code",
    "not_participant",
    "open_beta_test",
    "plan_beta_test",
]

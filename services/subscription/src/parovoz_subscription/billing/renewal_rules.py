"""Renewals' and dunning's configurable numbers (PRODUCT.md "Subscription": renewal, retries,
suspension, expiry), built by ``settings.renewal_rules()``; no default is repeated here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RenewalRules:
    #: Retries of a soft-declined renewal, counted from the period end (the first attempt):
    #: (1, 3, 7) = attempts 2, 3 and 4 at +1, +3 and +7 days. After the last one: suspended.
    retry_days: tuple[int, ...]
    #: After a hard decline (no retries) access is kept this long from the period end, while the
    #: subscriber is asked for a new method; then suspended.
    hard_decline_grace: timedelta
    #: A subscription suspended this long expires.
    suspended_expiry: timedelta
    #: ``subscription.renewal.upcoming.v1`` is sent this long before a charge (once per period).
    upcoming_notice: timedelta
    #: Subscriptions one job run handles at most (each in its own transaction, SKIP LOCKED).
    batch_size: int
    #: How often the billing jobs run.
    jobs_every: timedelta

    @property
    def grace(self) -> timedelta:
        """Access kept after the period end while a soft-declined renewal is retried: until the
        last retry."""
        return timedelta(days=self.retry_days[-1]) if self.retry_days else timedelta(0)

    @property
    def attempts(self) -> int:
        """Attempts of one period's renewal: the one on time and the retries."""
        return 1 + len(self.retry_days)

    def next_retry_after(self, failed_attempts: int) -> timedelta | None:
        """How long after the period end the attempt following ``failed_attempts`` failures
        runs; None when no attempt is left."""
        if failed_attempts < 1 or failed_attempts > len(self.retry_days):
            return None
        return timedelta(days=self.retry_days[failed_attempts - 1])

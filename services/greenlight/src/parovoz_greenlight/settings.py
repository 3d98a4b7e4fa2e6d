"""greenlight settings: environment variables prefixed ``GREENLIGHT_``; the only reader of the
environment. Each context's numbers live in its block and are built into its rules object
(``<context>/rules.py``) by a method here; no default is repeated anywhere else."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from parovoz_kit.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from parovoz_greenlight.appeals.rules import AppealRules
from parovoz_greenlight.fees.rules import FeeRules
from parovoz_greenlight.integrity.penalties import PenaltyRules
from parovoz_greenlight.integrity.rules import IntegrityRules
from parovoz_greenlight.moderation.rules import ModerationRules
from parovoz_greenlight.results.rules import ResultsRules
from parovoz_greenlight.stats.rules import StatsRules
from parovoz_greenlight.submissions.rules import SubmissionRules
from parovoz_greenlight.support.rules import SupportRules
from parovoz_greenlight.voting.rules import VotingRules


class GreenlightSettings(ServiceSettings):
    # hide_input_in_errors: a refused setting must not print the secrets next to it.
    model_config = SettingsConfigDict(
        env_prefix="GREENLIGHT_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    service_name: str = "greenlight"
    http_port: int = 8082
    grpc_port: int = 9092
    api_prefix: str = "/api/v1/greenlight"
    database_url: str = (
        "postgresql+psycopg://greenlight:greenlight-dev-password@127.0.0.1:55432/greenlight"
    )
    redis_url: str = "redis://127.0.0.1:56379/1"
    auth_client_secret: SecretStr = SecretStr("greenlight-dev-secret")
    payment_grpc_target: str = "127.0.0.1:9094"
    developer_portal_grpc_target: str = "127.0.0.1:9091"
    user_service_url: str = "http://127.0.0.1:8092"

    # --- submissions --------------------------------------------------------------------------
    #: Page sizes of the public list and of /submissions/mine.
    submissions_page_size: int = Field(default=20, ge=1, le=100)
    submissions_max_page_size: int = Field(default=100, ge=1, le=500)
    #: sort=trending ranks at most this many of the newest public submissions.
    submissions_trending_candidates: int = Field(default=200, ge=1, le=2000)
    #: Submitting needs a description of at least this many characters, and the target
    #: audience, team, timeline and business plan of at least this many each (422
    #: INVALID_SUBMISSION_DATA, one error per field; a draft may stay incomplete until then).
    submissions_min_description_chars: int = Field(default=50, ge=1, le=10_000)
    submissions_min_detail_chars: int = Field(default=10, ge=1, le=5_000)

    # --- fees ---------------------------------------------------------------------------------
    #: The submission fee (PRODUCT.md "Greenlight": 5,000.00 RUB), in minor units, and currency.
    fees_amount_minor: int = Field(default=500_000, ge=1, le=100_000_000)
    fees_currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    #: The payer's region payment routes and taxes the fee by.
    fees_region: str = Field(default="RU", pattern=r"^[A-Z]{2}$")
    #: VAT of the fee's receipt line (54-FZ; 22 % in Russia from 2026-01-01).
    fees_vat_code: Literal["no_vat", "vat_0", "vat_10", "vat_20", "vat_22"] = "vat_22"
    #: Where the provider sends the developer back after paying (``{submission_id}`` filled in).
    fees_return_url: str = Field(
        default="https://parovoz.example/greenlight/submissions/{submission_id}/fee",
        pattern=r"^https?://",
        max_length=2000,
    )

    # --- moderation ---------------------------------------------------------------------------
    #: REQUEST_CHANGES: the changes are due this many days later unless the curator says when;
    #: a curator's own deadline is at most the longest.
    moderation_changes_deadline_days: int = Field(default=14, ge=1, le=365)
    moderation_longest_changes_deadline_days: int = Field(default=90, ge=1, le=365)
    #: A rejection may be appealed within this many days (PRODUCT.md "Appeal": 30).
    moderation_appeal_days: int = Field(default=30, ge=1, le=365)
    #: Page sizes of GET /curators.
    moderation_curators_page_size: int = Field(default=50, ge=1, le=500)
    moderation_curators_max_page_size: int = Field(default=200, ge=1, le=1000)

    # --- voting -------------------------------------------------------------------------------
    #: A voter's account must be older than this many days (PRODUCT.md: 30) and have bought at
    #: least this many games (1).
    voting_min_account_age_days: int = Field(default=30, ge=0, le=3650)
    voting_min_purchases: int = Field(default=1, ge=0, le=1000)
    #: A vote's weight in tenths: 10 (1.0); 15 (1.5) when the voter played the demo.
    voting_base_weight_tenths: int = Field(default=10, ge=1, le=100)
    voting_demo_weight_tenths: int = Field(default=15, ge=1, le=100)
    #: How long the user service is waited for when checking eligibility.
    voting_user_service_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    #: A voter's facts (account age, purchases, blocked) kept in process this long after the
    #: user service answered them (0: asked on every check); a block reaches voting within it.
    voting_voter_facts_ttl_seconds: int = Field(default=30, ge=0, le=3600)
    #: Live results kept in Redis this long after a rebuild from PostgreSQL; each Redis call
    #: bounded by the timeout (then PostgreSQL counts).
    voting_live_cache_ttl_seconds: int = Field(default=60, ge=1, le=86_400)
    voting_live_cache_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    #: Receipts a page (GET /votes/mine).
    voting_default_page_size: int = Field(default=50, ge=1, le=500)
    voting_max_page_size: int = Field(default=200, ge=1, le=500)
    #: The live rate limit (a user's vote beyond the limit within the sliding period: 429
    #: SUSPICIOUS_VOTING_DETECTED) is the integrity block's `integrity_rate_limit_votes` within
    #: `integrity_rate_period_minutes`: one setting, read by voting_rules() and integrity_rules().

    # --- results ------------------------------------------------------------------------------
    #: A voting window's length, and the length of the window an approved appeal opens.
    results_window_days: int = Field(default=30, ge=1, le=365)
    results_appeal_window_days: int = Field(default=14, ge=1, le=365)
    #: The audit after a window closed, before the result is final.
    results_audit_hours: int = Field(default=24, ge=0, le=24 * 30)
    #: The approval rule: at least this many valid votes and a weighted yes share of at least
    #: this many basis points (6000 = 60 %).
    results_minimum_valid_votes: int = Field(default=100, ge=1, le=1_000_000)
    results_approval_threshold_basis_points: int = Field(default=6000, ge=1, le=10000)
    #: How often the closing job runs, and the windows one run handles at most.
    results_jobs_every_seconds: int = Field(default=60, ge=1, le=86400)
    results_jobs_batch_size: int = Field(default=100, ge=1, le=10000)

    # --- integrity ----------------------------------------------------------------------------
    #: Penalties (helper I2): a voting suspension lasts 7 or 30 days (PRODUCT.md), an account
    #: suspension at most this many days; a penalty may be appealed within 30 days.
    integrity_voting_suspension_short_days: int = Field(default=7, ge=1, le=365)
    integrity_voting_suspension_long_days: int = Field(default=30, ge=1, le=365)
    integrity_longest_account_suspension_days: int = Field(default=365, ge=1, le=3650)
    integrity_penalty_appeal_days: int = Field(default=30, ge=1, le=365)
    #: The audit penalizes flagged voters on its own: a WARNING first; a voter warned within
    #: this many days before the new offence gets the short voting suspension, one suspended
    #: before the long one.
    integrity_warning_memory_days: int = Field(default=180, ge=1, le=3650)
    #: Rate limit: a user's votes beyond this many within any hour (PRODUCT.md: 30) are flagged.
    integrity_rate_limit_votes: int = Field(default=30, ge=1, le=10_000)
    integrity_rate_period_minutes: int = Field(default=60, ge=1, le=24 * 60)
    #: Burst: more than this many votes on one submission within this many minutes (20 in 10)
    #: from young accounts (younger than this many days: 90) or voters sharing a device or /24.
    integrity_burst_votes: int = Field(default=20, ge=1, le=100_000)
    integrity_burst_period_minutes: int = Field(default=10, ge=1, le=24 * 60)
    integrity_young_account_days: int = Field(default=90, ge=0, le=3650)
    #: Lockstep: accounts with at least this many same-choice votes on shared submissions, each
    #: pair cast within this many minutes of each other.
    integrity_lockstep_min_shared: int = Field(default=3, ge=2, le=1000)
    integrity_lockstep_period_minutes: int = Field(default=5, ge=1, le=24 * 60)

    # --- appeals ------------------------------------------------------------------------------
    # The appeal period is `moderation_appeal_days` (the `appealable_until` of the rejection
    # events) and the window an approved appeal opens `results_appeal_window_days`: one setting
    # each, read by `appeal_rules()`.

    # --- support ------------------------------------------------------------------------------
    #: Staff owe a ticket's first response within this many hours of its opening, by priority.
    support_first_response_hours_urgent: int = Field(default=4, ge=1, le=24 * 90)
    support_first_response_hours_high: int = Field(default=24, ge=1, le=24 * 90)
    support_first_response_hours_normal: int = Field(default=72, ge=1, le=24 * 90)
    support_first_response_hours_low: int = Field(default=168, ge=1, le=24 * 90)
    #: A developer may reopen a resolved ticket within this many days of its resolution.
    support_reopen_days: int = Field(default=14, ge=0, le=365)
    #: Tickets a page of GET /support/tickets.
    support_page_size: int = Field(default=20, ge=1, le=500)
    support_max_page_size: int = Field(default=100, ge=1, le=500)

    # --- stats --------------------------------------------------------------------------------
    #: GET /stats without a period: this many days up to today (included); a period asked for
    #: is at most the longest.
    stats_default_period_days: int = Field(default=30, ge=1, le=3660)
    stats_longest_period_days: int = Field(default=366, ge=1, le=3660)
    #: System metrics kept in Redis this long; each Redis call bounded by the timeout (then
    #: PostgreSQL counts).
    stats_cache_ttl_seconds: int = Field(default=60, ge=1, le=86_400)
    stats_cache_timeout_seconds: float = Field(default=0.25, gt=0, le=5)

    # --- rules objects (one method per context, added with its block) -------------------------
    def submission_rules(self) -> SubmissionRules:
        return SubmissionRules(
            default_page_size=self.submissions_page_size,
            max_page_size=self.submissions_max_page_size,
            trending_candidates=self.submissions_trending_candidates,
            min_description_chars=self.submissions_min_description_chars,
            min_detail_chars=self.submissions_min_detail_chars,
        )

    def fee_rules(self) -> FeeRules:
        return FeeRules(
            amount_minor=self.fees_amount_minor,
            currency=self.fees_currency,
            region=self.fees_region,
            vat_code=self.fees_vat_code,
            return_url=self.fees_return_url,
        )

    def results_rules(self) -> ResultsRules:
        return ResultsRules(
            window=timedelta(days=self.results_window_days),
            appeal_window=timedelta(days=self.results_appeal_window_days),
            audit=timedelta(hours=self.results_audit_hours),
            minimum_valid_votes=self.results_minimum_valid_votes,
            approval_threshold_basis_points=self.results_approval_threshold_basis_points,
            appeal_period=timedelta(days=self.moderation_appeal_days),
            jobs_every=timedelta(seconds=self.results_jobs_every_seconds),
            batch_size=self.results_jobs_batch_size,
        )

    def moderation_rules(self) -> ModerationRules:
        return ModerationRules(
            changes_deadline=timedelta(days=self.moderation_changes_deadline_days),
            longest_changes_deadline=timedelta(
                days=max(
                    self.moderation_changes_deadline_days,
                    self.moderation_longest_changes_deadline_days,
                )
            ),
            appeal_period=timedelta(days=self.moderation_appeal_days),
            default_page_size=min(
                self.moderation_curators_page_size, self.moderation_curators_max_page_size
            ),
            max_page_size=self.moderation_curators_max_page_size,
        )

    def penalty_rules(self) -> PenaltyRules:
        return PenaltyRules(
            voting_suspension_days=(
                self.integrity_voting_suspension_short_days,
                self.integrity_voting_suspension_long_days,
            ),
            longest_account_suspension_days=self.integrity_longest_account_suspension_days,
            appeal_period=timedelta(days=self.integrity_penalty_appeal_days),
            warning_memory=timedelta(days=self.integrity_warning_memory_days),
        )

    def voting_rules(self) -> VotingRules:
        return VotingRules(
            min_account_age=timedelta(days=self.voting_min_account_age_days),
            min_purchases=self.voting_min_purchases,
            base_weight_tenths=self.voting_base_weight_tenths,
            demo_weight_tenths=self.voting_demo_weight_tenths,
            user_service_timeout_seconds=self.voting_user_service_timeout_seconds,
            voter_facts_ttl=timedelta(seconds=self.voting_voter_facts_ttl_seconds),
            live_cache_ttl_seconds=self.voting_live_cache_ttl_seconds,
            live_cache_timeout_seconds=self.voting_live_cache_timeout_seconds,
            default_page_size=min(self.voting_default_page_size, self.voting_max_page_size),
            max_page_size=self.voting_max_page_size,
            rate_limit_votes=self.integrity_rate_limit_votes,
            rate_period=timedelta(minutes=self.integrity_rate_period_minutes),
        )

    def appeal_rules(self) -> AppealRules:
        return AppealRules(
            period=timedelta(days=self.moderation_appeal_days),
            window_days=self.results_appeal_window_days,
        )

    def integrity_rules(self) -> IntegrityRules:
        return IntegrityRules(
            rate_limit_votes=self.integrity_rate_limit_votes,
            rate_period=timedelta(minutes=self.integrity_rate_period_minutes),
            burst_votes=self.integrity_burst_votes,
            burst_period=timedelta(minutes=self.integrity_burst_period_minutes),
            young_account_age=timedelta(days=self.integrity_young_account_days),
            lockstep_min_shared=self.integrity_lockstep_min_shared,
            lockstep_period=timedelta(minutes=self.integrity_lockstep_period_minutes),
        )

    def support_rules(self) -> SupportRules:
        return SupportRules(
            urgent_response=timedelta(hours=self.support_first_response_hours_urgent),
            high_response=timedelta(hours=self.support_first_response_hours_high),
            normal_response=timedelta(hours=self.support_first_response_hours_normal),
            low_response=timedelta(hours=self.support_first_response_hours_low),
            reopen_period=timedelta(days=self.support_reopen_days),
            default_page_size=min(self.support_page_size, self.support_max_page_size),
            max_page_size=self.support_max_page_size,
        )

    def stats_rules(self) -> StatsRules:
        return StatsRules(
            default_period_days=min(self.stats_default_period_days, self.stats_longest_period_days),
            longest_period_days=self.stats_longest_period_days,
            cache_ttl_seconds=self.stats_cache_ttl_seconds,
            cache_timeout_seconds=self.stats_cache_timeout_seconds,
        )

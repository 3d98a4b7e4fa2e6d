"""Response bodies of statistics' routes (JSON:API-style documents, seed 001). Exact counts
are integers (shares in basis points, averages in hundredths, weights in tenths); the one
decimal, votes per voter, is also a string: no float carries a figure."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from parovoz_greenlight.stats.domain import (
    Day,
    SubmissionAnalytics,
    SystemMetrics,
)
from parovoz_greenlight.voting.domain import Category, VoteChoice

# --- system metrics -----------------------------------------------------------------------------


class MetricsPeriod(BaseModel):
    from_: date = Field(alias="from", description="First UTC day of the period (included).")
    to: date = Field(description="UTC day the period ends on (excluded).")


class MetricsParticipation(BaseModel):
    votes_cast: int = Field(description="Votes cast in the period (valid and removed).")
    distinct_voters: int = Field(description="Users who cast them.")
    average_votes_per_voter_per_mille: int | None = Field(
        description="Votes per voter in thousandths (2500 = 2.5), rounded half up; null "
        "without voters."
    )
    average_votes_per_voter: str | None = Field(
        description='The same as a decimal string ("2.500"); null without voters.'
    )


class SystemMetricsAttributes(BaseModel):
    period: MetricsPeriod
    as_of: datetime = Field(description="When the figures were counted (cached a short while).")
    total_submissions: int = Field(description="Submissions created in the period.")
    active_votings: int = Field(description="Voting windows open at `as_of`.")
    completed_votings: int = Field(
        description="Voting windows that closed in the period (by `as_of`); a withdrawn "
        "submission's window is not counted."
    )
    decided_results: int = Field(
        description="Results made final in the period by a vote (approved or rejected)."
    )
    approved_results: int = Field(description="Of those, approved.")
    approval_rate_basis_points: int | None = Field(
        description="Approved ÷ decided, basis points (6000 = 60 %), rounded half up; null "
        "when nothing was decided."
    )
    average_voting_duration_seconds: int | None = Field(
        description="Average length (opening to closing) of the completed votings, seconds; "
        "null when none completed."
    )
    participation: MetricsParticipation
    removed_votes: int = Field(
        description="Votes cast in the period that were removed as invalid (flagged: weight 0)."
    )
    quality_score_hundredths: int | None = Field(
        description="Average of every category score (1-5) of the valid votes cast in the "
        "period, hundredths (372 = 3.72), rounded half up; null without valid votes."
    )


class SystemMetricsResource(BaseModel):
    type: Literal["greenlightSystemMetrics"] = Field(description="Always this.")
    id: str = Field(description="The period, `from..to`.")
    attributes: SystemMetricsAttributes


class SystemMetricsDocument(BaseModel):
    data: SystemMetricsResource
    links: dict[str, str] = Field(description="`self`.")


def system_metrics_document(metrics: SystemMetrics, url: str) -> SystemMetricsDocument:
    period, participation = metrics.period, metrics.participation
    return SystemMetricsDocument(
        data=SystemMetricsResource(
            type="greenlightSystemMetrics",
            id=f"{period.starts.isoformat()}..{period.ends.isoformat()}",
            attributes=SystemMetricsAttributes(
                period=MetricsPeriod.model_validate({"from": period.starts, "to": period.ends}),
                as_of=metrics.as_of,
                total_submissions=metrics.total_submissions,
                active_votings=metrics.active_votings,
                completed_votings=metrics.completed_votings,
                decided_results=metrics.decided_results,
                approved_results=metrics.approved_results,
                approval_rate_basis_points=metrics.approval_rate_basis_points,
                average_voting_duration_seconds=metrics.average_voting_duration_seconds,
                participation=MetricsParticipation(
                    votes_cast=participation.votes_cast,
                    distinct_voters=participation.distinct_voters,
                    average_votes_per_voter_per_mille=participation.votes_per_voter_per_mille,
                    average_votes_per_voter=participation.votes_per_voter,
                ),
                removed_votes=metrics.removed_votes,
                quality_score_hundredths=metrics.quality_score_hundredths,
            ),
        ),
        links={
            "self": f"{url}?filter[from]={period.starts.isoformat()}"
            f"&filter[to]={period.ends.isoformat()}"
        },
    )


# --- a submission's analytics -------------------------------------------------------------------


class ChoiceCounts(BaseModel):
    yes: int
    no: int
    abstain: int


class AnalyticsDay(BaseModel):
    date: dt.date = Field(description="The UTC day the votes were cast on.")
    valid: ChoiceCounts = Field(description="Valid votes cast that day, by choice.")
    removed: ChoiceCounts = Field(description="Removed (flagged) votes cast that day, by choice.")


class AnalyticsWindow(BaseModel):
    number: int = Field(description="1 for the first window, 2 for the one an appeal opened.")
    status: str = Field(description="`open`, `audit` or `final`.")
    opens_at: datetime
    closes_at: datetime


class CategoryAverages(BaseModel):
    gameplay: int | None
    presentation: int | None
    innovation: int | None
    market_appeal: int | None
    technical_quality: int | None


class SubmissionAnalyticsAttributes(BaseModel):
    window: AnalyticsWindow | None = Field(
        description="The submission's latest voting window (the figures are of it); null "
        "before voting began."
    )
    days: list[AnalyticsDay] = Field(
        description="Every UTC day of the window from its opening up to today or its closing, "
        "oldest first (days without votes included)."
    )
    valid_votes: int = Field(description="Votes counted (weight above 0).")
    removed_votes: int = Field(description="Votes removed as invalid (flagged: weight 0).")
    weighted_yes_tenths: int = Field(description="Weight of the valid yes votes, tenths.")
    weighted_no_tenths: int = Field(description="Weight of the valid no votes, tenths.")
    category_averages_hundredths: CategoryAverages = Field(
        description="Average score (1-5) of each category over the valid votes, hundredths "
        "(372 = 3.72), rounded half up; null without valid votes."
    )
    played_demo_basis_points: int | None = Field(
        description="Share of the valid votes whose voter played the demo, basis points."
    )
    would_recommend_basis_points: int | None = Field(
        description="Share of the valid votes whose voter would recommend the game."
    )


class SubmissionAnalyticsResource(BaseModel):
    type: Literal["submissionAnalytics"] = Field(description="Always this.")
    id: uuid.UUID = Field(description="The submission's id.")
    attributes: SubmissionAnalyticsAttributes


class SubmissionAnalyticsDocument(BaseModel):
    data: SubmissionAnalyticsResource
    links: dict[str, str] = Field(description="`self`, `submission`, `results`.")


def _choices(counts: Mapping[VoteChoice, int]) -> ChoiceCounts:
    return ChoiceCounts(**{choice.value: counts.get(choice, 0) for choice in VoteChoice})


def _day(day: Day) -> AnalyticsDay:
    return AnalyticsDay(date=day.day, valid=_choices(day.valid), removed=_choices(day.removed))


def analytics_document(analytics: SubmissionAnalytics, prefix: str) -> SubmissionAnalyticsDocument:
    window = analytics.window
    url = f"{prefix}/submissions/{analytics.submission_id}"
    averages = {category.value: analytics.category_averages[category] for category in Category}
    return SubmissionAnalyticsDocument(
        data=SubmissionAnalyticsResource(
            type="submissionAnalytics",
            id=analytics.submission_id,
            attributes=SubmissionAnalyticsAttributes(
                window=None
                if window is None
                else AnalyticsWindow(
                    number=window.number,
                    status=window.status,
                    opens_at=window.opens_at,
                    closes_at=window.closes_at,
                ),
                days=[_day(day) for day in analytics.days],
                valid_votes=analytics.valid_votes,
                removed_votes=analytics.removed_votes,
                weighted_yes_tenths=analytics.weighted_yes,
                weighted_no_tenths=analytics.weighted_no,
                category_averages_hundredths=CategoryAverages(**averages),
                played_demo_basis_points=analytics.played_demo_basis_points,
                would_recommend_basis_points=analytics.would_recommend_basis_points,
            ),
        ),
        links={"self": f"{url}/analytics", "submission": url, "results": f"{url}/results"},
    )

"""Leased periodic jobs: once per period across replicas, on the service clock."""

from parovoz_kit.jobs.lease import (
    JobContext,
    JobOutcome,
    JobResult,
    default_holder,
    run_once_per_period,
)
from parovoz_kit.jobs.periodic import JobRunner, Period, PeriodicJob, period_key_for
from parovoz_kit.jobs.router import internal_jobs_router
from parovoz_kit.jobs.tables import define_job_tables

__all__ = [
    "JobContext",
    "JobOutcome",
    "JobResult",
    "JobRunner",
    "Period",
    "PeriodicJob",
    "default_holder",
    "define_job_tables",
    "internal_jobs_router",
    "period_key_for",
    "run_once_per_period",
]

"""``POST /internal/jobs/{name}/run``: run a job now, for tests, local runs and operators.

It goes through the same lease as the scheduler, so calling it never makes a period run
twice. It must be authenticated: pass the service's dependency (for example
``require_roles("admin")`` or ``require_service(...)`` from ``parovoz_kit.auth``); without
one every call is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from parovoz_kit.errors import ParovozError, PermissionDenied
from parovoz_kit.jobs.lease import JobOutcome
from parovoz_kit.jobs.periodic import JobRunner


class JobRunAttributes(BaseModel):
    job: str
    period_key: str
    #: ran | already_ran | running_elsewhere
    outcome: JobOutcome


class JobRunResource(BaseModel):
    type: str = "job-runs"
    id: str
    attributes: JobRunAttributes


class JobRunDocument(BaseModel):
    data: JobRunResource


def _refuse_without_auth() -> None:
    raise PermissionDenied(
        "Running jobs over HTTP is disabled: no authentication was configured for it.",
        code="INTERNAL_JOBS_DISABLED",
    )


def internal_jobs_router(
    runner: JobRunner,
    auth_dependency: Callable[..., Any] | None = None,
    *,
    prefix: str = "",
) -> APIRouter:
    """A router with ``POST {prefix}/internal/jobs/{name}/run`` behind ``auth_dependency``."""
    router = APIRouter(
        prefix=f"{prefix}/internal/jobs",
        tags=["internal"],
        dependencies=[Depends(auth_dependency or _refuse_without_auth)],
        # For operators and tests, not clients: absent from the public OpenAPI document.
        include_in_schema=False,
    )

    @router.post(
        "/{name}/run",
        summary="Run a job now for the current period (once per period, as scheduled runs)",
        response_model=JobRunDocument,
    )
    async def run_job(
        name: str,
        period: Annotated[
            str | None,
            Query(max_length=64, description="Period key to run instead of the current one"),
        ] = None,
    ) -> JobRunDocument:
        result = await runner.run_now(name, period)
        if result.outcome is JobOutcome.FAILED:
            raise ParovozError("The job failed; see the service logs.", code="JOB_FAILED")
        attributes = JobRunAttributes(
            job=result.name, period_key=result.period_key, outcome=result.outcome
        )
        resource = JobRunResource(id=f"{result.name}/{result.period_key}", attributes=attributes)
        return JobRunDocument(data=resource)

    return router

"""Shared by greenlight's voting and integrity tests: eligible voters put into the running user
stand-in, and a submission in active voting with its window open (written through the unit of
work, as moderation's APPROVE would leave it)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from parovoz_greenlight.results import service as results
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.clock import Clock
from parovoz_kit.infrastructure import Infrastructure

USERS = "http://127.0.0.1:8092"


async def voter(
    clock: Clock,
    *,
    age: timedelta = timedelta(days=365),
    purchases: int = 2,
    blocked: bool = False,
) -> uuid.UUID:
    """A fresh user whose profile at the user stand-in is ``age`` old at ``clock``'s now, with
    ``purchases`` and ``blocked`` as given (the defaults make an eligible voter)."""
    user_id = uuid.uuid4()
    profile = {
        "birth_date": "1990-05-01",
        "region": "RU",
        "account_created_at": (clock.now() - age).isoformat(),
        "purchases_count": purchases,
        "blocked": blocked,
    }
    async with httpx.AsyncClient(base_url=USERS, timeout=5) as users:
        answer = await users.put(f"/users/{user_id}", json=profile)
    assert answer.status_code in (200, 201), answer.text
    return user_id


async def in_voting(
    infrastructure: Infrastructure, demo_links: tuple[str, ...] = ("https://demo.example.ru/poezd",)
) -> uuid.UUID:
    """A new submission in ``active_voting``, its window opened at the infrastructure's now."""
    now = infrastructure.clock.now()
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Поезд в никуда",
        description="Головоломка о железной дороге.",
        status=SubmissionStatus.ACTIVE_VOTING,
        created_at=now,
        updated_at=now,
        fee_paid=True,
        submitted_at=now,
        demo_links=demo_links,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await results.open_window(uow, submission, now)
        await uow.submissions.add(submission)
        await uow.commit()
    return submission.id

"""SqlSubmissions on PostgreSQL: round trip of every field, the optimistic save, one open
submission per game, the public page's filters and keyset order."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_greenlight.submissions.domain import Position, Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.errors import Conflict
from parovoz_kit.infrastructure import Infrastructure

S = SubmissionStatus
BASE = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def submission(
    developer_id: uuid.UUID, at: datetime, genre: str, status: S = S.DRAFT
) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=developer_id,
        submitted_by=uuid.uuid4(),
        title="Игра",
        description="Описание",
        status=status,
        created_at=at,
        updated_at=at,
        genres=(genre, "indie"),
        selling_points=("Один", "Два"),
        demo_links=("https://demo.example.ru/a",),
        target_audience="16+",
        changes_due_at=at + timedelta(days=14),
        flags=("escalated",),
    )


async def test_round_trip_and_the_optimistic_save(infrastructure: Infrastructure) -> None:
    item = submission(uuid.uuid4(), BASE, "rpg")
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(item)
        await uow.commit()
    async with greenlight_unit_of_work(infrastructure) as uow:
        read = await uow.submissions.get(item.id)
    assert read == item
    stale = dataclasses.replace(item)
    async with greenlight_unit_of_work(infrastructure) as uow:
        item.title = "Новое"
        await uow.submissions.save(item)
        await uow.commit()
    assert item.version == 1
    async with greenlight_unit_of_work(infrastructure) as uow:
        stale.title = "Старое"
        with pytest.raises(Conflict) as lost:
            await uow.submissions.save(stale)
    assert lost.value.code == "SUBMISSION_CHANGED_CONCURRENTLY"
    async with greenlight_unit_of_work(infrastructure) as uow:
        assert (await uow.submissions.get(item.id)).title == "Новое"  # type: ignore[union-attr]


async def test_one_open_submission_per_game(infrastructure: Infrastructure) -> None:
    first = submission(uuid.uuid4(), BASE, "rpg")
    second = dataclasses.replace(first, id=uuid.uuid4())
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(first)
        await uow.commit()
    async with greenlight_unit_of_work(infrastructure) as uow:
        with pytest.raises(Conflict) as refused:
            await uow.submissions.add(second)
    assert refused.value.code == "SUBMISSION_ALREADY_EXISTS"
    async with greenlight_unit_of_work(infrastructure) as uow:
        first.move(S.WITHDRAWN, BASE)
        await uow.submissions.save(first)
        await uow.submissions.add(second)
        await uow.commit()


async def test_public_page_filters_and_keyset_order(infrastructure: Infrastructure) -> None:
    genre = f"g{uuid.uuid4().hex[:10]}"
    developer_id = uuid.uuid4()
    statuses = [S.ACTIVE_VOTING, S.DRAFT, S.APPROVED, S.UNDER_MODERATION, S.VOTING_COMPLETED]
    items = [
        submission(developer_id, BASE + timedelta(minutes=n), genre, status)
        for n, status in enumerate(statuses)
    ]
    async with greenlight_unit_of_work(infrastructure) as uow:
        for item in items:
            await uow.submissions.add(item)
        await uow.commit()
    public = [S.ACTIVE_VOTING, S.VOTING_COMPLETED, S.APPROVED]
    expected = [item.id for item in reversed(items) if item.status in public]
    async with greenlight_unit_of_work(infrastructure) as uow:
        first = await uow.submissions.public_page(statuses=public, genre=genre, limit=2)
        rest = await uow.submissions.public_page(
            statuses=public, genre=genre, after=Position.after(first[-1]), limit=5
        )
        voting = await uow.submissions.public_page(statuses=[S.ACTIVE_VOTING], genre=genre)
        mine = await uow.submissions.of_developer(developer_id)
        drafts = await uow.submissions.of_developer(developer_id, statuses=[S.DRAFT])
    assert [s.id for s in first + rest] == expected
    assert [s.id for s in voting] == [items[0].id]
    assert [s.id for s in mine] == [item.id for item in reversed(items)]
    assert [s.id for s in drafts] == [items[1].id]

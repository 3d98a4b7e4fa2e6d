"""Appeals through the app in process, over the real PostgreSQL, the running developer-portal
(the submitting team) and the auth stand-in's real tokens: a rejected submission appealed by its
team, approved by a moderator, voting open again in a 14-day window; the refusals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.results.service import open_window_of
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.infrastructure import Infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token

PREFIX = "/api/v1/greenlight"
PORTAL = "http://127.0.0.1:8081/api/v1/developer"


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def codes(answer: httpx.Response) -> list[str]:
    return [error["code"] for error in answer.json()["errors"]]


async def a_developer_account(owner: uuid.UUID) -> uuid.UUID:
    body = {
        "data": {
            "type": "developerAccountCreation",
            "attributes": {
                "company_name": "Студия Апелляций",
                "legal_entity_type": "llc",
                "tax_id": "7707083893",
                "contact_email": "appeals@example.com",
                "country_code": "RU",
            },
        }
    }
    async with httpx.AsyncClient(base_url=PORTAL, timeout=10) as portal:
        account = await portal.post("/accounts", json=body, headers=auth(owner))
    assert account.status_code == 201, account.text
    return uuid.UUID(account.json()["data"]["id"])


async def a_rejected_submission(
    infrastructure: Infrastructure, developer_id: uuid.UUID, rejected_days_ago: int = 1
) -> Submission:
    now = infrastructure.clock.now()
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=developer_id,
        submitted_by=uuid.uuid4(),
        title="Звёздный путь",
        description="Космическая стратегия о колонизации.",
        status=SubmissionStatus.REJECTED,
        created_at=now - timedelta(days=60),
        updated_at=now,
        fee_paid=True,
        submitted_at=now - timedelta(days=59),
        decided_at=now - timedelta(days=rejected_days_ago),
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        await uow.commit()
    return submission


def appeal(**attributes: Any) -> dict[str, Any]:
    body = {"reason": "misunderstanding", "explanation": "Нас не поняли.", **attributes}
    return {"data": {"type": "appeal", "attributes": body}}


def decision(value: str, **more: Any) -> dict[str, Any]:
    return {"data": {"type": "appealDecision", "attributes": {"decision": value, **more}}}


async def test_an_approved_appeal_opens_voting_again_for_14_days(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    member = uuid.uuid4()
    submission = await a_rejected_submission(infrastructure, await a_developer_account(member))
    url = f"{PREFIX}/submissions/{submission.id}/appeals"

    filed = await client.post(
        url,
        json=appeal(reason="significant_improvements", improvements=["Новое обучение"]),
        headers=auth(member),
    )
    assert filed.status_code == 201, filed.text
    appeal_id = filed.json()["data"]["id"]
    assert filed.json()["data"]["attributes"]["status"] == "pending"

    again = await client.post(url, json=appeal(), headers=auth(member))
    assert again.status_code == 409 and codes(again) == ["APPEAL_NOT_ALLOWED"]

    listed = await client.get(url, headers=auth(member))
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["data"]] == [appeal_id]
    stranger = await client.get(url, headers=auth(uuid.uuid4()))
    assert stranger.status_code == 403

    not_staff = await client.post(
        f"{PREFIX}/appeals/{appeal_id}/decision", json=decision("approved"), headers=auth(member)
    )
    assert not_staff.status_code == 403 and codes(not_staff) == ["MODERATOR_NOT_AUTHORIZED"]

    moderator = uuid.uuid4()
    decided = await client.post(
        f"{PREFIX}/appeals/{appeal_id}/decision",
        json=decision("approved", notes="Улучшения существенные."),
        headers=auth(moderator, "moderator"),
    )
    assert decided.status_code == 200, decided.text
    attributes = decided.json()["data"]["attributes"]
    assert attributes["decision"] == "approved" and attributes["decided_by"] == str(moderator)
    assert attributes["decided_by_role"] == "moderator" and attributes["window_id"]

    now = infrastructure.clock.now()
    async with greenlight_unit_of_work(infrastructure) as uow:
        stored = await uow.submissions.get(submission.id)
        window = await open_window_of(uow, submission.id, now)
    assert stored is not None and stored.status is SubmissionStatus.ACTIVE_VOTING
    assert window is not None and str(window.id) == attributes["window_id"]
    assert window.closes_at - window.opens_at == timedelta(days=14)
    assert stored.voting_ends_at == window.closes_at

    twice = await client.post(
        f"{PREFIX}/appeals/{appeal_id}/decision",
        json=decision("rejected"),
        headers=auth(moderator, "moderator"),
    )
    assert twice.status_code == 422 and codes(twice) == ["APPEAL_NOT_ALLOWED"]


async def test_a_rejected_appeal_keeps_the_submission_rejected(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    member = uuid.uuid4()
    submission = await a_rejected_submission(infrastructure, await a_developer_account(member))
    filed = await client.post(
        f"{PREFIX}/submissions/{submission.id}/appeals", json=appeal(), headers=auth(member)
    )
    assert filed.status_code == 201, filed.text
    decided = await client.post(
        f"{PREFIX}/appeals/{filed.json()['data']['id']}/decision",
        json=decision("rejected"),
        headers=auth(uuid.uuid4(), "moderator"),
    )
    assert decided.status_code == 200, decided.text
    async with greenlight_unit_of_work(infrastructure) as uow:
        stored = await uow.submissions.get(submission.id)
    assert stored is not None and stored.status is SubmissionStatus.REJECTED


async def test_refusals_of_filing(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    member = uuid.uuid4()
    developer_id = await a_developer_account(member)
    late = await a_rejected_submission(infrastructure, developer_id, rejected_days_ago=31)
    answer = await client.post(
        f"{PREFIX}/submissions/{late.id}/appeals", json=appeal(), headers=auth(member)
    )
    assert answer.status_code == 422 and codes(answer) == ["APPEAL_DEADLINE_PASSED"]

    fresh = await a_rejected_submission(infrastructure, developer_id)
    url = f"{PREFIX}/submissions/{fresh.id}/appeals"
    empty = await client.post(
        url, json=appeal(reason="significant_improvements"), headers=auth(member)
    )
    assert empty.status_code == 422 and codes(empty) == ["INSUFFICIENT_IMPROVEMENTS"]
    unknown = await client.post(url, json=appeal(reason="luck"), headers=auth(member))
    assert unknown.status_code == 400 and codes(unknown) == ["VALIDATION_ERROR"]
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/data/attributes/reason"
    outsider = await client.post(url, json=appeal(), headers=auth(uuid.uuid4()))
    assert outsider.status_code == 403
    missing = await client.post(
        f"{PREFIX}/submissions/{uuid.uuid4()}/appeals", json=appeal(), headers=auth(member)
    )
    assert missing.status_code == 404 and codes(missing) == ["SUBMISSION_NOT_FOUND"]


async def test_the_routes_are_documented(infrastructure: Infrastructure) -> None:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    paths = app.openapi()["paths"]
    assert {"post", "get"} <= set(paths[f"{PREFIX}/submissions/{{submission_id}}/appeals"])
    assert "post" in paths[f"{PREFIX}/appeals/{{appeal_id}}/decision"]


async def test_racing_filings_and_decisions_one_wins(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    member = uuid.uuid4()
    submission = await a_rejected_submission(infrastructure, await a_developer_account(member))
    url = f"{PREFIX}/submissions/{submission.id}/appeals"
    filings = await asyncio.gather(
        *(client.post(url, json=appeal(), headers=auth(member)) for _ in range(3))
    )
    assert sorted(answer.status_code for answer in filings) == [201, 409, 409]
    appeal_id = next(a.json()["data"]["id"] for a in filings if a.status_code == 201)

    decisions = await asyncio.gather(
        *(
            client.post(
                f"{PREFIX}/appeals/{appeal_id}/decision",
                json=decision("approved"),
                headers=auth(uuid.uuid4(), "moderator"),
            )
            for _ in range(3)
        )
    )
    assert sorted(answer.status_code for answer in decisions) == [200, 422, 422]
    async with greenlight_unit_of_work(infrastructure) as uow:
        windows = await uow.results.count_of(submission.id)
        listed = await uow.appeals.of_submission(submission.id)
    assert windows == 1 and len(listed) == 1

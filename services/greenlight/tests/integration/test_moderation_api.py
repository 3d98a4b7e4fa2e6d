"""Moderation through the app in process, over the real PostgreSQL and the auth stand-in's real
tokens: the curator registry, who may moderate, every action's outcome (a window opened, the
rejected event in the outbox, changes requested, a flag), the append-only audit log, racing
actions, expert reviews and who sees the private ones."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import user_token
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

PREFIX = "/api/v1/greenlight"


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    """Headers of a user's request with a real token of the auth stand-in."""
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


SCORES = {
    "gameplay": 4,
    "presentation": 3,
    "innovation": 5,
    "market_appeal": 4,
    "technical_quality": 2,
}


async def a_submission(infrastructure: Infrastructure, **fields: Any) -> Submission:
    now = infrastructure.clock.now()
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=fields.pop("developer_id", uuid.uuid4()),
        submitted_by=uuid.uuid4(),
        title="Звёздный путь",
        description="Космическая стратегия о колонизации.",
        status=fields.pop("status", SubmissionStatus.UNDER_MODERATION),
        created_at=now,
        updated_at=now,
        fee_paid=True,
        submitted_at=now,
        **fields,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        await uow.commit()
    return submission


async def stored(infrastructure: Infrastructure, submission_id: uuid.UUID) -> Submission:
    async with greenlight_unit_of_work(infrastructure) as uow:
        found = await uow.submissions.get(submission_id)
    assert found is not None
    return found


async def a_curator(
    client: httpx.AsyncClient, status: str = "active", user_id: uuid.UUID | None = None
) -> uuid.UUID:
    user_id = user_id or uuid.uuid4()
    body = {
        "data": {
            "type": "curator",
            "attributes": {"user_id": str(user_id), "display_name": "Анна", "status": status},
        }
    }
    answer = await client.post(f"{PREFIX}/curators", json=body, headers=auth(uuid.uuid4(), "admin"))
    assert answer.status_code == 201, answer.text
    return user_id


def action(name: str, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": "moderationAction", "attributes": {"action": name, **attributes}}}


async def moderate(
    client: httpx.AsyncClient,
    submission_id: uuid.UUID,
    headers: dict[str, str],
    name: str,
    **more: Any,
) -> httpx.Response:
    return await client.post(
        f"{PREFIX}/submissions/{submission_id}/moderation",
        json=action(name, **more),
        headers=headers,
    )


def moderator() -> dict[str, str]:
    return auth(uuid.uuid4(), "moderator")


def codes(answer: httpx.Response) -> list[str]:
    return [error["code"] for error in answer.json()["errors"]]


async def outbox(infrastructure: Infrastructure, key: uuid.UUID) -> list[tuple[str, Any]]:
    async with infrastructure.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": str(key)},
        )
        return [(kind, payload) for kind, payload in rows]


# --- the registry ---------------------------------------------------------------------------


async def test_admin_and_moderator_manage_the_registry(client: httpx.AsyncClient) -> None:
    user_id, admin = uuid.uuid4(), uuid.uuid4()
    body = {
        "data": {
            "type": "curator",
            "attributes": {
                "user_id": str(user_id),
                "display_name": "Пётр",
                "specialties": ["rpg", "strategy"],
            },
        }
    }
    created = await client.post(f"{PREFIX}/curators", json=body, headers=auth(admin, "admin"))
    assert created.status_code == 201, created.text
    attributes = created.json()["data"]["attributes"]
    assert attributes["status"] == "probation" and attributes["added_by"] == str(admin)
    assert created.headers["Location"] == f"{PREFIX}/curators/{user_id}"

    again = await client.post(f"{PREFIX}/curators", json=body, headers=moderator())
    assert again.status_code == 409 and codes(again) == ["CURATOR_ALREADY_REGISTERED"]
    for roles in (("curator",), ("support",), ()):
        refused = await client.post(
            f"{PREFIX}/curators", json=body, headers=auth(uuid.uuid4(), *roles)
        )
        assert refused.status_code == 403

    change = {"data": {"type": "curator", "attributes": {"status": "suspended"}}}
    changed = await client.patch(f"{PREFIX}/curators/{user_id}", json=change, headers=moderator())
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["attributes"]["status"] == "suspended"
    assert changed.json()["data"]["attributes"]["specialties"] == ["rpg", "strategy"]

    # Every page holds suspended curators only; following links.next reaches ours.
    found, url, pages = False, f"{PREFIX}/curators?filter%5Bstatus%5D=suspended&page%5Bsize%5D=2", 0
    while url is not None and not found:
        page = await client.get(url, headers=moderator())
        assert page.status_code == 200, page.text
        items = page.json()["data"]
        assert len(items) <= 2
        assert all(item["attributes"]["status"] == "suspended" for item in items)
        found = str(user_id) in [item["id"] for item in items]
        url, pages = page.json()["links"]["next"], pages + 1
    assert found, f"not found in {pages} pages"
    one = await client.get(f"{PREFIX}/curators/{user_id}", headers=auth(uuid.uuid4(), "admin"))
    assert one.json()["data"]["attributes"]["display_name"] == "Пётр"

    missing = await client.patch(
        f"{PREFIX}/curators/{uuid.uuid4()}", json=change, headers=moderator()
    )
    assert missing.status_code == 404 and codes(missing) == ["CURATOR_NOT_FOUND"]
    null = {"data": {"type": "curator", "attributes": {"status": None}}}
    refused = await client.patch(f"{PREFIX}/curators/{user_id}", json=null, headers=moderator())
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"


# --- who may moderate -----------------------------------------------------------------------


async def test_only_moderators_and_acting_curators_moderate(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    suspended = await a_curator(client, "suspended")
    unregistered = uuid.uuid4()
    for headers in (
        auth(suspended, "curator"),
        auth(unregistered, "curator"),
        auth(uuid.uuid4(), "admin"),
        auth(await a_curator(client), "support"),
    ):
        refused = await moderate(client, submission.id, headers, "APPROVE")
        assert refused.status_code == 403, refused.text
        assert codes(refused) == ["MODERATOR_NOT_AUTHORIZED"]
    assert (await stored(infrastructure, submission.id)).status is SubmissionStatus.UNDER_MODERATION

    probation = await a_curator(client, "probation")
    flagged = await moderate(client, submission.id, auth(probation, "curator"), "FLAG_FOR_REVIEW")
    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["data"]["attributes"]["actor_role"] == "curator"


# --- the actions ----------------------------------------------------------------------------


async def test_approve_opens_the_voting_window(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    curator = await a_curator(client)
    answer = await moderate(client, submission.id, auth(curator, "curator"), "APPROVE")
    assert answer.status_code == 201, answer.text
    attributes = answer.json()["data"]["attributes"]
    assert (attributes["from_status"], attributes["to_status"]) == (
        "under_moderation",
        "active_voting",
    )
    after = await stored(infrastructure, submission.id)
    assert after.status is SubmissionStatus.ACTIVE_VOTING
    async with greenlight_unit_of_work(infrastructure) as uow:
        window = await uow.results.latest_of(submission.id)
    assert window is not None and window.status.value == "open"
    assert after.voting_started_at == window.opens_at
    assert after.voting_ends_at == window.closes_at
    assert window.closes_at - window.opens_at == timedelta(days=30)


async def test_reject_puts_the_rejected_event_in_the_outbox(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    answer = await moderate(client, submission.id, moderator(), "REJECT", comment="Не игра")
    assert answer.status_code == 201, answer.text
    assert (await stored(infrastructure, submission.id)).status is SubmissionStatus.REJECTED
    [(kind, payload)] = await outbox(infrastructure, submission.id)
    assert kind == "greenlight.submission.rejected.v1"
    data = payload.get("data", payload)
    assert data["reason"] == "moderation_rejected" and data["comment"] == "Не игра"
    assert data["game_id"] == str(submission.game_id)
    assert data["valid_votes"] is None
    rejected_at = datetime.fromisoformat(data["rejected_at"].replace("Z", "+00:00"))
    appealable = datetime.fromisoformat(data["appealable_until"].replace("Z", "+00:00"))
    assert appealable - rejected_at == timedelta(days=30)


async def test_request_changes_sends_it_back_to_draft(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    due = (infrastructure.clock.now() + timedelta(days=7)).replace(microsecond=0)
    answer = await moderate(
        client,
        submission.id,
        moderator(),
        "REQUEST_CHANGES",
        required_changes=["Обновите скриншоты"],
        changes_due_at=due.isoformat(),
    )
    assert answer.status_code == 201, answer.text
    after = await stored(infrastructure, submission.id)
    assert after.status is SubmissionStatus.DRAFT
    assert after.requested_changes == "Обновите скриншоты" and after.changes_due_at == due

    other = await a_submission(infrastructure)
    refused = await moderate(client, other.id, moderator(), "REQUEST_CHANGES")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["source"]["pointer"] == "/data/attributes/required_changes"
    unknown = await moderate(client, other.id, moderator(), "PUBLISH")
    assert unknown.status_code == 400
    assert (await stored(infrastructure, other.id)).status is SubmissionStatus.UNDER_MODERATION


async def test_a_submission_not_under_moderation_is_a_conflict(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    withdrawn = await a_submission(infrastructure, status=SubmissionStatus.WITHDRAWN)
    refused = await moderate(client, withdrawn.id, moderator(), "APPROVE")
    assert refused.status_code == 422 and codes(refused) == ["MODERATION_CONFLICT"]
    unpaid = await a_submission(infrastructure, status=SubmissionStatus.SUBMITTED)
    refused = await moderate(client, unpaid.id, moderator(), "APPROVE")
    assert refused.status_code == 422 and codes(refused) == ["SUBMISSION_FEE_NOT_PAID"]
    assert refused.json()["errors"][0]["detail"].startswith("Взнос за заявку ещё не оплачен")
    assert (await stored(infrastructure, unpaid.id)).status is SubmissionStatus.SUBMITTED
    missing = await moderate(client, uuid.uuid4(), moderator(), "APPROVE")
    assert missing.status_code == 404 and codes(missing) == ["SUBMISSION_NOT_FOUND"]


async def test_two_racing_actions_one_wins(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    answers = await asyncio.gather(
        moderate(client, submission.id, moderator(), "APPROVE"),
        moderate(client, submission.id, moderator(), "REJECT"),
    )
    assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 422)
    assert codes(loser) == ["MODERATION_CONFLICT"]
    log = await client.get(f"{PREFIX}/submissions/{submission.id}/moderation", headers=moderator())
    assert len(log.json()["data"]) == 1


async def test_a_flagged_submission_needs_an_expert_review_before_approval(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    escalated = await moderate(client, submission.id, moderator(), "ESCALATE_TO_EXPERTS")
    assert escalated.status_code == 201
    after = await stored(infrastructure, submission.id)
    assert after.status is SubmissionStatus.UNDER_MODERATION
    assert "escalated_to_experts" in after.flags
    refused = await moderate(client, submission.id, moderator(), "APPROVE")
    assert refused.status_code == 422 and codes(refused) == ["EXPERT_REVIEW_REQUIRED"]

    expert = await a_curator(client)
    reviewed = await write_review(client, submission.id, auth(expert, "curator"), public=False)
    assert reviewed.status_code == 201, reviewed.text
    approved = await moderate(client, submission.id, moderator(), "APPROVE")
    assert approved.status_code == 201, approved.text


# --- the audit log --------------------------------------------------------------------------


async def test_the_audit_log_grows_and_never_changes(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    url = f"{PREFIX}/submissions/{submission.id}/moderation"
    seen: list[dict[str, Any]] = []
    for name in ("FLAG_FOR_REVIEW", "ESCALATE_TO_EXPERTS", "REJECT"):
        answer = await moderate(client, submission.id, moderator(), name)
        assert answer.status_code == 201, answer.text
        log = await client.get(url, headers=auth(uuid.uuid4(), "admin"))
        assert log.status_code == 200
        entries = log.json()["data"]
        assert entries[: len(seen)] == seen and len(entries) == len(seen) + 1
        seen = entries
    assert [e["attributes"]["action"] for e in seen] == [
        "FLAG_FOR_REVIEW",
        "ESCALATE_TO_EXPERTS",
        "REJECT",
    ]
    # The submitting user sees it too; a stranger does not.
    mine = await client.get(url, headers=auth(submission.submitted_by))
    assert mine.status_code == 200 and mine.json()["data"] == seen
    stranger = await client.get(url, headers=auth(uuid.uuid4()))
    assert stranger.status_code == 403

    for statement in (
        "UPDATE moderation_actions SET comment = 'x' WHERE submission_id = :id",
        "DELETE FROM moderation_actions WHERE submission_id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with infrastructure.engine.begin() as connection:
                await connection.execute(text(statement), {"id": submission.id})
    again = await client.get(url, headers=moderator())
    assert again.json()["data"] == seen


# --- expert reviews -------------------------------------------------------------------------


async def write_review(
    client: httpx.AsyncClient, submission_id: uuid.UUID, headers: dict[str, str], *, public: bool
) -> httpx.Response:
    body = {
        "data": {
            "type": "expertReview",
            "attributes": {
                "scores": SCORES,
                "overall": 4,
                "strengths": ["Механика"],
                "weaknesses": ["Оптимизация"],
                "is_public": public,
            },
        }
    }
    return await client.post(
        f"{PREFIX}/submissions/{submission_id}/expert-reviews", json=body, headers=headers
    )


async def test_expert_reviews_private_for_staff_and_team(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    url = f"{PREFIX}/submissions/{submission.id}/expert-reviews"
    first, second = await a_curator(client), await a_curator(client, "probation")
    public = await write_review(client, submission.id, auth(first, "curator"), public=True)
    private = await write_review(client, submission.id, auth(second, "curator"), public=False)
    assert public.status_code == private.status_code == 201, private.text
    assert public.json()["data"]["attributes"]["scores"] == SCORES
    twice = await write_review(client, submission.id, auth(first, "curator"), public=False)
    assert twice.status_code == 409 and codes(twice) == ["EXPERT_REVIEW_EXISTS"]
    refused = await write_review(client, submission.id, moderator(), public=True)
    assert refused.status_code == 403 and codes(refused) == ["MODERATOR_NOT_AUTHORIZED"]

    both = {public.json()["data"]["id"], private.json()["data"]["id"]}
    for headers in (moderator(), auth(uuid.uuid4(), "curator"), auth(submission.submitted_by)):
        answer = await client.get(url, headers=headers)
        assert {r["id"] for r in answer.json()["data"]} == both
    # Under moderation the submission is not public: nobody else sees it.
    assert (await client.get(url)).status_code == 404
    approved = await moderate(client, submission.id, moderator(), "APPROVE")
    assert approved.status_code == 201
    for headers in ({}, auth(uuid.uuid4())):
        answer = await client.get(url, headers=headers)
        assert answer.status_code == 200
        assert [r["id"] for r in answer.json()["data"]] == [public.json()["data"]["id"]]


async def test_expert_review_scores_are_checked(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    submission = await a_submission(infrastructure)
    curator = await a_curator(client)
    body = {
        "data": {
            "type": "expertReview",
            "attributes": {"scores": {**SCORES, "gameplay": 6}, "overall": 4},
        }
    }
    answer = await client.post(
        f"{PREFIX}/submissions/{submission.id}/expert-reviews",
        json=body,
        headers=auth(curator, "curator"),
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["source"]["pointer"] == "/data/attributes/scores/gameplay"


# --- the submitting team, as developer-portal answers it ------------------------------------

PORTAL = "http://127.0.0.1:8081/api/v1/developer"


async def a_developer_account(owner: uuid.UUID) -> uuid.UUID:
    """A developer account at the running developer-portal, owned (so: a member) by ``owner``."""
    body = {
        "data": {
            "type": "developerAccountCreation",
            "attributes": {
                "company_name": "Студия Модерации",
                "legal_entity_type": "llc",
                "tax_id": "7707083893",
                "contact_email": "moderation@example.com",
                "country_code": "RU",
            },
        }
    }
    async with httpx.AsyncClient(base_url=PORTAL, timeout=10) as portal:
        account = await portal.post("/accounts", json=body, headers=auth(owner))
    assert account.status_code == 201, account.text
    return uuid.UUID(account.json()["data"]["id"])


async def test_a_team_member_who_did_not_submit_sees_the_log_and_private_reviews(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    member = uuid.uuid4()
    submission = await a_submission(infrastructure, developer_id=await a_developer_account(member))
    assert submission.submitted_by != member
    await moderate(client, submission.id, moderator(), "ESCALATE_TO_EXPERTS")
    private = await write_review(
        client, submission.id, auth(await a_curator(client), "curator"), public=False
    )
    assert private.status_code == 201, private.text

    log = await client.get(f"{PREFIX}/submissions/{submission.id}/moderation", headers=auth(member))
    assert log.status_code == 200, log.text
    assert [e["attributes"]["action"] for e in log.json()["data"]] == ["ESCALATE_TO_EXPERTS"]
    reviews = await client.get(
        f"{PREFIX}/submissions/{submission.id}/expert-reviews", headers=auth(member)
    )
    assert [r["id"] for r in reviews.json()["data"]] == [private.json()["data"]["id"]]
    # A member of another account is a stranger here.
    other = uuid.uuid4()
    await a_developer_account(other)
    refused = await client.get(
        f"{PREFIX}/submissions/{submission.id}/moderation", headers=auth(other)
    )
    assert refused.status_code == 403

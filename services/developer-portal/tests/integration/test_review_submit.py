"""submit-for-review on the real engines: a version with its builds verified (uploaded straight
to S3, checked by the worker) goes to moderation; the publishing track decides whether a
greenlight approval is needed; tenants, roles and API keys; the decision history."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from parovoz_developer_portal.review.events import greenlight_event_handlers
from parovoz_events.greenlight import SubmissionApproved, SubmissionRejected
from parovoz_kit.infrastructure import Infrastructure

sys.path.insert(0, str(Path(__file__).parent))
from release_support import PREFIX, SUBMITTED, Shelf, auth, codes, event

Studio = Callable[[], Awaitable[Any]]


@pytest.fixture
async def shelf(studio: Any) -> Shelf:
    return await Shelf(studio).open()


async def greenlight(
    infrastructure: Infrastructure, model: type, shelf: Shelf, **changes: Any
) -> None:
    """greenlight's decision through review's own handler, in its own transaction."""
    values: dict[str, Any] = {
        "game_id": shelf.game_id,
        "developer_id": str(shelf.developer_id),
        **changes,
    }
    data = event(model, "/parovoz/greenlight", **values)
    parsed = model.model_validate(data.data)
    async with infrastructure.session_factory.begin() as session:
        await greenlight_event_handlers(infrastructure)[model.event_type](session, parsed, data)


async def test_a_direct_studio_submits_a_ready_version(shelf: Shelf) -> None:
    await shelf.go_direct()
    version_id = await shelf.ready_version()
    answer = await shelf.submit(version_id)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["status"] == "in_review"  # seed 001's answer
    assert (data["id"], data["attributes"]["status"]) == (version_id, "in_review")
    assert await shelf.version_status(version_id) == "in_review"
    assert await shelf.game_status() == "in_review"
    [submitted] = await shelf.events(SUBMITTED)
    assert submitted["version_id"] == version_id
    assert submitted["submitted_by_user_id"] == str(shelf.owner)
    assert submitted["developer_id"] == str(shelf.developer_id)

    history = await shelf.review(version_id)
    assert history.status_code == 200, history.text
    [entry] = history.json()["data"]["attributes"]["submissions"]
    assert entry["decision"] is None and entry["submitted_by_user_id"] == str(shelf.owner)

    again = await shelf.submit(version_id)
    assert codes(again, 422) == ["VERSION_STATE_CONFLICT"]
    assert len(await shelf.events(SUBMITTED)) == 1


async def test_an_idempotency_key_replays_the_submission(shelf: Shelf) -> None:
    await shelf.go_direct()
    version_id = await shelf.ready_version()
    path = f"{shelf.game}/versions/{version_id}/submit-for-review"
    headers = {**auth(shelf.owner), "Idempotency-Key": str(uuid.uuid4())}
    first = await shelf.client.post(path, headers=headers)
    second = await shelf.client.post(path, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert len(await shelf.events(SUBMITTED)) == 1


async def test_a_version_without_its_verified_builds_is_not_submitted(shelf: Shelf) -> None:
    await shelf.go_direct()
    bare = await shelf.version()
    assert codes(await shelf.submit(bare), 422) == ["BUILDS_INCOMPLETE"]
    uploading = await shelf.version()
    await shelf.upload_build(uploading)  # completed, not verified yet: processing
    assert codes(await shelf.submit(uploading), 422) == ["BUILDS_INCOMPLETE"]
    assert await shelf.game_status() == "draft"
    assert await shelf.events(SUBMITTED) == []


async def test_the_greenlight_track_needs_greenlights_approval_of_this_game(
    shelf: Shelf, infrastructure: Infrastructure
) -> None:
    version_id = await shelf.ready_version()  # a new account: greenlight track
    refused = await shelf.submit(version_id)
    assert codes(refused, 422) == ["GREENLIGHT_APPROVAL_REQUIRED"]
    assert await shelf.version_status(version_id) == "ready_for_review"

    # Another game's approval, and a rejection of this one, do not clear it.
    submission_id = str(uuid.uuid4())
    await greenlight(
        infrastructure,
        SubmissionApproved,
        shelf,
        game_id=str(uuid.uuid4()),
        submission_id=str(uuid.uuid4()),
    )
    await greenlight(infrastructure, SubmissionRejected, shelf, submission_id=submission_id)
    assert codes(await shelf.submit(version_id), 422) == ["GREENLIGHT_APPROVAL_REQUIRED"]

    await greenlight(infrastructure, SubmissionApproved, shelf, submission_id=str(uuid.uuid4()))
    answer = await shelf.submit(version_id)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "in_review"


async def test_roles_tenants_and_api_keys(shelf: Shelf, new_studio: Studio) -> None:
    await shelf.go_direct()
    version_id = await shelf.ready_version()
    for role in ("viewer", "finance"):
        member = await shelf.member(role)
        assert codes(await shelf.submit(version_id, member), 403) == ["TEAM_ROLE_FORBIDS"]
        readable = await shelf.review(version_id, member)
        assert readable.status_code == 200, readable.text

    stranger = (await new_studio()).owner
    assert codes(await shelf.submit(version_id, stranger), 404) == ["RESOURCE_NOT_FOUND"]
    assert codes(await shelf.review(version_id, stranger), 404) == ["RESOURCE_NOT_FOUND"]
    other = await Shelf(await new_studio()).open()
    # A version named under another account's game, or a game with someone else's version.
    wrong = f"{other.game}/versions/{version_id}/submit-for-review"
    assert codes(await shelf.client.post(wrong, headers=auth(other.owner)), 404) == [
        "RESOURCE_NOT_FOUND"
    ]
    assert await shelf.version_status(version_id) == "ready_for_review"

    created = await shelf.client.post(
        f"{PREFIX}/api-keys",
        headers=auth(shelf.owner),
        json={"data": {"type": "apiKeyCreation", "attributes": {"name": "CI"}}},
    )
    assert created.status_code == 201, created.text
    key = created.json()["data"]["attributes"]["key"]
    by_key = await shelf.client.post(
        f"{shelf.game}/versions/{version_id}/submit-for-review", headers={"X-Api-Key": key}
    )
    assert by_key.status_code == 200, by_key.text
    [entry] = (await shelf.review(version_id)).json()["data"]["attributes"]["submissions"]
    assert entry["api_key_id"] == created.json()["data"]["id"]
    # The key never reaches another account's game.
    foreign = await other.client.get(
        f"{other.game}/versions/{version_id}/review", headers={"X-Api-Key": key}
    )
    assert codes(foreign, 404) == ["RESOURCE_NOT_FOUND"]

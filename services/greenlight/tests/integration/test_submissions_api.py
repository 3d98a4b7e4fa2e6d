"""Submissions through the app on the real engines, with the running developer-portal (an
account and a game made through its REST API, the account made active by the admin stand-in's
``admin.developer.verified.v1``): draft, who sees it, edit, submit (the fee port faked here:
fees' own flow is tested by test_fees_flow), the public list, mine, withdraw, gRPC
GetSubmission."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.submissions.grpc import get_submission
from parovoz_greenlight.submissions.service import FeeToPay
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.errors import NotFound
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import user_token

S = SubmissionStatus
PREFIX = "/api/v1/greenlight"
PORTAL = "http://127.0.0.1:8081/api/v1/developer"
ADMIN_STANDIN = "http://127.0.0.1:8093"


class FakeFees:
    """The fees context's port, recording what submissions asked of it."""

    def __init__(self) -> None:
        self.started: list[uuid.UUID] = []
        self.refunded: list[uuid.UUID] = []

    async def start(self, uow: Any, submission: Submission) -> FeeToPay:
        self.started.append(submission.id)
        return FeeToPay(uuid.uuid4(), uuid.uuid4(), f"https://sandbox.example/pay/{submission.id}")

    async def refund(self, uow: Any, submission: Submission, requested_by: uuid.UUID) -> None:
        self.refunded.append(submission.id)


@pytest.fixture(scope="module", autouse=True)
def fake_fees(infrastructure: Infrastructure) -> FakeFees:
    # Registered before the app is built (autouse runs first): the router takes this one.
    return infrastructure.shared("submissions-fee-desk", FakeFees)


def headers(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


class Studio:
    """A developer account at developer-portal owned by ``owner``, with one game."""

    def __init__(self, owner: uuid.UUID, developer_id: str, game_id: str) -> None:
        self.owner, self.developer_id, self.game_id = owner, developer_id, game_id

    @classmethod
    async def open(cls, portal: httpx.AsyncClient) -> Studio:
        owner = uuid.uuid4()
        account = await portal.post(
            "/accounts",
            headers=headers(owner),
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия Гринлайт",
                        "legal_entity_type": "llc",
                        "tax_id": "7707083893",
                        "contact_email": "greenlight@example.com",
                        "country_code": "RU",
                    },
                }
            },
        )
        assert account.status_code == 201, account.text
        return await cls.with_game(portal, owner, account.json()["data"]["id"])

    @classmethod
    async def with_game(
        cls, portal: httpx.AsyncClient, owner: uuid.UUID, developer_id: str
    ) -> Studio:
        game = await portal.post(
            "/games",
            headers=headers(owner),
            json={"data": {"type": "productCreation", "attributes": {"title": "Дорога домой"}}},
        )
        assert game.status_code == 201, game.text
        return cls(owner, developer_id, game.json()["data"]["id"])

    async def verify(self, portal: httpx.AsyncClient) -> None:
        async with httpx.AsyncClient() as admin:
            trigger = await admin.post(f"{ADMIN_STANDIN}/developers/{self.developer_id}/verify")
        assert trigger.status_code == 202, trigger.text
        for _ in range(150):
            me = await portal.get("/accounts/me", headers=headers(self.owner))
            if me.json()["data"]["attributes"]["status"] == "active":
                return
            await asyncio.sleep(0.2)
        raise AssertionError("the account never became active")


@pytest.fixture(scope="module")
async def portal() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=PORTAL, timeout=10) as client:
        yield client


def creation(game_id: str, **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "submissionCreation",
            "attributes": {
                "game_id": game_id,
                "title": "Дорога домой",
                "description": "Сюжетное приключение о машинисте, который везёт последний "
                "поезд сквозь метель.",
                "genres": ["adventure", "indie"],
                "target_audience": "Игроки 16+, любители сюжетных приключений",
                "selling_points": ["Рисованная графика"],
                "team": "5 человек: геймдизайнер, два художника, программист, композитор",
                "timeline": "Альфа — март 2027, релиз — осень 2027",
                "demo_links": ["https://demo.example.ru/doroga"],
                "business_plan": "Цена 499 ₽, релиз в РФ и СНГ, маркетинг через стримеров.",
                **attributes,
            },
        }
    }


async def set_status(infrastructure: Infrastructure, submission_id: str, status: S) -> None:
    async with greenlight_unit_of_work(infrastructure) as uow:
        submission = await uow.submissions.get_for_update(uuid.UUID(submission_id))
        assert submission is not None
        submission.status = status
        await uow.submissions.save(submission)
        await uow.commit()


async def test_the_life_of_a_submission(
    client: httpx.AsyncClient,
    portal: httpx.AsyncClient,
    infrastructure: Infrastructure,
    fake_fees: FakeFees,
) -> None:
    studio = await Studio.open(portal)
    owner = headers(studio.owner)
    key = {"Idempotency-Key": str(uuid.uuid4())}

    created = await client.post(
        f"{PREFIX}/submissions", json=creation(studio.game_id), headers={**owner, **key}
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    sid = data["id"]
    assert data["attributes"]["status"] == "draft"
    assert data["attributes"]["developer_id"] == studio.developer_id
    assert created.headers["Location"] == f"{PREFIX}/submissions/{sid}"
    replay = await client.post(
        f"{PREFIX}/submissions", json=creation(studio.game_id), headers={**owner, **key}
    )
    assert replay.status_code == 201 and replay.json()["data"]["id"] == sid
    again = await client.post(f"{PREFIX}/submissions", json=creation(studio.game_id), headers=owner)
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "SUBMISSION_ALREADY_EXISTS"

    # A draft: the team sees it, nobody else (not even knowing it exists).
    assert (await client.get(f"{PREFIX}/submissions/{sid}", headers=owner)).status_code == 200
    for who in (headers(uuid.uuid4()), {}):
        hidden = await client.get(f"{PREFIX}/submissions/{sid}", headers=who)
        assert (
            hidden.status_code == 404
            and hidden.json()["errors"][0]["code"] == "SUBMISSION_NOT_FOUND"
        )
    staff = headers(uuid.uuid4())
    staff["Authorization"] = f"Bearer {user_token(str(uuid.uuid4()), roles=['moderator'])}"
    assert (await client.get(f"{PREFIX}/submissions/{sid}", headers=staff)).status_code == 200
    stranger_edit = await client.patch(
        f"{PREFIX}/submissions/{sid}",
        json={"data": {"type": "submissionChange", "attributes": {"title": "Чужое"}}},
        headers=headers(uuid.uuid4()),
    )
    assert stranger_edit.status_code == 404

    # Edit the draft (a draft may be incomplete); bad input is 400 with the pointer.
    edited = await client.patch(
        f"{PREFIX}/submissions/{sid}",
        json={
            "data": {
                "type": "submissionChange",
                "attributes": {"title": "Дорога домой: Зима", "team": None},
            }
        },
        headers=owner,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["data"]["attributes"]["title"] == "Дорога домой: Зима"
    assert edited.json()["data"]["attributes"]["genres"] == ["adventure", "indie"]
    bad = await client.patch(
        f"{PREFIX}/submissions/{sid}",
        json={
            "data": {"type": "submissionChange", "attributes": {"demo_links": ["http://x.ru/a"]}}
        },
        headers=owner,
    )
    assert bad.status_code == 400
    error = bad.json()["errors"][0]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"]["pointer"].startswith("/data/attributes/demo_links")
    cleared = await client.patch(
        f"{PREFIX}/submissions/{sid}",
        json={"data": {"type": "submissionChange", "attributes": {"title": None}}},
        headers=owner,
    )
    assert cleared.status_code == 400
    assert cleared.json()["errors"][0]["source"]["pointer"] == "/data/attributes/title"

    # Not active yet: submitting is refused, nothing moves.
    early = await client.post(f"{PREFIX}/submissions/{sid}/submit", headers=owner)
    assert early.status_code == 422, early.text
    assert early.json()["errors"][0]["code"] == "DEVELOPER_ACCOUNT_NOT_ACTIVE"
    assert fake_fees.started == []

    await studio.verify(portal)
    # Incomplete (the team was cleared): 422 INVALID_SUBMISSION_DATA at the team, nothing moves.
    incomplete = await client.post(f"{PREFIX}/submissions/{sid}/submit", headers=owner)
    assert incomplete.status_code == 422, incomplete.text
    assert [(e["code"], e["source"]["pointer"]) for e in incomplete.json()["errors"]] == [
        ("INVALID_SUBMISSION_DATA", "/data/attributes/team")
    ]
    assert fake_fees.started == []
    refilled = await client.patch(
        f"{PREFIX}/submissions/{sid}",
        json={"data": {"type": "submissionChange", "attributes": {"team": "Два человека"}}},
        headers=owner,
    )
    assert refilled.status_code == 200, refilled.text
    submitted = await client.post(f"{PREFIX}/submissions/{sid}/submit", headers=owner)
    assert submitted.status_code == 202, submitted.text
    body = submitted.json()
    assert body["data"]["attributes"]["status"] == "submitted"
    assert body["meta"]["confirmation_url"].endswith(sid)
    assert fake_fees.started == [uuid.UUID(sid)]
    locked = await client.patch(
        f"{PREFIX}/submissions/{sid}",
        json={"data": {"type": "submissionChange", "attributes": {"title": "Поздно"}}},
        headers=owner,
    )
    assert locked.status_code == 422
    assert locked.json()["errors"][0]["code"] == "SUBMISSION_STATUS_CONFLICT"

    mine = await client.get(f"{PREFIX}/submissions/mine", headers=owner)
    assert mine.status_code == 200, mine.text
    assert [item["id"] for item in mine.json()["data"]] == [sid]
    assert (await client.get(f"{PREFIX}/submissions/mine", headers=headers(uuid.uuid4()))).json()[
        "data"
    ] == []

    # Not public until voting; then everybody sees it and the list shows it.
    listed = await client.get(
        f"{PREFIX}/submissions", params={"filter[genre]": "adventure", "page[size]": "100"}
    )
    assert sid not in [item["id"] for item in listed.json()["data"]]
    await set_status(infrastructure, sid, S.ACTIVE_VOTING)
    assert (await client.get(f"{PREFIX}/submissions/{sid}")).status_code == 200
    listed = await client.get(
        f"{PREFIX}/submissions",
        params={
            "filter[genre]": "adventure",
            "filter[status]": "active_voting",
            "page[size]": "100",
        },
    )
    assert listed.status_code == 200
    assert sid in [item["id"] for item in listed.json()["data"]]
    assert all(item["attributes"]["status"] == "active_voting" for item in listed.json()["data"])
    other_genre = await client.get(
        f"{PREFIX}/submissions", params={"filter[genre]": f"g{uuid.uuid4().hex[:8]}"}
    )
    assert other_genre.json()["data"] == []
    bad_filter = await client.get(f"{PREFIX}/submissions", params={"filter[status]": "nonsense"})
    assert bad_filter.status_code == 400
    assert bad_filter.json()["errors"][0]["source"]["parameter"] == "filter[status]"
    bad_cursor = await client.get(f"{PREFIX}/submissions", params={"page[cursor]": "nope"})
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["errors"][0]["code"] == "INVALID_PAGE_CURSOR"

    # gRPC GetSubmission (as developer-portal calls it).
    reply = await get_submission(infrastructure, pb.GetSubmissionRequest(submission_id=sid))
    assert reply.submission.status == pb.SUBMISSION_STATUS_ACTIVE_VOTING
    assert reply.submission.game_id == studio.game_id
    assert reply.submission.developer_id == studio.developer_id
    with pytest.raises(NotFound):
        await get_submission(
            infrastructure, pb.GetSubmissionRequest(submission_id=str(uuid.uuid4()))
        )

    # Withdraw during voting: no refund; once withdrawn, nothing more.
    withdrawn = await client.post(f"{PREFIX}/submissions/{sid}/withdraw", headers=owner)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["data"]["attributes"]["status"] == "withdrawn"
    assert fake_fees.refunded == []
    twice = await client.post(f"{PREFIX}/submissions/{sid}/withdraw", headers=owner)
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["code"] == "SUBMISSION_STATUS_CONFLICT"
    # The game is free again for a new submission.
    fresh = await client.post(f"{PREFIX}/submissions", json=creation(studio.game_id), headers=owner)
    assert fresh.status_code == 201, fresh.text


async def test_a_paid_draft_withdrawn_before_voting_asks_the_refund(
    client: httpx.AsyncClient,
    portal: httpx.AsyncClient,
    infrastructure: Infrastructure,
    fake_fees: FakeFees,
) -> None:
    studio = await Studio.open(portal)
    owner = headers(studio.owner)
    created = await client.post(
        f"{PREFIX}/submissions", json=creation(studio.game_id), headers=owner
    )
    sid = created.json()["data"]["id"]
    async with greenlight_unit_of_work(infrastructure) as uow:
        submission = await uow.submissions.get_for_update(uuid.UUID(sid))
        assert submission is not None
        submission.status, submission.fee_paid = S.UNDER_MODERATION, True
        await uow.submissions.save(submission)
        await uow.commit()
    withdrawn = await client.post(f"{PREFIX}/submissions/{sid}/withdraw", headers=owner)
    assert withdrawn.status_code == 200, withdrawn.text
    assert fake_fees.refunded.count(uuid.UUID(sid)) == 1


async def test_creating_needs_a_known_game_of_the_callers_account(
    client: httpx.AsyncClient, portal: httpx.AsyncClient
) -> None:
    studio = await Studio.open(portal)
    unknown = await client.post(
        f"{PREFIX}/submissions", json=creation(str(uuid.uuid4())), headers=headers(studio.owner)
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/data/attributes/game_id"
    someone_else = await client.post(
        f"{PREFIX}/submissions", json=creation(studio.game_id), headers=headers(uuid.uuid4())
    )
    assert someone_else.status_code == 403
    assert someone_else.json()["errors"][0]["code"] == "DEVELOPER_MEMBERSHIP_REQUIRED"
    anonymous = await client.post(f"{PREFIX}/submissions", json=creation(studio.game_id))
    assert anonymous.status_code == 401
    invalid = await client.post(
        f"{PREFIX}/submissions",
        json=creation(studio.game_id, title="", genres=["Not A Slug"]),
        headers=headers(studio.owner),
    )
    assert invalid.status_code == 400
    pointers = {error["source"]["pointer"] for error in invalid.json()["errors"]}
    assert "/data/attributes/title" in pointers


async def test_an_incomplete_draft_is_refused_with_one_error_per_missing_field(
    client: httpx.AsyncClient,
    portal: httpx.AsyncClient,
    infrastructure: Infrastructure,
    fake_fees: FakeFees,
) -> None:
    studio = await Studio.open(portal)
    await studio.verify(portal)
    owner = headers(studio.owner)
    bare = {
        "data": {
            "type": "submissionCreation",
            "attributes": {"game_id": studio.game_id, "title": "Черновик", "description": "Идея"},
        }
    }
    created = await client.post(f"{PREFIX}/submissions", json=bare, headers=owner)
    assert created.status_code == 201, created.text  # a draft may stay incomplete
    sid = created.json()["data"]["id"]
    refused = await client.post(f"{PREFIX}/submissions/{sid}/submit", headers=owner)
    assert refused.status_code == 422, refused.text
    errors = refused.json()["errors"]
    assert {e["code"] for e in errors} == {"INVALID_SUBMISSION_DATA"}
    assert {e["source"]["pointer"] for e in errors} == {
        f"/data/attributes/{name}"
        for name in (
            "description",
            "genres",
            "target_audience",
            "team",
            "timeline",
            "demo_links",
            "business_plan",
        )
    }
    assert all(e["status"] == "422" and e["detail"] for e in errors)
    after = await client.get(f"{PREFIX}/submissions/{sid}", headers=owner)
    assert after.json()["data"]["attributes"]["status"] == "draft"
    assert after.json()["data"]["attributes"]["submitted_at"] is None
    assert uuid.UUID(sid) not in fake_fees.started
    async with greenlight_unit_of_work(infrastructure) as uow:
        assert await uow.fees.of_submission(uuid.UUID(sid)) == []
    paths = (await client.get(f"{PREFIX}/openapi.json")).json()["paths"]
    submit = paths[f"{PREFIX}/submissions/{{submission_id}}/submit"]["post"]["responses"]["422"]
    assert "INVALID_SUBMISSION_DATA" in str(submit)

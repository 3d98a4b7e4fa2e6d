"""Beta tests on the real engines (the app in process, PostgreSQL, the auth stand-in's real
tokens): a studio creates a test of a verified version, opens it, makes codes; players who are
no members join, give feedback, leave; the participants and the exact average rating; the cap
under 20 joins at once; expired, revoked and used-up codes; a test ended by the clock (moved,
never slept on); other tenants' games and tests are 404."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token
from sqlalchemy import text

PREFIX = "/api/v1/developer"
START = datetime(2101, 5, 1, 12, 0, tzinfo=UTC)

#: conftest's Studio: a developer account (``owner``, ``developer_id``, ``member(role)``).
Studio = Any


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(DeveloperPortalSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        yield http


def auth(user_id: uuid.UUID, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}", **headers}


def codes(answer: httpx.Response, status: int) -> list[str]:
    assert answer.status_code == status, answer.text
    return [error["code"] for error in answer.json()["errors"]]


class Shelf:
    """A studio's game with a version whose builds are verified, and its beta tests."""

    def __init__(self, studio: Studio, clock: ManualClock) -> None:
        self.studio, self.client, self.clock = studio, studio.client, clock
        self.owner = studio.owner

    async def open(self, version_state: str = "ready_for_review") -> Shelf:
        game = await self.client.post(
            f"{PREFIX}/games",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "productCreation",
                    "attributes": {"title": f"Бета {uuid.uuid4()}", "product_type": "game"},
                }
            },
        )
        assert game.status_code == 201, game.text
        self.game_id = game.json()["data"]["id"]
        self.tests = f"{PREFIX}/games/{self.game_id}/beta-tests"
        version = await self.client.post(
            f"{PREFIX}/games/{self.game_id}/versions",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "gameVersionCreation",
                    "attributes": {"version_name": "0.9.0", "changelog": {"ru-RU": "Бета"}},
                }
            },
        )
        assert version.status_code == 201, version.text
        self.version_id = version.json()["data"]["id"]
        # Set-up: the builds context's worker would have verified its builds.
        async with self.studio.infrastructure.session_factory.begin() as session:
            await session.execute(
                text("UPDATE game_versions SET status = :state WHERE id = :id"),
                {"state": version_state, "id": self.version_id},
            )
        return self

    def body(self, **attributes: Any) -> dict[str, Any]:
        now = self.clock.now()
        values = {
            "version_id": self.version_id,
            "title": "Закрытый тест",
            "description": "Проверяем кооператив.",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=30)).isoformat(),
            **attributes,
        }
        return {"data": {"type": "betaTestCreation", "attributes": values}}

    async def create(self, user: uuid.UUID | None = None, **attributes: Any) -> httpx.Response:
        return await self.client.post(
            self.tests,
            json=self.body(**attributes),
            headers=auth(user or self.owner, **{"Idempotency-Key": str(uuid.uuid4())}),
        )

    async def open_test(self, **attributes: Any) -> str:
        created = await self.create(**attributes)
        assert created.status_code == 201, created.text
        beta_id = str(created.json()["data"]["id"])
        opened = await self.client.post(f"{self.tests}/{beta_id}/open", headers=auth(self.owner))
        assert opened.status_code == 200, opened.text
        assert opened.json()["data"]["attributes"]["status"] == "open"
        return beta_id

    async def code(self, beta_id: str, **attributes: Any) -> dict[str, Any]:
        answer = await self.client.post(
            f"{self.tests}/{beta_id}/codes",
            json={"data": {"type": "betaInviteCodeCreation", "attributes": attributes}},
            headers=auth(self.owner),
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json()["data"])

    async def join(self, player: uuid.UUID, code: str) -> httpx.Response:
        return await self.client.post(
            f"{PREFIX}/beta/join",
            json={"data": {"type": "betaJoin", "attributes": {"code": code}}},
            headers=auth(player),
        )

    async def feedback(self, player: uuid.UUID, beta_id: str, rating: int, words: str = "") -> Any:
        return await self.client.post(
            f"{PREFIX}/beta/{beta_id}/feedback",
            json={
                "data": {"type": "betaFeedback", "attributes": {"rating": rating, "text": words}}
            },
            headers=auth(player),
        )


@pytest.fixture
async def shelf(studio: Studio, clock: ManualClock) -> Shelf:
    return await Shelf(studio, clock).open()


async def test_the_whole_path_create_open_codes_join_feedback_participants_average(
    shelf: Shelf,
) -> None:
    beta_id = await shelf.open_test(max_participants=10)
    code = (await shelf.code(beta_id))["attributes"]["code"]
    listed = await shelf.client.get(f"{shelf.tests}/{beta_id}/codes", headers=auth(shelf.owner))
    assert [c["attributes"]["code"] for c in listed.json()["data"]] == [code]

    alice, bob = uuid.uuid4(), uuid.uuid4()  # players, members of no developer account
    joined = await shelf.join(alice, code)
    assert joined.status_code == 201, joined.text
    assert joined.json()["data"]["id"] == beta_id
    again = await shelf.join(alice, code)
    assert again.status_code == 200  # in already: nothing changes
    assert (await shelf.join(bob, f"  {code} ")).status_code == 201

    assert (await shelf.feedback(alice, beta_id, 3, "Вылет на третьем уровне")).status_code == 201
    edited = await shelf.feedback(alice, beta_id, 4, "Исправили — отлично")
    assert edited.status_code == 200 and edited.json()["data"]["attributes"]["rating"] == 4
    assert (await shelf.feedback(bob, beta_id, 5)).status_code == 201
    stranger = await shelf.feedback(uuid.uuid4(), beta_id, 5)
    assert codes(stranger, 404) == ["BETA_NOT_PARTICIPANT"]

    feedback = await shelf.client.get(
        f"{shelf.tests}/{beta_id}/feedback", headers=auth(shelf.owner)
    )
    assert feedback.status_code == 200, feedback.text
    assert feedback.json()["meta"] == {
        "ratings": 2,
        "rating_sum": 9,
        "average_rating": "4.50",
        "average_rating_hundredths": 450,
    }
    assert {f["attributes"]["text"] for f in feedback.json()["data"]} == {
        "Исправили — отлично",
        "",
    }

    viewer = await shelf.studio.member("viewer")
    people = await shelf.client.get(f"{shelf.tests}/{beta_id}/participants", headers=auth(viewer))
    assert people.status_code == 200, people.text
    # Joined at the same instant (the clock stands still): ordered by user id.
    assert [p["id"] for p in people.json()["data"]] == sorted([str(alice), str(bob)])
    assert people.json()["meta"] == {"participants": 2, "max_participants": 10}

    mine = await shelf.client.get(f"{PREFIX}/beta/mine", headers=auth(alice))
    (entry,) = mine.json()["data"]
    assert entry["id"] == beta_id and entry["attributes"]["my_feedback"]["rating"] == 4

    left = await shelf.client.post(f"{PREFIX}/beta/{beta_id}/leave", headers=auth(alice))
    assert left.status_code == 204
    assert (await shelf.client.get(f"{PREFIX}/beta/mine", headers=auth(alice))).json()["data"] == []
    read = await shelf.client.get(f"{shelf.tests}/{beta_id}", headers=auth(shelf.owner))
    assert read.json()["data"]["attributes"]["participants"] == 1
    again_left = await shelf.client.post(f"{PREFIX}/beta/{beta_id}/leave", headers=auth(alice))
    assert codes(again_left, 404) == ["BETA_NOT_PARTICIPANT"]


async def test_twenty_joins_at_once_on_a_cap_of_five_admit_exactly_five(
    shelf: Shelf, infrastructure: Infrastructure
) -> None:
    beta_id = await shelf.open_test(max_participants=5)
    code = (await shelf.code(beta_id))["attributes"]["code"]
    players = [uuid.uuid4() for _ in range(20)]
    answers = await asyncio.gather(*(shelf.join(player, code) for player in players))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 5 + [422] * 15, [a.text for a in answers if a.status_code >= 500]
    assert {a.json()["errors"][0]["code"] for a in answers if a.status_code == 422} == {"BETA_FULL"}
    async with infrastructure.session_factory() as session:
        counted = (
            await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM beta_participants WHERE beta_test_id = :id), "
                    "(SELECT participant_count FROM beta_tests WHERE id = :id), "
                    "(SELECT uses FROM beta_invite_codes WHERE beta_test_id = :id)"
                ),
                {"id": beta_id},
            )
        ).one()
    assert tuple(counted) == (5, 5, 5)


async def test_expired_revoked_and_used_up_codes_admit_nobody(
    shelf: Shelf, clock: ManualClock
) -> None:
    beta_id = await shelf.open_test()
    expiring = await shelf.code(beta_id, expires_at=(clock.now() + timedelta(hours=1)).isoformat())
    once = await shelf.code(beta_id, max_uses=1)
    revoked = await shelf.code(beta_id)
    revoke = await shelf.client.post(
        f"{shelf.tests}/{beta_id}/codes/{revoked['id']}/revoke", headers=auth(shelf.owner)
    )
    assert revoke.json()["data"]["attributes"]["status"] == "revoked"

    assert codes(await shelf.join(uuid.uuid4(), revoked["attributes"]["code"]), 422) == [
        "BETA_CODE_INVALID"
    ]
    unknown = await shelf.join(uuid.uuid4(), "no-such-code")
    assert codes(unknown, 422) == ["BETA_CODE_INVALID"]
    assert unknown.json()["errors"][0]["source"] == {"pointer": "/data/attributes/code"}
    assert unknown.json()["errors"][0]["detail"] == "Код приглашения недействителен."

    assert (await shelf.join(uuid.uuid4(), once["attributes"]["code"])).status_code == 201
    assert codes(await shelf.join(uuid.uuid4(), once["attributes"]["code"]), 422) == [
        "BETA_CODE_USED_UP"
    ]

    clock.advance(timedelta(hours=1))
    assert codes(await shelf.join(uuid.uuid4(), expiring["attributes"]["code"]), 422) == [
        "BETA_CODE_EXPIRED"
    ]
    listed = await shelf.client.get(f"{shelf.tests}/{beta_id}/codes", headers=auth(shelf.owner))
    statuses = {c["id"]: c["attributes"]["status"] for c in listed.json()["data"]}
    assert statuses == {expiring["id"]: "expired", once["id"]: "used_up", revoked["id"]: "revoked"}


async def test_a_test_is_ended_by_the_clock(shelf: Shelf, clock: ManualClock) -> None:
    ends_at = clock.now() + timedelta(days=2)
    beta_id = await shelf.open_test(ends_at=ends_at.isoformat())
    code = (await shelf.code(beta_id))["attributes"]["code"]
    player = uuid.uuid4()
    assert (await shelf.join(player, code)).status_code == 201

    clock.advance(timedelta(days=2))
    read = await shelf.client.get(f"{shelf.tests}/{beta_id}", headers=auth(shelf.owner))
    attributes = read.json()["data"]["attributes"]
    assert attributes["status"] == "ended"
    assert datetime.fromisoformat(attributes["ended_at"]) == ends_at
    assert codes(await shelf.join(uuid.uuid4(), code), 422) == ["BETA_ENDED"]
    assert codes(await shelf.feedback(player, beta_id, 5), 422) == ["BETA_ENDED"]
    end = await shelf.client.post(f"{shelf.tests}/{beta_id}/end", headers=auth(shelf.owner))
    assert codes(end, 422) == ["BETA_ENDED"]
    mine = await shelf.client.get(f"{PREFIX}/beta/mine", headers=auth(player))
    assert mine.json()["data"][0]["attributes"]["status"] == "ended"


async def test_the_machine_through_the_routes(shelf: Shelf) -> None:
    created = await shelf.create()
    beta_id = created.json()["data"]["id"]
    assert created.json()["data"]["attributes"]["status"] == "draft"
    code = (await shelf.code(beta_id))["attributes"]["code"]
    assert codes(await shelf.join(uuid.uuid4(), code), 422) == ["BETA_NOT_OPEN"]
    end = await shelf.client.post(f"{shelf.tests}/{beta_id}/end", headers=auth(shelf.owner))
    assert codes(end, 422) == ["BETA_STATE_CONFLICT"]
    owner = auth(shelf.owner)
    assert (await shelf.client.post(f"{shelf.tests}/{beta_id}/open", headers=owner)).is_success
    assert (await shelf.client.post(f"{shelf.tests}/{beta_id}/end", headers=owner)).is_success
    cancel = await shelf.client.post(f"{shelf.tests}/{beta_id}/cancel", headers=owner)
    assert codes(cancel, 422) == ["BETA_ENDED"]
    patch = await shelf.client.patch(
        f"{shelf.tests}/{beta_id}",
        json={"data": {"type": "betaTestChange", "attributes": {"title": "Поздно"}}},
        headers=owner,
    )
    assert codes(patch, 422) == ["BETA_ENDED"]

    shelf.clock.advance(timedelta(seconds=1))
    other = await shelf.open_test()
    cancelled = await shelf.client.post(f"{shelf.tests}/{other}/cancel", headers=owner)
    assert cancelled.json()["data"]["attributes"]["status"] == "cancelled"
    listed = await shelf.client.get(shelf.tests, headers=owner)
    assert [t["id"] for t in listed.json()["data"]] == [other, beta_id]


async def test_changes_and_their_refusals(shelf: Shelf, clock: ManualClock) -> None:
    beta_id = await shelf.open_test(max_participants=2)
    code = (await shelf.code(beta_id))["attributes"]["code"]
    for _ in range(2):
        assert (await shelf.join(uuid.uuid4(), code)).status_code == 201

    def change(**attributes: Any) -> dict[str, Any]:
        return {"data": {"type": "betaTestChange", "attributes": attributes}}

    url, owner = f"{shelf.tests}/{beta_id}", auth(shelf.owner)
    lower = await shelf.client.patch(url, json=change(max_participants=1), headers=owner)
    assert codes(lower, 422) == ["BETA_CAP_BELOW_PARTICIPANTS"]
    start = await shelf.client.patch(
        url, json=change(starts_at=clock.now().isoformat()), headers=owner
    )
    assert codes(start, 422) == ["BETA_STARTS_AT_FIXED"]
    too_long = await shelf.client.patch(
        url, json=change(ends_at=(clock.now() + timedelta(days=400)).isoformat()), headers=owner
    )
    assert codes(too_long, 422) == ["BETA_TOO_LONG"]
    raised = await shelf.client.patch(
        url, json=change(max_participants=3, title="Больше"), headers=owner
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["data"]["attributes"]["max_participants"] == 3
    assert (await shelf.join(uuid.uuid4(), code)).status_code == 201
    assert codes(await shelf.join(uuid.uuid4(), code), 422) == ["BETA_FULL"]
    malformed = await shelf.client.patch(url, json=change(max_participants="3"), headers=owner)
    assert codes(malformed, 400) == ["VALIDATION_ERROR"]


async def test_a_version_without_verified_builds_and_roles(
    studio: Studio, clock: ManualClock
) -> None:
    shelf = await Shelf(studio, clock).open(version_state="uploading")
    refused = await shelf.create()
    assert codes(refused, 422) == ["BETA_VERSION_NOT_READY"]
    assert refused.json()["errors"][0]["source"] == {"pointer": "/data/attributes/version_id"}
    for role in ("viewer", "finance"):
        member = await studio.member(role)
        assert codes(await shelf.create(user=member), 403) == ["TEAM_ROLE_FORBIDS"]
    editor = await studio.member("editor")
    assert codes(await shelf.create(user=editor), 422) == ["BETA_VERSION_NOT_READY"]
    unknown = await shelf.create(version_id=str(uuid.uuid4()))
    assert codes(unknown, 404) == ["RESOURCE_NOT_FOUND"]


async def test_another_accounts_game_and_tests_are_404(
    shelf: Shelf, new_studio: Any, clock: ManualClock
) -> None:
    beta_id = await shelf.open_test()
    other = await Shelf(await new_studio(), clock).open()
    theirs = auth(other.owner)
    for answer in (
        await shelf.client.get(shelf.tests, headers=theirs),
        await shelf.client.get(f"{shelf.tests}/{beta_id}", headers=theirs),
        await shelf.client.get(f"{shelf.tests}/{beta_id}/codes", headers=theirs),
        await shelf.client.post(f"{shelf.tests}/{beta_id}/end", headers=theirs),
        await shelf.create(user=other.owner),
        # Their own game, our test's id: not a test of that game.
        await shelf.client.get(f"{other.tests}/{beta_id}", headers=theirs),
    ):
        assert codes(answer, 404) == ["RESOURCE_NOT_FOUND"]


async def test_pages_of_participants(shelf: Shelf) -> None:
    beta_id = await shelf.open_test()
    code = (await shelf.code(beta_id))["attributes"]["code"]
    players = [uuid.uuid4() for _ in range(3)]
    for player in players:
        assert (await shelf.join(player, code)).status_code == 201
        shelf.clock.advance(timedelta(seconds=1))
    url, owner = f"{shelf.tests}/{beta_id}/participants", auth(shelf.owner)
    first = await shelf.client.get(url, params={"page[size]": 2}, headers=owner)
    assert [p["id"] for p in first.json()["data"]] == [str(p) for p in players[:2]]
    following = first.json()["links"]["next"]
    second = await shelf.client.get(following, headers=owner)
    assert [p["id"] for p in second.json()["data"]] == [str(players[2])]
    assert second.json()["links"]["next"] is None
    bad = await shelf.client.get(url, params={"page[cursor]": "nonsense"}, headers=owner)
    assert codes(bad, 400) == ["INVALID_PAGE_CURSOR"]


async def test_a_creation_retried_with_its_key_creates_one_test(shelf: Shelf) -> None:
    headers = auth(shelf.owner, **{"Idempotency-Key": str(uuid.uuid4())})
    body = shelf.body()
    first = await shelf.client.post(shelf.tests, json=body, headers=headers)
    again = await shelf.client.post(shelf.tests, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    listed = await shelf.client.get(shelf.tests, headers=auth(shelf.owner))
    assert len(listed.json()["data"]) == 1
    missing = await shelf.client.post(shelf.tests, json=body, headers=auth(shelf.owner))
    assert codes(missing, 400) == ["IDEMPOTENCY_KEY_REQUIRED"]

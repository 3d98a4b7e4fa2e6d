"""Support tickets through the app in process, over the real PostgreSQL, the running
developer-portal (GetDeveloper: who is a member of which active account) and the auth
stand-in's real tokens: a ticket's life from open to reopened, who sees and does what,
idempotent opening, a submission of another account refused, bad bodies, lists and pages."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from parovoz_greenlight.main import SERVICE
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.support.domain import Priority
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.clock import ManualClock, SystemClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.developer_portal import DEVELOPER, opened_account
from parovoz_testing.tokens import user_token

PREFIX = "/api/v1/greenlight"
TICKETS = f"{PREFIX}/support/tickets"
ADMIN_STANDIN = "http://127.0.0.1:8093"
RULES = GreenlightSettings(environment="test").support_rules()


def auth(user_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id), roles=roles)}"}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def codes(answer: httpx.Response) -> list[str]:
    return [error["code"] for error in answer.json()["errors"]]


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(SystemClock().now())


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(GreenlightSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=clock)


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://greenlight") as http:
        yield http


@dataclasses.dataclass(frozen=True)
class Studio:
    owner: uuid.UUID
    developer_id: uuid.UUID


async def a_studio(*, active: bool = True) -> Studio:
    """A developer account at developer-portal, owned by a new user; verified (active) by the
    admin stand-in unless ``active`` is False."""
    owner = uuid.uuid4()
    async with httpx.AsyncClient(timeout=10) as http:
        developer_id = await opened_account(http, str(owner))
        if active:
            trigger = await http.post(f"{ADMIN_STANDIN}/developers/{developer_id}/verify")
            assert trigger.status_code == 202, trigger.text
            for _ in range(150):
                me = await http.get(f"{DEVELOPER}/accounts/me", headers=auth(owner))
                if me.json()["data"]["attributes"]["status"] == "active":
                    break
                await asyncio.sleep(0.2)
            else:
                raise AssertionError("the account never became active")
    return Studio(owner, developer_id)


@pytest.fixture(scope="module")
async def studio() -> Studio:
    return await a_studio()


def ticket_body(developer_id: uuid.UUID, /, **attributes: Any) -> dict[str, Any]:
    body = {
        "developer_id": str(developer_id),
        "type": "technical",
        "priority": "normal",
        "subject": "Не загружается сборка",
        "description": "Загрузка обрывается на 80 %.",
        **attributes,
    }
    return {"data": {"type": "supportTicket", "attributes": body}}


async def opened(client: httpx.AsyncClient, studio: Studio, **attributes: Any) -> dict[str, Any]:
    answer = await client.post(
        TICKETS,
        json=ticket_body(studio.developer_id, **attributes),
        headers={**auth(studio.owner), **key()},
    )
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def status_body(status: str, comment: str | None = None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"status": status}
    if comment is not None:
        attributes["comment"] = comment
    return {"data": {"type": "supportTicketStatus", "attributes": attributes}}


def message_body(text: str) -> dict[str, Any]:
    return {"data": {"type": "supportMessage", "attributes": {"body": text}}}


async def test_a_ticket_from_open_to_reopened_and_closed(
    client: httpx.AsyncClient, studio: Studio
) -> None:
    developer = auth(studio.owner)
    staff_id = uuid.uuid4()
    staff = auth(staff_id, "support")
    ticket = await opened(
        client, studio, priority="urgent", attachments=["https://files.example.ru/log.txt"]
    )
    tid, attributes = ticket["id"], ticket["attributes"]
    assert attributes["status"] == "open"
    assert attributes["opened_by"] == str(studio.owner)
    assert attributes["developer_id"] == str(studio.developer_id)
    assert attributes["attachments"] == ["https://files.example.ru/log.txt"]
    assert attributes["assignee_id"] is None and attributes["first_responded_at"] is None
    assert instant(attributes["first_response_due_at"]) - instant(
        attributes["created_at"]
    ) == RULES.first_response_within(Priority.URGENT)

    taken = await client.post(f"{TICKETS}/{tid}/assign", headers=staff)
    assert taken.status_code == 200, taken.text
    assert taken.json()["data"]["attributes"]["status"] == "in_progress"
    assert taken.json()["data"]["attributes"]["assignee_id"] == str(staff_id)

    asked = await client.post(
        f"{TICKETS}/{tid}/status",
        json=status_body("waiting_for_developer", "Какая версия сборки?"),
        headers=staff,
    )
    assert asked.status_code == 200, asked.text
    asked_attributes = asked.json()["data"]["attributes"]
    assert asked_attributes["status"] == "waiting_for_developer"
    assert asked_attributes["first_responded_at"] is not None
    assert [m["attributes"]["author_kind"] for m in asked_attributes["messages"]] == ["support"]

    replied = await client.post(
        f"{TICKETS}/{tid}/messages", json=message_body("Версия 1.2.0."), headers=developer
    )
    assert replied.status_code == 201, replied.text
    assert replied.json()["meta"]["ticket_status"] == "in_progress"
    assert replied.json()["data"]["attributes"]["author_kind"] == "developer"

    resolved = await client.post(
        f"{TICKETS}/{tid}/status", json=status_body("resolved", "Исправили."), headers=staff
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["data"]["attributes"]["resolved_at"] is not None

    late_reply = await client.post(
        f"{TICKETS}/{tid}/messages", json=message_body("Ещё вопрос"), headers=developer
    )
    assert late_reply.status_code == 422
    assert codes(late_reply) == ["SUPPORT_TICKET_STATUS_CONFLICT"]

    reopened = await client.post(
        f"{TICKETS}/{tid}/status", json=status_body("open"), headers=developer
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["data"]["attributes"]["status"] == "open"
    assert reopened.json()["data"]["attributes"]["resolved_at"] is None

    seen = await client.get(f"{TICKETS}/{tid}", headers=developer)
    assert seen.status_code == 200, seen.text
    messages = seen.json()["data"]["attributes"]["messages"]
    assert [(m["attributes"]["author_kind"], m["attributes"]["body"]) for m in messages] == [
        ("support", "Какая версия сборки?"),
        ("developer", "Версия 1.2.0."),
        ("support", "Исправили."),
    ]

    closed = await client.post(
        f"{TICKETS}/{tid}/status", json=status_body("closed"), headers=developer
    )
    assert closed.status_code == 200, closed.text
    for who, target in ((developer, "open"), (staff, "in_progress"), (staff, "resolved")):
        again = await client.post(f"{TICKETS}/{tid}/status", json=status_body(target), headers=who)
        assert again.status_code == 422, again.text
    for who in (developer, staff):
        after_closing = await client.post(
            f"{TICKETS}/{tid}/messages", json=message_body("Ещё?"), headers=who
        )
        assert after_closing.status_code == 422, after_closing.text


async def test_staff_moves_a_developer_may_not_make(
    client: httpx.AsyncClient, studio: Studio
) -> None:
    ticket = await opened(client, studio)
    developer = auth(studio.owner)
    for target in ("in_progress", "waiting_for_developer", "resolved", "open"):
        answer = await client.post(
            f"{TICKETS}/{ticket['id']}/status", json=status_body(target), headers=developer
        )
        assert answer.status_code == 422, (target, answer.text)
        assert codes(answer) == ["SUPPORT_TICKET_STATUS_CONFLICT"]
    taking = await client.post(f"{TICKETS}/{ticket['id']}/assign", headers=developer)
    assert taking.status_code == 403
    staff_closing = await client.post(
        f"{TICKETS}/{ticket['id']}/status",
        json=status_body("closed"),
        headers=auth(uuid.uuid4(), "admin"),
    )
    assert staff_closing.status_code == 422


async def test_a_resolved_ticket_reopens_within_the_period_only(
    client: httpx.AsyncClient, studio: Studio, clock: ManualClock
) -> None:
    staff = auth(uuid.uuid4(), "support")
    developer = auth(studio.owner)
    late, in_time = await opened(client, studio), await opened(client, studio)
    for ticket in (late, in_time):
        answer = await client.post(
            f"{TICKETS}/{ticket['id']}/status", json=status_body("resolved"), headers=staff
        )
        assert answer.status_code == 200, answer.text
    clock.advance(RULES.reopen_period)
    at_the_limit = await client.post(
        f"{TICKETS}/{in_time['id']}/status", json=status_body("open"), headers=developer
    )
    assert at_the_limit.status_code == 200, at_the_limit.text
    clock.advance(timedelta(seconds=1))
    too_late = await client.post(
        f"{TICKETS}/{late['id']}/status", json=status_body("open"), headers=developer
    )
    assert too_late.status_code == 422
    assert codes(too_late) == ["SUPPORT_TICKET_STATUS_CONFLICT"]


async def test_a_stranger_gets_404_and_cannot_open_for_the_account(
    client: httpx.AsyncClient, studio: Studio
) -> None:
    ticket = await opened(client, studio)
    stranger = auth(uuid.uuid4())
    curator = auth(uuid.uuid4(), "curator", "moderator")
    for who in (stranger, curator):
        for answer in (
            await client.get(f"{TICKETS}/{ticket['id']}", headers=who),
            await client.post(
                f"{TICKETS}/{ticket['id']}/messages", json=message_body("Привет"), headers=who
            ),
            await client.post(f"{TICKETS}/{ticket['id']}/assign", headers=who),
            await client.post(
                f"{TICKETS}/{ticket['id']}/status", json=status_body("closed"), headers=who
            ),
        ):
            assert answer.status_code == 404, answer.text
            assert codes(answer) == ["SUPPORT_TICKET_NOT_FOUND"]
    unknown = await client.get(f"{TICKETS}/{uuid.uuid4()}", headers=auth(uuid.uuid4(), "support"))
    assert unknown.status_code == 404

    refused = await client.post(
        TICKETS,
        json=ticket_body(studio.developer_id),
        headers={**stranger, **key()},
    )
    assert refused.status_code == 403, refused.text
    assert codes(refused) == ["DEVELOPER_MEMBERSHIP_REQUIRED"]


async def test_an_account_not_yet_active_cannot_open_a_ticket(client: httpx.AsyncClient) -> None:
    pending = await a_studio(active=False)
    answer = await client.post(
        TICKETS, json=ticket_body(pending.developer_id), headers={**auth(pending.owner), **key()}
    )
    assert answer.status_code == 422, answer.text
    assert codes(answer) == ["DEVELOPER_ACCOUNT_NOT_ACTIVE"]


async def a_submission(infrastructure: Infrastructure, developer_id: uuid.UUID) -> uuid.UUID:
    now = infrastructure.clock.now()
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=developer_id,
        submitted_by=uuid.uuid4(),
        title="Дорога домой",
        description="Сюжетное приключение.",
        status=SubmissionStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        await uow.commit()
    return submission.id


async def test_a_submission_must_be_the_accounts_own(
    client: httpx.AsyncClient, studio: Studio, infrastructure: Infrastructure
) -> None:
    own = await a_submission(infrastructure, studio.developer_id)
    other = await a_submission(infrastructure, uuid.uuid4())
    ticket = await opened(client, studio, submission_id=str(own), type="business")
    assert ticket["attributes"]["submission_id"] == str(own)
    for refused_id in (other, uuid.uuid4()):
        answer = await client.post(
            TICKETS,
            json=ticket_body(studio.developer_id, submission_id=str(refused_id)),
            headers={**auth(studio.owner), **key()},
        )
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["errors"]
        assert error["code"] == "SUBMISSION_NOT_FOUND"
        assert error["source"]["pointer"] == "/data/attributes/submission_id"


async def test_opening_is_idempotent(client: httpx.AsyncClient, studio: Studio) -> None:
    headers = {**auth(studio.owner), **key()}
    body = ticket_body(studio.developer_id, subject=f"Вопрос {uuid.uuid4()}")
    first = await client.post(TICKETS, json=body, headers=headers)
    again = await client.post(TICKETS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.headers["Location"] == f"{TICKETS}/{first.json()['data']['id']}"
    other = await client.post(
        TICKETS, json=ticket_body(studio.developer_id, subject="Другой"), headers=headers
    )
    assert other.status_code == 422, other.text
    assert codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    listed = await client.get(
        TICKETS,
        params={"filter[developer_id]": str(studio.developer_id), "page[size]": "100"},
        headers=auth(studio.owner),
    )
    subjects = [t["attributes"]["subject"] for t in listed.json()["data"]]
    assert subjects.count(body["data"]["attributes"]["subject"]) == 1

    without_key = await client.post(TICKETS, json=body, headers=auth(studio.owner))
    assert without_key.status_code == 400
    assert without_key.json()["errors"][0]["source"]["parameter"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"priority": "asap"}, "/data/attributes/priority"),
        ({"type": "gossip"}, "/data/attributes/type"),
        ({"subject": "   "}, "/data/attributes/subject"),
        ({"subject": "x" * 201}, "/data/attributes/subject"),
        ({"attachments": ["http://files.example.ru/a"]}, "/data/attributes/attachments/0"),
        (
            {"attachments": [f"https://f.example.ru/{i}" for i in range(11)]},
            "/data/attributes/attachments",
        ),
        ({"developer_id": "not-a-uuid"}, "/data/attributes/developer_id"),
        ({"surprise": 1}, "/data/attributes/surprise"),
    ],
)
async def test_bad_bodies_are_400_with_a_pointer(
    client: httpx.AsyncClient, change: dict[str, Any], pointer: str
) -> None:
    body = ticket_body(uuid.uuid4(), **change)
    answer = await client.post(TICKETS, json=body, headers={**auth(uuid.uuid4()), **key()})
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert {e["code"] for e in errors} == {"VALIDATION_ERROR"}
    assert pointer in [e["source"].get("pointer") for e in errors]


async def test_bad_message_and_status_bodies_are_400(
    client: httpx.AsyncClient, studio: Studio
) -> None:
    ticket = await opened(client, studio)
    developer = auth(studio.owner)
    blank = await client.post(
        f"{TICKETS}/{ticket['id']}/messages", json=message_body(" "), headers=developer
    )
    assert blank.status_code == 400
    assert blank.json()["errors"][0]["source"]["pointer"] == "/data/attributes/body"
    unknown = await client.post(
        f"{TICKETS}/{ticket['id']}/status", json=status_body("archived"), headers=developer
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/data/attributes/status"
    bad_id = await client.get(f"{TICKETS}/not-a-uuid", headers=developer)
    assert bad_id.status_code == 400


async def test_lists_filters_and_pages(client: httpx.AsyncClient, clock: ManualClock) -> None:
    studio = await a_studio()
    developer = auth(studio.owner)
    staff_id = uuid.uuid4()
    staff = auth(staff_id, "support")
    ids = {}
    for priority in ("low", "urgent", "normal"):
        ids[priority] = (await opened(client, studio, priority=priority))["id"]
        clock.advance(timedelta(seconds=1))
    taken = await client.post(f"{TICKETS}/{ids['normal']}/assign", headers=staff)
    assert taken.status_code == 200
    mine = {"filter[developer_id]": str(studio.developer_id)}

    pages: list[str] = []
    answer = await client.get(TICKETS, params={**mine, "page[size]": "2"}, headers=developer)
    while True:
        assert answer.status_code == 200, answer.text
        pages.extend(t["id"] for t in answer.json()["data"])
        following = answer.json()["links"]["next"]
        if following is None:
            break
        answer = await client.get(following, headers=developer)
    assert pages == [ids["normal"], ids["urgent"], ids["low"]]  # newest first

    urgent = await client.get(
        TICKETS, params={**mine, "filter[priority]": "urgent"}, headers=developer
    )
    assert [t["id"] for t in urgent.json()["data"]] == [ids["urgent"]]
    nobody = await client.get(TICKETS, params={**mine, "filter[assignee]": "none"}, headers=staff)
    assert {t["id"] for t in nobody.json()["data"]} == {ids["low"], ids["urgent"]}
    me = await client.get(TICKETS, params={**mine, "filter[assignee]": "me"}, headers=staff)
    assert [t["id"] for t in me.json()["data"]] == [ids["normal"]]
    working = await client.get(
        TICKETS, params={**mine, "filter[status]": "in_progress"}, headers=developer
    )
    assert [t["id"] for t in working.json()["data"]] == [ids["normal"]]

    due = await client.get(TICKETS, params={**mine, "sort": "due"}, headers=staff)
    assert [t["id"] for t in due.json()["data"]] == [ids["urgent"], ids["normal"], ids["low"]]
    everyone = await client.get(TICKETS, params={"sort": "due", "page[size]": "1"}, headers=staff)
    assert everyone.status_code == 200 and len(everyone.json()["data"]) == 1

    for refused, expected in (
        (await client.get(TICKETS, headers=developer), "PERMISSION_DENIED"),
        (
            await client.get(TICKETS, params={**mine, "sort": "due"}, headers=developer),
            "PERMISSION_DENIED",
        ),
        (
            await client.get(TICKETS, params=mine, headers=auth(uuid.uuid4())),
            "DEVELOPER_MEMBERSHIP_REQUIRED",
        ),
    ):
        assert refused.status_code == 403, refused.text
        assert codes(refused) == [expected]
    for params in (
        {**mine, "filter[status]": "lost"},
        {**mine, "filter[assignee]": "somebody"},
        {**mine, "page[cursor]": "bm90LWEtY3Vyc29y"},
        {**mine, "page[size]": "0"},
        {**mine, "sort": "oldest"},
        {"filter[developer_id]": "not-a-uuid"},
        {**mine, "page[size]": "two"},
    ):
        answer = await client.get(TICKETS, params=params, headers=developer)
        assert answer.status_code == 400, (params, answer.text)


async def test_the_routes_are_documented(client: httpx.AsyncClient) -> None:
    document = (await client.get(f"{PREFIX}/openapi.json")).json()
    expected = {
        ("/support/tickets", "post"): {"403", "422", "503"},
        ("/support/tickets", "get"): {"400", "403"},
        ("/support/tickets/{ticket_id}", "get"): {"404"},
        ("/support/tickets/{ticket_id}/messages", "post"): {"404", "422"},
        ("/support/tickets/{ticket_id}/assign", "post"): {"403", "404", "422"},
        ("/support/tickets/{ticket_id}/status", "post"): {"404", "422"},
    }
    for (path, method), statuses in expected.items():
        operation = document["paths"][f"{PREFIX}{path}"][method]
        assert statuses <= set(operation["responses"]), (path, method)
        if method == "post" and "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]
            assert body.get("example") or body.get("examples") or body["schema"], path
    creating = document["paths"][f"{PREFIX}/support/tickets"]["post"]
    [header] = [p for p in creating["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["required"] is True


async def test_an_unanswered_ticket_becomes_overdue(
    client: httpx.AsyncClient, studio: Studio, clock: ManualClock
) -> None:
    ticket = await opened(client, studio, priority="urgent")
    answered = await opened(client, studio, priority="urgent")
    staff = auth(uuid.uuid4(), "support")
    assert ticket["attributes"]["first_response_overdue"] is False
    reply = await client.post(
        f"{TICKETS}/{answered['id']}/messages", json=message_body("Смотрим."), headers=staff
    )
    assert reply.status_code == 201, reply.text
    clock.advance(RULES.first_response_within(Priority.URGENT) + timedelta(seconds=1))
    for item, overdue in ((ticket, True), (answered, False)):
        seen = await client.get(f"{TICKETS}/{item['id']}", headers=staff)
        assert seen.json()["data"]["attributes"]["first_response_overdue"] is overdue


async def test_three_retries_at_once_open_one_ticket(
    client: httpx.AsyncClient, studio: Studio
) -> None:
    subject = f"Одновременно {uuid.uuid4()}"
    headers = {**auth(studio.owner), **key()}
    body = ticket_body(studio.developer_id, subject=subject)
    answers = await asyncio.gather(
        *(client.post(TICKETS, json=body, headers=headers) for _ in range(3))
    )
    created = {a.json()["data"]["id"] for a in answers if a.status_code == 201}
    assert len(created) == 1, [a.text for a in answers]
    assert all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]
    listed = await client.get(
        TICKETS,
        params={"filter[developer_id]": str(studio.developer_id), "page[size]": "100"},
        headers=auth(studio.owner),
    )
    assert [t["attributes"]["subject"] for t in listed.json()["data"]].count(subject) == 1

"""What the greenlight bench sets up before it times anything: voters in the user stand-in with
their tokens, and submissions in ``active_voting`` with an open window.

One submission takes the whole real path through the gateway: a developer account and a game at
developer-portal, the account verified by the admin stand-in, a draft, ``POST …/submit`` (the fee's
payment created at payment), the fee paid at the provider sandbox's confirmation page, payment's
``payment.payment.succeeded.v1`` carried by the platform's relay and greenlight's consumer to
``under_moderation``, then a curator's APPROVE (the window opened by results). The others skip the
developer account and the fee only: they are written as the greenlight database's owner straight
into ``under_moderation`` with the fee paid (``fee_paid``, as the consumer leaves it), then
APPROVEd by the same curator through the gateway, so their windows are opened by the service
itself. Each step that could not be done is recorded with its reason.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from benchlib import AUTH, GATEWAY

GREENLIGHT = f"{GATEWAY}/api/v1/greenlight"
DEVELOPER = f"{GATEWAY}/api/v1/developer"
USERS = os.environ.get("PAROVOZ_USERS", "http://127.0.0.1:8092/users")
ADMIN_STANDIN = os.environ.get("PAROVOZ_ADMIN", "http://127.0.0.1:8093")
DATABASE = os.environ.get(
    "GREENLIGHT_DATABASE_URL",
    "postgresql://greenlight:greenlight-dev-password@127.0.0.1:55432/greenlight",
).replace("postgresql+psycopg://", "postgresql://")
#: Long enough for setup and every round (a full run takes a few minutes).
TOKEN_TTL_SECONDS = 3 * 3600
SETUP_CONCURRENCY = 48
PAID_WAIT_SECONDS = 60.0


#: A draft complete enough to submit (description, genre, audience, team, timeline, business
#: plan, a demo link: voters may say they played the demo).
DRAFT: dict[str, Any] = {
    "title": "Замер голосования",
    "description": "Сюжетное приключение о машинисте ночного поезда: заявка для замера "
    "голосования и живых итогов Гринлайта.",
    "genres": ["adventure", "indie"],
    "target_audience": "Игроки 16+, любители сюжетных приключений",
    "selling_points": ["Рисованная графика"],
    "team": "5 человек: геймдизайнер, два художника, программист, композитор",
    "timeline": "Альфа — март 2027, релиз — осень 2027",
    "demo_links": ["https://demo.example.ru/zamer"],
    "business_plan": "Цена 499 ₽, релиз в РФ и СНГ, маркетинг через стримеров.",
}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _token(http: httpx.AsyncClient, user_id: str, roles: tuple[str, ...] = ()) -> str:
    body = {"sub": user_id, "roles": list(roles), "ttl_seconds": TOKEN_TTL_SECONDS}
    answer = await http.post(f"{AUTH}/tokens", json=body)
    if answer.status_code != 200:  # a stand-in refusing long lives: its default then
        answer = await http.post(f"{AUTH}/tokens", json={"sub": user_id, "roles": list(roles)})
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def token(user_id: str, roles: tuple[str, ...] = ()) -> str:
    async def one() -> str:
        async with httpx.AsyncClient(timeout=30) as http:
            return await _token(http, user_id, roles)

    return asyncio.run(one())


# --- voters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    user_id: str
    token: str


async def _voters(user_ids: list[str]) -> list[Voter]:
    """Eligible voters (a year old, two purchases, not blocked) put into the user stand-in, and
    a fresh token for each."""
    created = (datetime.now(UTC) - timedelta(days=365)).isoformat()
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    limits = httpx.Limits(max_connections=SETUP_CONCURRENCY)

    async def one(http: httpx.AsyncClient, user_id: str) -> Voter:
        profile = {
            "birth_date": "1990-05-01",
            "region": "RU",
            "account_created_at": created,
            "purchases_count": 2,
            "blocked": False,
        }
        async with gate:
            answer = await http.put(f"{USERS}/{user_id}", json=profile)
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"user stand-in: {answer.status_code} {answer.text[:300]}")
            return Voter(user_id, await _token(http, user_id))

    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        return list(await asyncio.gather(*(one(http, user_id) for user_id in user_ids)))


def voters(count: int) -> list[Voter]:
    """``count`` new eligible voters with their tokens."""
    return asyncio.run(_voters([str(uuid.uuid4()) for _ in range(count)]))


def renewed(made: list[Voter]) -> list[Voter]:
    """The same voters again, after the stand-ins restarted (the user stand-in forgets its
    profiles, the auth stand-in signs with a new key): profiles put back, fresh tokens."""
    return asyncio.run(_voters([voter.user_id for voter in made]))


# --- submissions -------------------------------------------------------------------------------


@dataclass
class Submissions:
    ids: list[str] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)  # step -> how it was done / why not


def _check(answer: httpx.Response, *statuses: int) -> dict[str, Any]:
    if answer.status_code not in statuses:
        raise RuntimeError(
            f"{answer.request.method} {answer.request.url.path} answered {answer.status_code}: "
            f"{answer.text[:300]}"
        )
    body: dict[str, Any] = answer.json() if answer.content else {}
    return body


def _curator(http: httpx.Client) -> str:
    """An active curator registered by an admin through the gateway: the curator's token."""
    curator = str(uuid.uuid4())
    body = {
        "data": {
            "type": "curator",
            "attributes": {"user_id": curator, "display_name": "Куратор замеров"},
        }
    }
    admin = token(str(uuid.uuid4()), ("admin",))
    _check(http.post(f"{GREENLIGHT}/curators", json=body, headers=_bearer(admin)), 201)
    return token(curator, ("curator",))


def _approve(http: httpx.Client, curator: str, submission_id: str) -> None:
    body = {"data": {"type": "moderationAction", "attributes": {"action": "APPROVE"}}}
    answer = http.post(
        f"{GREENLIGHT}/submissions/{submission_id}/moderation",
        json=body,
        headers=_bearer(curator),
    )
    attributes = _check(answer, 201)["data"]["attributes"]
    if attributes.get("to_status") != "active_voting":
        raise RuntimeError(f"APPROVE moved {submission_id} to {attributes.get('to_status')}")


def _paid_through_the_api(http: httpx.Client, curator: str) -> tuple[str, str]:
    """The whole path for one submission; its id and how far it went."""
    owner = str(uuid.uuid4())
    headers = _bearer(token(owner))
    account = _check(
        http.post(
            f"{DEVELOPER}/accounts",
            headers=headers,
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия замеров голосования",
                        "legal_entity_type": "llc",
                        "tax_id": "7707083893",
                        "contact_email": "bench@example.com",
                        "country_code": "RU",
                    },
                }
            },
        ),
        201,
    )
    developer_id = account["data"]["id"]
    game = _check(
        http.post(
            f"{DEVELOPER}/games",
            headers=headers,
            json={
                "data": {
                    "type": "productCreation",
                    "attributes": {"title": f"Замер голосования {uuid.uuid4().hex[:8]}"},
                }
            },
        ),
        201,
    )
    _check(http.post(f"{ADMIN_STANDIN}/developers/{developer_id}/verify"), 202)
    deadline = time.monotonic() + 30
    while True:
        me = _check(http.get(f"{DEVELOPER}/accounts/me", headers=headers), 200)
        if me["data"]["attributes"]["status"] == "active":
            break
        if time.monotonic() > deadline:
            raise RuntimeError("the developer account did not become active in 30 s")
        time.sleep(0.2)
    draft = _check(
        http.post(
            f"{GREENLIGHT}/submissions",
            headers=headers,
            json={
                "data": {
                    "type": "submissionCreation",
                    "attributes": {"game_id": game["data"]["id"], **DRAFT},
                }
            },
        ),
        201,
    )
    submission_id: str = draft["data"]["id"]
    submitted = _check(
        http.post(f"{GREENLIGHT}/submissions/{submission_id}/submit", headers=headers), 202
    )
    confirmation = submitted["meta"]["confirmation_url"]
    paid = http.get(confirmation, follow_redirects=False)
    if paid.status_code not in (200, 302, 303):
        raise RuntimeError(f"the sandbox's confirmation page answered {paid.status_code}")
    deadline = time.monotonic() + PAID_WAIT_SECONDS
    while True:
        shown = _check(http.get(f"{GREENLIGHT}/submissions/{submission_id}", headers=headers), 200)
        if shown["data"]["attributes"]["status"] == "under_moderation":
            break
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the paid fee did not reach greenlight in {PAID_WAIT_SECONDS:g} s "
                f"(status {shown['data']['attributes']['status']})"
            )
        time.sleep(0.3)
    _approve(http, curator, submission_id)
    return submission_id, (
        "gateway: developer account + game, verified (admin stand-in), draft, submit, fee paid "
        "at the sandbox, payment.succeeded -> under_moderation, curator APPROVE"
    )


def _written_for_moderation(count: int) -> list[str]:
    """``count`` submissions written in ``under_moderation`` with the fee paid (SQL as the
    greenlight database's owner)."""
    import psycopg

    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with psycopg.connect(DATABASE, connect_timeout=10) as connection:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO submissions (id, game_id, developer_id, submitted_by, title, "
                "description, status, created_at, updated_at, genres, target_audience, "
                "selling_points, team, timeline, demo_links, business_plan, fee_paid, "
                "submitted_at, flags, version) VALUES (%s, %s, %s, %s, %s, %s, "
                "'under_moderation', %s, %s, %s, %s, %s, %s, %s, %s, %s, true, %s, '{}', 0)",
                [
                    (
                        sid,
                        str(uuid.uuid4()),
                        str(uuid.uuid4()),
                        str(uuid.uuid4()),
                        f"{DRAFT['title']} {number + 2}",
                        DRAFT["description"],
                        now,
                        now,
                        DRAFT["genres"],
                        DRAFT["target_audience"],
                        DRAFT["selling_points"],
                        DRAFT["team"],
                        DRAFT["timeline"],
                        DRAFT["demo_links"],
                        DRAFT["business_plan"],
                        now,
                    )
                    for number, sid in enumerate(ids)
                ],
            )
    return ids


def submissions(count: int) -> Submissions:
    """``count`` submissions in ``active_voting``: the first through the API, the rest written
    for moderation and approved through the API (see the module's docstring)."""
    made = Submissions()
    with httpx.Client(timeout=30) as http:
        curator = _curator(http)
        made.steps["curator"] = "gateway: POST /curators (admin), an active curator"
        try:
            first, how = _paid_through_the_api(http, curator)
            made.ids.append(first)
            made.steps["submission 1"] = how
        except (RuntimeError, httpx.HTTPError, KeyError) as why:
            made.steps["submission 1"] = f"NOT DONE through the API ({why}); written instead"
        rest = count - len(made.ids)
        if rest > 0:
            for submission_id in _written_for_moderation(rest):
                _approve(http, curator, submission_id)
                made.ids.append(submission_id)
            made.steps[f"submissions {count - rest + 1}-{count}"] = (
                "SQL as greenlight's owner: under_moderation with fee_paid; then curator "
                "APPROVE through the gateway (window opened by the service)"
            )
    return made

"""Shared by greenlight's end-to-end tests: an indie studio (greenlight track) with a game at
developer-portal, greenlight submissions driven through the gateway (draft -> submit -> the fee
paid at the provider sandbox -> moderation), eligible voters put into the user stand-in, and
greenlight's own window-closing job run in this process with a moved clock.

The studio is ``e2e_studio.PortalStudio`` (shared with ``test_game_journey.py``)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from e2e_payments import auth
from e2e_studio import PortalStudio
from parovoz_greenlight.results.jobs import run_close_windows
from parovoz_greenlight.results.service import ClosingRun
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_kit.clock import SystemClock
from parovoz_kit.infrastructure import open_infrastructure
from parovoz_testing.platform import DATABASES, GATEWAY, wait_until
from parovoz_testing.tokens import user_token

GREENLIGHT = f"{GATEWAY}/api/v1/greenlight"
PAYMENTS = f"{GATEWAY}/api/v1/payments"
USERS = "http://127.0.0.1:8092"
CATEGORIES = ("gameplay", "presentation", "innovation", "market_appeal", "technical_quality")


# --- developer-portal: an indie studio and its game ---------------------------------------------
class IndieStudio(PortalStudio):
    """A new developer account (``greenlight`` publishing track) owned by a fresh user, with
    one drafted game. ``activate`` makes the account ``active`` on the greenlight track."""

    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.draft("Полустанок")

    def activate(self) -> None:
        """The account becomes ``active`` and stays on the ``greenlight`` track.

        developer-portal has no public path to that state yet: a new account waits in
        ``pending_verification`` until its onboarding checklist (seed 000: documents, tax and
        bank setup, agreement, activation) is done, and that checklist is not built; the only
        activation built is the platform's studio verification, which also moves the account
        to the ``direct`` track (no greenlight needed). greenlight submits only for an active
        account, so the test sets the status in developer-portal's database the way that
        checklist's last step would, and nothing else."""
        with psycopg.connect(DATABASES["developer"]) as connection:
            changed = connection.execute(
                "UPDATE developer_accounts SET status = 'active' "
                "WHERE id = %s AND publishing_track = 'greenlight'",
                (self.developer_id,),
            ).rowcount
        assert changed == 1
        account = self.account()
        assert (account["status"], account["publishing_track"]) == ("active", "greenlight")

    def version_with_build(
        self, name: str = "0.9.0", file_stem: str = "polustanok", size: int = 64 * 1024
    ) -> str:
        return super().version_with_build(name, file_stem, size)


# --- greenlight: a submission through the gateway -----------------------------------------------
def complete_draft(game_id: str) -> dict[str, Any]:
    """A draft with everything submitting asks for (description, genres, audience, team,
    timeline, demo link, business plan)."""
    return {
        "data": {
            "type": "submissionCreation",
            "attributes": {
                "game_id": game_id,
                "title": "Полустанок",
                "description": "Симулятор смотрителя глухого полустанка на Транссибе.",
                "genres": ["simulation", "indie"],
                "target_audience": "Игроки 14+, любители спокойных симуляторов",
                "selling_points": ["Живая железная дорога", "Смена времён года"],
                "team": "3 человека: дизайнер, художник, программист",
                "timeline": "Демо — сейчас, релиз — лето 2027",
                "demo_links": ["https://demo.example.ru/polustanok"],
                "business_plan": "Цена 399 ₽, РФ и СНГ, продвижение через стримеров.",
            },
        }
    }


def greenlight(method: str, path: str, user_id: str, *roles: str, **kwargs: Any) -> httpx.Response:
    headers = {**auth(user_token(user_id, roles=roles)), **kwargs.pop("headers", {})}
    return httpx.request(method, f"{GREENLIGHT}{path}", headers=headers, timeout=30, **kwargs)


def submission(submission_id: str, user_id: str) -> dict[str, Any]:
    answer = greenlight("GET", f"/submissions/{submission_id}", user_id)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"]["attributes"])


def wait_for_status(submission_id: str, user_id: str, status: str) -> dict[str, Any]:
    seen = wait_until(
        lambda: (s := submission(submission_id, user_id))["status"] == status and s, timeout=30
    )
    assert seen, f"submission {submission_id} never became {status}"
    return dict(seen)


def fee(submission_id: str, user_id: str) -> dict[str, Any]:
    answer = greenlight("GET", f"/submissions/{submission_id}/fee", user_id)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"]["attributes"])


def submitted_and_paid(studio: IndieStudio) -> str:
    """The studio's owner drafts a complete submission of the studio's game, submits it (202:
    payment's confirmation URL for the fee), pays at the provider sandbox, and payment's
    ``payment.payment.succeeded.v1`` takes it (through the broker and greenlight's running
    consumer) to ``under_moderation``. Its id."""
    created = greenlight(
        "POST",
        "/submissions",
        studio.owner,
        json=complete_draft(studio.game_id),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert created.status_code == 201, created.text
    submission_id = str(created.json()["data"]["id"])
    sent = greenlight("POST", f"/submissions/{submission_id}/submit", studio.owner)
    assert sent.status_code == 202, sent.text
    assert sent.json()["data"]["attributes"]["status"] == "submitted"
    confirmation_url = sent.json()["meta"]["confirmation_url"]
    paid = httpx.get(confirmation_url, follow_redirects=False, timeout=30)
    assert paid.status_code == 303, paid.text
    moderated = wait_for_status(submission_id, studio.owner, "under_moderation")
    assert moderated["fee_paid"] is True
    return submission_id


APPROVAL = {
    "data": {
        "type": "moderationAction",
        "attributes": {"action": "APPROVE", "comment": "Заявка полная, демо работает."},
    }
}


def approved_by_moderator(submission_id: str) -> str:
    """A user with the platform's ``moderator`` role approves it: ``active_voting``. The
    moderator's id."""
    moderator = str(uuid.uuid4())
    answer = greenlight(
        "POST", f"/submissions/{submission_id}/moderation", moderator, "moderator", json=APPROVAL
    )
    assert answer.status_code == 201, answer.text
    return moderator


def registered_curator() -> str:
    """A fresh user a moderator registers as an ``active`` curator (they act with the
    platform role ``curator``); their id."""
    curator = str(uuid.uuid4())
    registration = {
        "data": {
            "type": "curator",
            "attributes": {
                "user_id": curator,
                "display_name": "Куратор инди",
                "specialties": ["simulation"],
                "status": "active",
            },
        }
    }
    answer = greenlight("POST", "/curators", str(uuid.uuid4()), "moderator", json=registration)
    assert answer.status_code == 201, answer.text
    return curator


# --- voters --------------------------------------------------------------------------------------
async def eligible_voters(count: int, concurrency: int = 16) -> list[str]:
    """``count`` fresh users the user stand-in knows as eligible voters: accounts a year old
    with purchases, not blocked."""
    created_at = (datetime.now(UTC) - timedelta(days=365)).isoformat()
    gate = asyncio.Semaphore(concurrency)

    async def one(users: httpx.AsyncClient) -> str:
        user_id = str(uuid.uuid4())
        profile = {
            "birth_date": "1990-05-01",
            "region": "RU",
            "account_created_at": created_at,
            "purchases_count": 3,
            "blocked": False,
        }
        async with gate:
            answer = await users.put(f"/users/{user_id}", json=profile)
        assert answer.status_code in (200, 201), answer.text
        return user_id

    async with httpx.AsyncClient(base_url=USERS, timeout=30) as users:
        return list(await asyncio.gather(*(one(users) for _ in range(count))))


def vote_body(choice: str, *, played_demo: bool) -> dict[str, Any]:
    return {
        "data": {
            "type": "vote",
            "attributes": {
                "choice": choice,
                "scores": dict.fromkeys(CATEGORIES, 4 if choice == "yes" else 2),
                "played_demo": played_demo,
                "would_recommend": choice == "yes",
            },
        }
    }


def client_address(number: int) -> str:
    """A loopback address of its own /24 for voter ``number`` (127.0.0.0/8 is all loopback)."""
    return f"127.{1 + number // 256}.{number % 256}.1"


async def cast_votes(
    submission_id: str,
    ballots: Sequence[tuple[str, str, bool]],
    concurrency: int = 16,
) -> list[httpx.Response]:
    """Each (voter, choice, played_demo) voted through the gateway, ``concurrency`` at a time.

    Each voter connects to the gateway from a loopback address of its own IPv4 /24 (the
    gateway forwards its peer's address, greenlight keeps the /24) and sends its own device
    fingerprint, as voters on their own networks and devices do: 150 votes from one /24 within
    minutes would — rightly — be a burst the audit flags. No forwarding header is forged."""
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int, ballot: tuple[str, str, bool]) -> httpx.Response:
        voter, choice, played_demo = ballot
        headers = {**auth(user_token(voter)), "X-Device-Fingerprint": f"device-{voter}"}
        transport = httpx.AsyncHTTPTransport(local_address=client_address(number))
        async with gate:
            async with httpx.AsyncClient(
                base_url=GREENLIGHT, transport=transport, timeout=60
            ) as http:
                return await http.post(
                    f"/submissions/{submission_id}/votes",
                    json=vote_body(choice, played_demo=played_demo),
                    headers=headers,
                )

    return list(await asyncio.gather(*(one(n, ballot) for n, ballot in enumerate(ballots))))


# --- greenlight's own closing job, in this process ----------------------------------------------
async def close_window_at(submission_id: str, moment: datetime) -> ClosingRun:
    """One run of greenlight's ``results-close-windows`` job function, in this process, over
    the real greenlight database (PostgreSQL, Redis, broker and user stand-in as the running
    service uses them), with greenlight's clock moved to ``moment`` and the run limited to this
    submission's windows (the running service's clock cannot move: the kit's
    ``clock_offset_seconds`` is read at start-up; nothing else is moved in time). Events the
    run writes leave through greenlight's outbox and the running service's relay."""
    failures = _Failures()
    jobs_log = logging.getLogger(run_close_windows.__module__)
    jobs_log.addHandler(failures)
    try:
        async with open_infrastructure(GreenlightSettings(environment="test")) as infrastructure:
            clock = infrastructure.clock
            assert isinstance(clock, SystemClock)
            clock.offset = moment - datetime.now(UTC)
            run = await run_close_windows(infrastructure, only=[uuid.UUID(submission_id)])
    finally:
        jobs_log.removeHandler(failures)
    assert not failures.seen, f"the closing job failed a step: {failures.seen}"
    return run


class _Failures(logging.Handler):
    """The job's failed steps (it logs them and goes on): error type and code."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[tuple[object, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((getattr(record, "error", None), getattr(record, "code", None)))


def greenlight_outbox(submission_id: str) -> list[tuple[str, dict[str, Any], bool]]:
    """greenlight's outbox rows keyed by the submission: (type, payload, sent by the relay)."""
    with psycopg.connect(DATABASES["greenlight"]) as connection:
        rows = connection.execute(
            "SELECT type, payload, published_at FROM outbox WHERE key = %s ORDER BY seq",
            (submission_id,),
        ).fetchall()
    return [
        (kind, payload if isinstance(payload, dict) else json.loads(payload), sent is not None)
        for kind, payload, sent in rows
    ]


def payment_refunds(payment_id: str, payer_token: str) -> list[dict[str, Any]]:
    """The payment's refunds as payment answers its payer through the gateway."""
    answer = httpx.get(f"{PAYMENTS}/{payment_id}/refunds", headers=auth(payer_token), timeout=30)
    assert answer.status_code == 200, answer.text
    return [dict(item["attributes"]) for item in answer.json()["data"]]

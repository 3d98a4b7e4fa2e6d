"""The proving slice through the gateway: developer accounts and games at developer-portal,
their events through the outbox, and payment's read model fed by its idempotent consumer."""

from __future__ import annotations

import json
import uuid

import httpx
import psycopg
import pytest
from confluent_kafka import Producer
from parovoz_testing.platform import DATABASES, GATEWAY, SERVICES, wait_until
from parovoz_testing.tokens import user_token

PORTAL = f"{GATEWAY}/api/v1/developer"


def _headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def _account_body(**attributes: str) -> dict:
    values = {
        "company_name": "Студия Паровоз",
        "legal_entity_type": "llc",
        "tax_id": "7707083893",
        "contact_email": "studio@example.com",
        "country_code": "RU",
        **attributes,
    }
    return {"data": {"type": "developerAccountCreation", "attributes": values}}


def _game_body(title: str) -> dict:
    return {"data": {"type": "productCreation", "attributes": {"title": title}}}


class Developer:
    """A user who opened a developer account through the gateway."""

    def __init__(self) -> None:
        self.user_id = str(uuid.uuid4())
        self.token = user_token(self.user_id)
        response = httpx.post(
            f"{PORTAL}/accounts", json=_account_body(), headers=_headers(self.token)
        )
        assert response.status_code == 201, response.text
        self.account = response.json()["data"]

    def create_game(self, title: str, **headers: str) -> httpx.Response:
        return httpx.post(
            f"{PORTAL}/games", json=_game_body(title), headers=_headers(self.token, **headers)
        )


@pytest.fixture
def developer() -> Developer:
    return Developer()


def test_account_is_created_with_the_caller_as_owner(developer: Developer) -> None:
    attributes = developer.account["attributes"]
    assert developer.account["type"] == "developerAccount"
    assert attributes["owner_user_id"] == developer.user_id
    assert attributes["my_role"] == "owner"
    assert attributes["status"] == "pending_verification"
    me = httpx.get(f"{PORTAL}/accounts/me", headers=_headers(developer.token))
    assert me.status_code == 200
    assert me.json()["data"]["id"] == developer.account["id"]


def test_a_second_account_for_the_same_user_is_a_conflict(developer: Developer) -> None:
    again = httpx.post(
        f"{PORTAL}/accounts", json=_account_body(), headers=_headers(developer.token)
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "RESOURCE_ALREADY_EXISTS"


def test_bad_input_gets_a_pointer_and_never_a_500() -> None:
    token = user_token(str(uuid.uuid4()))
    bad_inn = httpx.post(
        f"{PORTAL}/accounts", json=_account_body(tax_id="1234567890"), headers=_headers(token)
    )
    assert bad_inn.status_code == 400  # malformed input (seed 001 §8.2)
    assert bad_inn.json()["errors"][0]["source"]["pointer"] == "/data/attributes/tax_id"
    bad_email = httpx.post(
        f"{PORTAL}/accounts", json=_account_body(contact_email="nope"), headers=_headers(token)
    )
    assert bad_email.status_code == 400
    pointers = {e["source"]["pointer"] for e in bad_email.json()["errors"]}
    assert "/data/attributes/contact_email" in pointers
    not_json = httpx.post(
        f"{PORTAL}/accounts",
        content=b"{not json",
        headers=_headers(token, **{"content-type": "application/json"}),
    )
    assert not_json.status_code == 400
    assert httpx.get(f"{PORTAL}/accounts/me", headers=_headers(token)).status_code == 404


def test_calls_without_a_valid_token_are_refused() -> None:
    missing = httpx.get(f"{PORTAL}/accounts/me")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    forged = httpx.get(f"{PORTAL}/accounts/me", headers=_headers("a.b.c"))
    assert forged.status_code == 401
    assert forged.json()["errors"][0]["status"] == "401"


def test_game_is_created_and_readable_by_its_team_only(developer: Developer) -> None:
    created = developer.create_game("Паровоз: Начало")
    assert created.status_code == 201, created.text
    game = created.json()["data"]
    assert game["attributes"]["developer_id"] == developer.account["id"]
    assert game["attributes"]["status"] == "draft"
    assert created.headers["location"] == f"/api/v1/developer/games/{game['id']}"

    mine = httpx.get(f"{GATEWAY}{created.headers['location']}", headers=_headers(developer.token))
    assert mine.status_code == 200 and mine.json()["data"]["id"] == game["id"]

    stranger = Developer()
    theirs = httpx.get(f"{PORTAL}/games/{game['id']}", headers=_headers(stranger.token))
    assert theirs.status_code == 404
    assert game["attributes"]["title"] not in theirs.text

    duplicate = developer.create_game("паровоз: начало")  # titles are unique, case-insensitive
    assert duplicate.status_code == 409


def test_idempotency_key_replays_game_creation(developer: Developer) -> None:
    key = str(uuid.uuid4())
    first = developer.create_game("Повтор", **{"Idempotency-Key": key})
    again = developer.create_game("Повтор", **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    reused = developer.create_game("Другая игра", **{"Idempotency-Key": key})
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


def _owner_row(game_id: str) -> tuple | None:
    with psycopg.connect(DATABASES["payment"]) as connection:
        return connection.execute(
            "SELECT developer_id::text, title, learned_from FROM game_owners WHERE game_id = %s",
            (game_id,),
        ).fetchone()


def _inbox_rows(event_id: str) -> int:
    with psycopg.connect(DATABASES["payment"]) as connection:
        return connection.execute(
            "SELECT count(*) FROM inbox WHERE event_id = %s", (event_id,)
        ).fetchone()[0]


def _outbox_event(game_id: str) -> tuple[dict, dict, str]:
    with psycopg.connect(DATABASES["developer"]) as connection:
        headers, payload, key = connection.execute(
            "SELECT headers, payload, key FROM outbox "
            "WHERE type = 'developer.game.created.v1' AND key = %s",
            (game_id,),
        ).fetchone()
    return headers, payload, key


def test_game_created_reaches_payments_read_model_exactly_once(developer: Developer) -> None:
    game = developer.create_game("Сквозная игра").json()["data"]
    row = wait_until(lambda: _owner_row(game["id"]))
    assert row == (developer.account["id"], "Сквозная игра", "event")

    # Deliver the very same CloudEvent again (a broker redelivery), with a changed title so
    # a second effect would show: the inbox absorbs it.
    headers, payload, key = _outbox_event(game["id"])
    event_id = headers["ce_id"]
    assert wait_until(lambda: _inbox_rows(event_id) == 1)
    duplicates_before = _payment_duplicates()
    producer = Producer({"bootstrap.servers": "127.0.0.1:59092", "enable.idempotence": True})
    producer.produce(
        "developer.events.v1",
        key=key,
        value=json.dumps({**payload, "title": "Дубликат"}).encode(),
        headers=[(name, str(value).encode()) for name, value in headers.items()],
    )
    assert producer.flush(10) == 0
    # The consumer saw the redelivery and skipped it: no second effect, one inbox row.
    assert wait_until(lambda: _payment_duplicates() > duplicates_before)
    assert _owner_row(game["id"]) == (developer.account["id"], "Сквозная игра", "event")
    assert _inbox_rows(event_id) == 1


def _payment_duplicates() -> float:
    # Metrics are served on the service's port (Prometheus), never through the gateway.
    payment = next(service for service in SERVICES if service.name == "payment")
    metrics = httpx.get(f"http://127.0.0.1:{payment.http_port}/metrics").text
    for line in metrics.splitlines():
        if line.startswith('consumer_events_duplicate_total{group="payment.developer.events.v1"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0

"""PUT a profile, GET it back; validation errors point at the offending field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest


def profile(**overrides: Any) -> dict[str, Any]:
    return {
        "birth_date": "2001-09-14",
        "region": "KZ",
        "account_created_at": "2023-02-01T10:00:00+03:00",
        "purchases_count": 4,
        "blocked": False,
        "email": "player@example.test",
    } | overrides


async def test_put_creates_then_get_returns_the_profile(client: httpx.AsyncClient) -> None:
    user_id = uuid.uuid4()

    created = await client.put(f"/users/{user_id}", json=profile())
    fetched = await client.get(f"/users/{user_id}")

    assert created.status_code == 201
    assert created.headers["location"] == f"/users/{user_id}"
    assert created.headers["server"] == "parovoz-standin-user"
    assert fetched.status_code == 200
    assert fetched.json() == {
        "id": str(user_id),
        "birth_date": "2001-09-14",
        "region": "KZ",
        "account_created_at": "2023-02-01T07:00:00Z",
        "purchases_count": 4,
        "blocked": False,
        "email": "player@example.test",
    }


async def test_put_again_replaces_the_whole_profile(client: httpx.AsyncClient) -> None:
    user_id = uuid.uuid4()
    await client.put(f"/users/{user_id}", json=profile())

    replaced = await client.put(
        f"/users/{user_id}", json={"id": str(user_id), "birth_date": "1990-01-31", "region": "RU"}
    )

    assert replaced.status_code == 200
    body = (await client.get(f"/users/{user_id}")).json()
    assert body["region"] == "RU" and body["birth_date"] == "1990-01-31"
    assert body["purchases_count"] == 0 and body["blocked"] is False and body["email"] is None
    created_at = datetime.fromisoformat(body["account_created_at"])
    assert datetime.now(UTC) - created_at < timedelta(minutes=1)


async def test_unknown_user_is_404_in_the_error_format(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/users/{uuid.uuid4()}")

    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert error["status"] == "404" and error["code"] == "USER_NOT_FOUND"
    assert error["title"] and error["detail"]


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"birth_date": "14.09.2001"}, "/birth_date"),
        ({"birth_date": "2001-09-14T00:00:00"}, "/birth_date"),
        ({"birth_date": 1000000}, "/birth_date"),
        ({"birth_date": "2999-01-01"}, "/birth_date"),
        ({"region": "ru"}, "/region"),
        ({"region": "RUS"}, "/region"),
        ({"region": "XX"}, "/region"),
        ({"purchases_count": -1}, "/purchases_count"),
        ({"purchases_count": "3"}, "/purchases_count"),
        ({"blocked": "no"}, "/blocked"),
        ({"account_created_at": "2023-02-01T10:00:00"}, "/account_created_at"),
        ({"email": "not-an-email"}, "/email"),
        ({"nickname": "x"}, "/nickname"),
        ({"id": str(uuid.uuid4())}, "/id"),
    ],
)
async def test_invalid_profiles_are_refused_with_a_pointer(
    client: httpx.AsyncClient, overrides: dict[str, Any], pointer: str
) -> None:
    user_id = uuid.uuid4()

    response = await client.put(f"/users/{user_id}", json=profile(**overrides))

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["status"] == "400" and error["source"] == {"pointer": pointer}
    assert (await client.get(f"/users/{user_id}")).status_code == 404


async def test_missing_fields_are_each_reported(client: httpx.AsyncClient) -> None:
    response = await client.put(f"/users/{uuid.uuid4()}", json={})

    pointers = {error["source"]["pointer"] for error in response.json()["errors"]}
    assert response.status_code == 400 and pointers == {"/birth_date", "/region"}


async def test_a_user_id_must_be_a_uuid(client: httpx.AsyncClient) -> None:
    put = await client.put("/users/42", json=profile())
    get = await client.get("/users/42")

    for response in (put, get):
        assert response.status_code == 400
        assert response.json()["errors"][0]["source"] == {"parameter": "user_id"}


async def test_profiles_survive_a_restart_with_a_state_file(
    tmp_path: Path, open_user_client
) -> None:
    state_file = tmp_path / "state" / "users.json"
    user_id = uuid.uuid4()
    async with open_user_client(state_file) as first_run:
        await first_run.put(f"/users/{user_id}", json=profile(blocked=True))

    async with open_user_client(state_file) as second_run:
        response = await second_run.get(f"/users/{user_id}")

    assert response.status_code == 200 and response.json()["blocked"] is True


async def test_health_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.headers["server"] == "parovoz-standin-user"

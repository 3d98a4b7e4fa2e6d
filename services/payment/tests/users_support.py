"""Test helper: a player the user stand-in knows, by default long-standing (so no new-account
fraud rule holds their payments) and not blocked."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

USERS = "http://127.0.0.1:8092/users"


def player(*, blocked: bool = False, age: timedelta = timedelta(days=400)) -> uuid.UUID:
    """A player registered ``age`` ago in the user stand-in."""
    user_id = uuid.uuid4()
    created = (datetime.now(UTC) - age).isoformat()
    httpx.put(
        f"{USERS}/{user_id}",
        json={
            "birth_date": "1990-01-01",
            "region": "RU",
            "account_created_at": created,
            "blocked": blocked,
        },
    ).raise_for_status()
    return user_id

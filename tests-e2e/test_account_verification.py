"""A studio verified by the platform, end to end: the admin stand-in's REST trigger publishes
``admin.developer.verified.v1`` on Kafka, developer-portal's consumer makes the account active,
verified and on the direct publishing track (what greenlight's "active developer" check and
direct review need), and ``developer.account.status.changed.v1`` leaves its outbox."""

from __future__ import annotations

import json
import uuid

import httpx
import psycopg
from e2e_payments import auth, open_developer_account
from parovoz_events.developer import DeveloperAccountStatusChanged
from parovoz_testing.platform import DATABASES, GATEWAY, wait_until
from parovoz_testing.tokens import user_token

ADMIN_STANDIN = "http://127.0.0.1:8093"
PORTAL = f"{GATEWAY}/api/v1/developer"


def my_account(token: str) -> dict:
    answer = httpx.get(f"{PORTAL}/accounts/me", headers=auth(token))
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["attributes"]


def status_events(developer_id: str) -> list[DeveloperAccountStatusChanged]:
    with psycopg.connect(DATABASES["developer"]) as connection:
        rows = connection.execute(
            "SELECT payload FROM outbox WHERE type = 'developer.account.status.changed.v1' "
            "AND key = %s ORDER BY seq",
            (developer_id,),
        ).fetchall()
    return [
        DeveloperAccountStatusChanged.model_validate(
            payload if isinstance(payload, dict) else json.loads(payload)
        )
        for (payload,) in rows
    ]


def test_the_admin_verifies_a_studio_and_it_becomes_active_on_the_direct_track() -> None:
    token = user_token(str(uuid.uuid4()))
    developer_id = open_developer_account(token)
    before = my_account(token)
    assert (before["status"], before["publishing_track"]) == ("pending_verification", "greenlight")

    trigger = httpx.post(f"{ADMIN_STANDIN}/developers/{developer_id}/verify")
    assert trigger.status_code == 202, trigger.text
    after = wait_until(
        lambda: (a := my_account(token))["publishing_track"] == "direct" and a, timeout=30
    )
    assert after, "the account never became direct"
    assert after["status"] == "active"

    [changed] = status_events(developer_id)
    assert (changed.previous_status, changed.status) == ("pending_verification", "active")
    assert (changed.publishing_track, changed.verified) == ("direct", True)

    # The stand-in sends the decision again: nothing more happens.
    assert httpx.post(f"{ADMIN_STANDIN}/developers/{developer_id}/verify").status_code == 202
    unknown = httpx.post(f"{ADMIN_STANDIN}/developers/{uuid.uuid4()}/verify")
    assert unknown.status_code == 202  # ignored by developer-portal, not dead-lettered
    wait_until(lambda: len(status_events(developer_id)) > 1, timeout=5)
    assert len(status_events(developer_id)) == 1
    assert my_account(token)["status"] == "active"

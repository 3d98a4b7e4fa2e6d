"""Referral payouts on the real engines (service token only): a reward lands in the user's
wallet with ``payment.referral_payout.completed.v1`` in the same transaction; a blocked user
(user stand-in) or a wallet cap that would be passed fails with ``.failed.v1`` and moves no
money; replays (same key, or the same reference again) pay once; users and services other than
social cannot call it."""

from __future__ import annotations

import uuid

import httpx
from parovoz_events.payment import ReferralPayoutCompleted, ReferralPayoutFailed
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.db.ledger import account_for, find_account, post
from parovoz_payment.domain.ledger import AccountKey, AccountPurpose, OwnerType, credit, debit
from parovoz_payment.domain.money import Money
from parovoz_payment.jobs.ledger_check import check_ledger
from parovoz_testing.tokens import auth, service_token
from sqlalchemy import text
from users_support import player

PAYOUTS = "/api/v1/payments/referral-payouts"
#: The (external) social service: its client at the auth stand-in, the only one admitted.
SERVICE = "social"
EVENTS = {
    ReferralPayoutCompleted.event_type: ReferralPayoutCompleted,
    ReferralPayoutFailed.event_type: ReferralPayoutFailed,
}


def service_headers(name: str = SERVICE) -> dict[str, str]:
    return {"Authorization": f"Bearer {service_token(name)}"}


def body(user_id: uuid.UUID, minor: int, reference: str | None = None) -> dict:
    attributes = {
        "user_id": str(user_id),
        "amount": {"amount_minor": minor, "currency": "RUB"},
        "destination": "wallet",
        "reference": reference or f"referral-reward:{uuid.uuid4()}",
    }
    return {"data": {"type": "referralPayout", "attributes": attributes}}


async def ask(
    client: httpx.AsyncClient, payload: dict, key: str | None = None, service: str = SERVICE
) -> httpx.Response:
    headers = {**service_headers(service), "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(PAYOUTS, json=payload, headers=headers)


async def wallet(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    key = AccountKey.of(OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB")
    async with infrastructure.session_factory() as session:
        account = await find_account(session, key)
    return 0 if account is None else account.credit_balance.amount_minor


async def events(infrastructure: Infrastructure, payout_id: str) -> list:
    """The payout's events in the outbox, each validated against its schema."""
    async with infrastructure.session_factory() as session:
        rows = await session.execute(
            text("SELECT type, payload FROM outbox WHERE key = :key ORDER BY seq"),
            {"key": payout_id},
        )
        return [EVENTS[event_type].model_validate(payload) for event_type, payload in rows]


async def test_a_reward_lands_in_the_wallet_once(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player()
    payload = body(user_id, 50_000)
    key = str(uuid.uuid4())
    answer = await ask(client, payload, key)
    assert answer.status_code == 201, answer.text
    payout = answer.json()["data"]
    assert payout["attributes"]["status"] == "completed"
    assert payout["attributes"]["failure_reason_code"] is None
    assert await wallet(infrastructure, user_id) == 50_000
    [event] = await events(infrastructure, payout["id"])
    assert isinstance(event, ReferralPayoutCompleted)
    assert (event.user_id, event.amount.amount_minor, event.reference) == (
        user_id,
        50_000,
        payload["data"]["attributes"]["reference"],
    )
    # The same key replays the answer; the same reference under another key answers the
    # payout already made: either way one credit, one event.
    assert (await ask(client, payload, key)).json()["data"]["id"] == payout["id"]
    other_key = await ask(client, payload)
    assert other_key.status_code == 201
    assert other_key.json()["data"]["id"] == payout["id"]
    assert await wallet(infrastructure, user_id) == 50_000
    assert len(await events(infrastructure, payout["id"])) == 1
    # The reference with another amount is a conflict, not a second payout.
    reused = await ask(client, body(user_id, 60_000, payload["data"]["attributes"]["reference"]))
    assert reused.status_code == 409
    assert reused.json()["errors"][0]["code"] == "REFERRAL_REFERENCE_REUSED"
    async with infrastructure.session_factory() as session:
        report = await check_ledger(session)
    assert report.ok, report.render()


async def test_a_blocked_user_is_not_paid(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player(blocked=True)
    answer = await ask(client, body(user_id, 50_000))
    assert answer.status_code == 201, answer.text
    payout = answer.json()["data"]
    assert payout["attributes"]["status"] == "failed"
    assert payout["attributes"]["failure_reason_code"] == "user_blocked"
    assert await wallet(infrastructure, user_id) == 0
    [event] = await events(infrastructure, payout["id"])
    assert isinstance(event, ReferralPayoutFailed)
    assert event.failure_reason_code == "user_blocked"


async def test_the_wallet_cap_fails_the_payout_then_a_retry_may_succeed(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    user_id = player()
    async with infrastructure.session_factory.begin() as session:
        account = await account_for(
            session, OwnerType.USER, user_id, AccountPurpose.USER_WALLET, "RUB"
        )
        clearing = await account_for(
            session, OwnerType.PROVIDER, "yookassa", AccountPurpose.PROVIDER_CLEARING, "RUB"
        )
        amount = Money(5_990_000, "RUB")
        await post(
            session,
            f"test-top-up:{uuid.uuid4()}",
            "wallet_top_up",
            [debit(clearing, amount), credit(account, amount)],
        )
    reference = f"referral-reward:{uuid.uuid4()}"
    answer = await ask(client, body(user_id, 10_001, reference))
    payout = answer.json()["data"]
    assert payout["attributes"]["status"] == "failed"
    assert payout["attributes"]["failure_reason_code"] == "limit_exceeded"
    assert await wallet(infrastructure, user_id) == 5_990_000
    [event] = await events(infrastructure, payout["id"])
    assert isinstance(event, ReferralPayoutFailed)
    assert event.failure_reason_code == "limit_exceeded"
    # Exactly up to the cap fits: the social service may ask again for the same reference.
    again = await ask(client, body(user_id, 10_000, reference))
    assert again.json()["data"]["attributes"]["status"] == "completed"
    assert await wallet(infrastructure, user_id) == 6_000_000


async def test_only_services_may_ask_and_input_is_checked(client: httpx.AsyncClient) -> None:
    user_id = player()
    as_user = await client.post(
        PAYOUTS,
        json=body(user_id, 50_000),
        headers={**auth(user_id), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert as_user.status_code == 403
    for other in ("payment", "greenlight"):
        as_other = await client.post(
            PAYOUTS,
            json=body(user_id, 50_000),
            headers={**service_headers(other), "Idempotency-Key": str(uuid.uuid4())},
        )
        assert as_other.status_code == 403, as_other.text
        assert as_other.json()["errors"][0]["code"] == "SERVICE_NOT_ALLOWED"
    keyless = await client.post(PAYOUTS, json=body(user_id, 50_000), headers=service_headers())
    assert keyless.status_code == 400, keyless.text
    payload = body(user_id, 50_000)
    payload["data"]["attributes"]["destination"] = "bank_transfer"
    refused = await ask(client, payload)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert (error["code"], error["source"]["pointer"]) == (
        "REFERRAL_DESTINATION_NOT_SUPPORTED",
        "/data/attributes/destination",
    )
    zero = await ask(client, body(user_id, 0))
    assert zero.status_code == 400  # an invalid amount, not a business refusal
    assert zero.json()["errors"][0]["code"] == "REFERRAL_AMOUNT_NOT_POSITIVE"

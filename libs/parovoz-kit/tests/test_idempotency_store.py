"""The idempotency store's edge cases on the real PostgreSQL, and the fingerprints."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from parovoz.common.v1.money_pb2 import Money
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz_kit.clock import ManualClock
from parovoz_kit.db import new_metadata
from parovoz_kit.errors import Conflict, ValidationFailed
from parovoz_kit.idempotency import (
    IdempotencySettings,
    IdempotencyStore,
    Proceed,
    Replay,
    StoredResponse,
    define_idempotency_tables,
    fingerprint_http,
    fingerprint_message,
)


@pytest.fixture
async def store_and_clock(schema_engine) -> tuple[IdempotencyStore, ManualClock]:
    metadata = new_metadata()
    define_idempotency_tables(metadata)
    engine = await schema_engine(metadata)
    clock = ManualClock(datetime(2025, 3, 1, tzinfo=UTC))
    settings = IdempotencySettings(lock_timeout=timedelta(seconds=60))
    return IdempotencyStore(engine, clock, settings=settings), clock


async def test_abandoned_claim_is_taken_over_by_the_same_request_only(store_and_clock) -> None:
    store, clock = store_and_clock
    crashed = await store.begin("user-1", "k1", "fp-a")
    assert isinstance(crashed, Proceed)
    with pytest.raises(Conflict):
        await store.begin("user-1", "k1", "fp-a")

    clock.advance(timedelta(seconds=61))
    with pytest.raises(ValidationFailed) as reused:
        await store.begin("user-1", "k1", "fp-b")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    retry = await store.begin("user-1", "k1", "fp-a")
    assert isinstance(retry, Proceed) and retry.attempt_id != crashed.attempt_id

    # The crashed attempt, if it comes back, can no longer write an answer.
    assert not await store.complete(crashed, StoredResponse(201, b"late"))
    assert await store.complete(retry, StoredResponse(201, b"retry"))
    replay = await store.begin("user-1", "k1", "fp-a")
    assert isinstance(replay, Replay) and replay.response.body == b"retry"


async def test_complete_in_commits_only_with_the_callers_transaction(store_and_clock) -> None:
    store, _ = store_and_clock
    attempt = await store.begin("user-1", "k2", "fp")
    assert isinstance(attempt, Proceed)
    engine = store._engine
    async with engine.connect() as connection:
        transaction = await connection.begin()
        assert await store.complete_in(connection, attempt, StoredResponse(200, b"{}"))
        await transaction.rollback()
    with pytest.raises(Conflict):  # rolled back: still in flight
        await store.begin("user-1", "k2", "fp")
    async with engine.begin() as connection:
        assert await store.complete_in(connection, attempt, StoredResponse(200, b"{}"))
    assert isinstance(await store.begin("user-1", "k2", "fp"), Replay)


async def test_concurrent_first_requests_claim_exactly_once(store_and_clock) -> None:
    store, _ = store_and_clock

    async def attempt() -> str:
        try:
            outcome = await store.begin("user-1", "k3", "fp")
        except Conflict:
            return "conflict"
        return type(outcome).__name__

    outcomes = await asyncio.gather(*(attempt() for _ in range(5)))
    assert sorted(outcomes) == ["Proceed"] + ["conflict"] * 4


def test_http_fingerprint_ignores_json_layout_but_not_content() -> None:
    same = fingerprint_http("post", "/a", b'{"b":1,"a":[1,2]}')
    assert same == fingerprint_http("POST", "/a", b'{ "a": [1, 2], "b": 1 }')
    assert same != fingerprint_http("POST", "/a", b'{"a":[2,1],"b":1}')
    assert same != fingerprint_http("POST", "/b", b'{"b":1,"a":[1,2]}')
    assert same != fingerprint_http("PUT", "/a", b'{"b":1,"a":[1,2]}')


def test_message_fingerprint_leaves_out_the_key() -> None:
    def charge(key: str, amount: int) -> pb.ChargeSavedMethodRequest:
        money = Money(amount_minor=amount, currency="RUB")
        return pb.ChargeSavedMethodRequest(idempotency_key=key, amount=money)

    assert fingerprint_message(charge("k1", 100)) == fingerprint_message(charge("k2", 100))
    assert fingerprint_message(charge("k1", 100)) != fingerprint_message(charge("k1", 101))
    assert charge("k1", 100).idempotency_key == "k1"  # the request itself is untouched

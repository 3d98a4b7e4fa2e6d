"""``idempotency_key`` in a real grpc.aio servicer (payment's ChargeSavedMethod contract)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
import pytest
from parovoz.common.v1.money_pb2 import Money
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc as pb_grpc
from parovoz_kit.clock import ManualClock
from parovoz_kit.db import new_metadata
from parovoz_kit.errors import BusinessRuleViolation, ParovozError
from parovoz_kit.grpc.errors import details_for, status_for
from parovoz_kit.idempotency import IdempotencyStore, define_idempotency_tables, idempotent_call


@dataclass
class Behaviour:
    calls: int = 0
    fail_with: Exception | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event | None = None


class Payments(pb_grpc.PaymentServiceServicer):
    def __init__(self, store: IdempotencyStore, behaviour: Behaviour) -> None:
        self.store, self.behaviour = store, behaviour

    async def ChargeSavedMethod(self, request, context):
        try:
            async with idempotent_call(
                self.store,
                "service:subscription",
                request.idempotency_key,
                request,
                pb.ChargeSavedMethodResponse,
            ) as call:
                if call.replayed_response is not None:
                    return call.replayed_response
                return await self._charge(request, call)
        except ParovozError as error:
            await context.abort(status_for(error), details_for(error))

    async def _charge(self, request, call):
        self.behaviour.calls += 1
        self.behaviour.entered.set()
        if self.behaviour.release is not None:
            await self.behaviour.release.wait()
        if self.behaviour.fail_with is not None:
            raise self.behaviour.fail_with
        payment = pb.Payment(id=str(uuid.uuid4()), amount=request.amount, user_id=request.user_id)
        response = pb.ChargeSavedMethodResponse(payment=payment)
        await call.complete(response)
        return response


@dataclass
class Harness:
    stub: pb_grpc.PaymentServiceStub
    behaviour: Behaviour


@pytest.fixture
async def harness(schema_engine) -> AsyncIterator[Harness]:
    metadata = new_metadata()
    define_idempotency_tables(metadata)
    engine = await schema_engine(metadata)
    store = IdempotencyStore(engine, ManualClock(datetime(2025, 3, 1, tzinfo=UTC)))
    behaviour = Behaviour()
    server = grpc.aio.server()
    pb_grpc.add_PaymentServiceServicer_to_server(Payments(store, behaviour), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield Harness(pb_grpc.PaymentServiceStub(channel), behaviour)
    await server.stop(None)


def _charge(key: str, amount: int = 29900) -> pb.ChargeSavedMethodRequest:
    return pb.ChargeSavedMethodRequest(
        idempotency_key=key,
        saved_method_id="pm-1",
        user_id="user-1",
        amount=Money(amount_minor=amount, currency="RUB"),
        reference="subscription-renewal:sub-1:2025-03",
    )


async def _status_of(call) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value.code(), raised.value.details() or ""


async def test_retry_with_same_key_gets_the_first_response(harness: Harness) -> None:
    key = str(uuid.uuid4())
    first = await harness.stub.ChargeSavedMethod(_charge(key), timeout=5)
    again = await harness.stub.ChargeSavedMethod(_charge(key), timeout=5)
    assert again == first
    assert first.payment.amount.amount_minor == 29900
    assert harness.behaviour.calls == 1


async def test_same_key_other_request_is_invalid_argument(harness: Harness) -> None:
    key = str(uuid.uuid4())
    await harness.stub.ChargeSavedMethod(_charge(key), timeout=5)
    code, details = await _status_of(harness.stub.ChargeSavedMethod(_charge(key, 100), timeout=5))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert details.startswith("IDEMPOTENCY_KEY_REUSED:")
    assert harness.behaviour.calls == 1


async def test_same_key_in_flight_is_aborted(harness: Harness) -> None:
    harness.behaviour.release = asyncio.Event()
    key = str(uuid.uuid4())

    async def second() -> tuple[grpc.StatusCode, str]:
        await harness.behaviour.entered.wait()
        try:
            return await _status_of(harness.stub.ChargeSavedMethod(_charge(key), timeout=5))
        finally:
            harness.behaviour.release.set()

    first, (code, details) = await asyncio.gather(
        harness.stub.ChargeSavedMethod(_charge(key), timeout=5), second()
    )
    assert first.payment.id
    assert code is grpc.StatusCode.ABORTED and details.startswith("IDEMPOTENCY_KEY_IN_USE:")
    assert harness.behaviour.calls == 1


async def test_client_error_stays_failed_for_retries(harness: Harness) -> None:
    harness.behaviour.fail_with = BusinessRuleViolation("Card expired.", code="CARD_EXPIRED")
    key = str(uuid.uuid4())
    first = await _status_of(harness.stub.ChargeSavedMethod(_charge(key), timeout=5))
    harness.behaviour.fail_with = None
    again = await _status_of(harness.stub.ChargeSavedMethod(_charge(key), timeout=5))
    assert first == again == (grpc.StatusCode.FAILED_PRECONDITION, "CARD_EXPIRED: Card expired.")
    assert harness.behaviour.calls == 1


async def test_unexpected_error_releases_the_key(harness: Harness) -> None:
    harness.behaviour.fail_with = RuntimeError("bug")
    key = str(uuid.uuid4())
    code, _ = await _status_of(harness.stub.ChargeSavedMethod(_charge(key), timeout=5))
    assert code is grpc.StatusCode.UNKNOWN
    harness.behaviour.fail_with = None
    assert (await harness.stub.ChargeSavedMethod(_charge(key), timeout=5)).payment.id
    assert harness.behaviour.calls == 2


async def test_missing_key_is_invalid_argument(harness: Harness) -> None:
    code, details = await _status_of(harness.stub.ChargeSavedMethod(_charge(""), timeout=5))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert details.startswith("IDEMPOTENCY_KEY_REQUIRED:")
    assert harness.behaviour.calls == 0

"""One creation path per purpose (issue #12, items 1, 3 and 7) on the real engines: a user
starts only a user's purpose, each through its own route; a preorder is paid only by its own
prepayment, by its owner; service purposes only over gRPC by the service owning them; a game is
bought only while published in the store (payment's read model of developer-portal's events).

The gRPC tests call the RUNNING payment server (127.0.0.1:9094, after `make restart`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import httpx
import pytest
from games_support import priced_game, publish, unpublish
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc
from parovoz_kit.errors import BusinessRuleViolation, PermissionDenied
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.payments import payments
from parovoz_payment.db.preorders import SqlPreorders
from parovoz_payment.domain.methods import MethodChoice, PaymentMethod
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_purposes import (
    PURPOSE_PATHS,
    Origin,
    Route,
    check_origin,
)
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.preorders import PreorderStatus
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment
from parovoz_testing.tokens import auth, service_token
from sqlalchemy import func, select

PAYMENTS = "/api/v1/payments"
PREORDERS = f"{PAYMENTS}/preorders"
RETURN_URL = "https://parovoz.example/return"
GRPC_TARGET = "127.0.0.1:9094"
TIMEOUT = 20


def payment_body(purpose: str, amount_minor: int, **attributes: object) -> dict:
    base: dict[str, object] = {
        "purpose": purpose,
        "amount": {"amount_minor": amount_minor, "currency": "RUB"},
        "region": "RU",
        "method": "bank_card",
        "return_url": RETURN_URL,
    }
    return {"data": {"type": "paymentCreation", "attributes": base | attributes}}


async def post_payment(client: httpx.AsyncClient, user_id: uuid.UUID, body: dict):
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    return await client.post(PAYMENTS, json=body, headers=headers)


async def payments_of(infrastructure: Infrastructure, user_id: uuid.UUID) -> int:
    async with infrastructure.session_factory() as session:
        query = select(func.count()).select_from(payments).where(payments.c.user_id == user_id)
        return (await session.execute(query)).scalar_one()


def refused(answer: httpx.Response, code: str) -> dict:
    assert answer.status_code == 422, answer.text
    error: dict = answer.json()["errors"][0]
    assert error["code"] == code, error
    return error


# -- the table -------------------------------------------------------------------------------
def test_every_purpose_has_its_paths_and_service_purposes_only_their_owner() -> None:
    assert set(PURPOSE_PATHS) == set(PaymentPurpose)
    for purpose in (PaymentPurpose.SUBSCRIPTION, PaymentPurpose.GREENLIGHT_FEE):
        assert not PURPOSE_PATHS[purpose].routes
    check_origin(PaymentPurpose.SUBSCRIPTION, Origin.grpc("service:subscription"))
    check_origin(PaymentPurpose.GREENLIGHT_FEE, Origin.grpc("service:greenlight"))
    for purpose, caller in [
        (PaymentPurpose.SUBSCRIPTION, "service:greenlight"),
        (PaymentPurpose.GREENLIGHT_FEE, "service:subscription"),
        (PaymentPurpose.PREORDER, "service:subscription"),
        (PaymentPurpose.GAME_PURCHASE, "service:catalog-library"),
        (PaymentPurpose.WALLET_TOP_UP, "service:social"),
    ]:
        with pytest.raises(PermissionDenied) as error:
            check_origin(purpose, Origin.grpc(caller))
        assert error.value.code == "PAYMENT_PURPOSE_NOT_OWNED"
    with pytest.raises(ValueError):
        Origin()


# -- item 3: service purposes (and other routes' purposes) are not a user's on POST /payments --
@pytest.mark.parametrize(
    "purpose", ["subscription", "greenlight_fee", "preorder", "donation", "gift_card"]
)
async def test_payments_refuses_a_purpose_that_is_not_started_there(
    client: httpx.AsyncClient, infrastructure: Infrastructure, purpose: str
) -> None:
    user_id = uuid.uuid4()
    extra: dict[str, object] = {"reference": f"{purpose}:{uuid.uuid4()}"}
    if purpose == "preorder":
        extra["game_id"] = str(uuid.uuid4())
    answer = await post_payment(client, user_id, payment_body(purpose, 1, **extra))
    error = refused(answer, "PAYMENT_PURPOSE_NOT_ALLOWED")
    assert error["source"] == {"pointer": "/data/attributes/purpose"}
    assert await payments_of(infrastructure, user_id) == 0


async def test_a_user_still_starts_a_top_up_and_a_card_verification_there(
    client: httpx.AsyncClient,
) -> None:
    top_up = await post_payment(client, uuid.uuid4(), payment_body("wallet_top_up", 150_000))
    assert top_up.status_code == 201, top_up.text
    card = payment_body("card_verification", 100, save_method=True)
    assert (await post_payment(client, uuid.uuid4(), card)).status_code == 201


# -- item 1: a preorder is paid by its own prepayment, by its owner ----------------------------
async def open_preorder(
    client: httpx.AsyncClient, infrastructure: Infrastructure, user_id: uuid.UUID
) -> tuple[uuid.UUID, dict]:
    game_id = await priced_game(infrastructure, 50_000, published=False)  # not released yet
    body = {
        "data": {
            "type": "preorderCreation",
            "attributes": {
                "game_id": str(game_id),
                "region": "RU",
                "currency": "RUB",
                "prepayment": "full",
                "method": "bank_card",
                "return_url": RETURN_URL,
            },
        }
    }
    headers = {**auth(user_id), "Idempotency-Key": str(uuid.uuid4())}
    created = await client.post(PREORDERS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    return game_id, created.json()["data"]


async def test_a_preorder_cannot_be_paid_through_payments_by_anyone(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    owner, stranger = uuid.uuid4(), uuid.uuid4()
    game_id, preorder = await open_preorder(client, infrastructure, owner)
    assert preorder["attributes"]["status"] == "awaiting_prepayment"
    for payer, amount in ((stranger, 100), (owner, 100), (owner, 50_000)):
        body = payment_body("preorder", amount, reference=preorder["id"], game_id=str(game_id))
        refused(await post_payment(client, payer, body), "PAYMENT_PURPOSE_NOT_ALLOWED")
    assert await payments_of(infrastructure, stranger) == 0
    assert await payments_of(infrastructure, owner) == 1  # its own prepayment only
    async with infrastructure.session_factory() as session:
        stored = await SqlPreorders(session).get(uuid.UUID(preorder["id"]))
    assert stored is not None and stored.status is PreorderStatus.AWAITING_PREPAYMENT
    assert str(stored.prepayment_payment_id) == preorder["attributes"]["prepayment_payment_id"]


async def test_a_preorder_payment_is_its_own_prepayment_whatever_path_starts_it(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    """Even a path allowed to start preorder payments cannot start one of another user's
    preorder, of another amount, or a second one."""
    owner = uuid.uuid4()
    game_id = await priced_game(infrastructure, 50_000, published=False)
    preorder_id = uuid.uuid4()

    def order(user_id: uuid.UUID, amount_minor: int, reference: uuid.UUID) -> PaymentOrder:
        return PaymentOrder(
            user_id=user_id,
            purpose=PaymentPurpose.PREORDER,
            amount=Money(amount_minor, "RUB"),
            region="RU",
            choice=MethodChoice(method=PaymentMethod.BANK_CARD),
            return_url=RETURN_URL,
            origin=Origin.user(Route.PREORDERS),
            reference=str(reference),
            game_id=game_id,
        )

    providers = provider_registry(infrastructure)
    clock = infrastructure.clock
    # No such preorder at all.
    with pytest.raises(BusinessRuleViolation) as error:
        await create_payment(
            infrastructure.unit_of_work, providers, clock, order(owner, 50_000, preorder_id)
        )
    assert error.value.code == "PREORDER_PAYMENT_MISMATCH"

    _, created = await open_preorder(client, infrastructure, owner)
    real_id = uuid.UUID(created["id"])
    game_id = uuid.UUID(created["attributes"]["game_id"])
    for user_id, amount in ((uuid.uuid4(), 50_000), (owner, 100), (owner, 50_000)):
        # another user; another amount; a second prepayment of the preorder
        with pytest.raises(BusinessRuleViolation) as error:
            await create_payment(
                infrastructure.unit_of_work, providers, clock, order(user_id, amount, real_id)
            )
        assert error.value.code == "PREORDER_PAYMENT_MISMATCH"
    assert await payments_of(infrastructure, owner) == 1


# -- item 7: only a published game is sold -------------------------------------------------------
async def test_a_game_is_bought_only_while_published(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    game_id = await priced_game(infrastructure, 29_900, published=False)
    buyer = uuid.uuid4()
    body = payment_body("game_purchase", 29_900, game_id=str(game_id))
    # Priced, never reviewed nor published: not for sale.
    error = refused(await post_payment(client, buyer, body), "GAME_NOT_PUBLISHED")
    assert error["source"] == {"pointer": "/data/attributes/game_id"}
    assert await payments_of(infrastructure, buyer) == 0

    now = datetime.now(UTC)
    await publish(infrastructure, game_id, at=now - timedelta(hours=2))
    assert (await post_payment(client, buyer, body)).status_code == 201

    await unpublish(infrastructure, game_id, at=now - timedelta(hours=1))
    refused(await post_payment(client, buyer, body), "GAME_NOT_PUBLISHED")
    # A publication older than the unpublication, delivered late, changes nothing.
    await publish(infrastructure, game_id, at=now - timedelta(hours=2))
    refused(await post_payment(client, buyer, body), "GAME_NOT_PUBLISHED")
    await publish(infrastructure, game_id, at=now)
    assert (await post_payment(client, buyer, body)).status_code == 201
    assert await payments_of(infrastructure, buyer) == 2


# -- item 3 over gRPC: only the owning service starts its purpose --------------------------------
def token(service: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {service_token(service)}"),)


@pytest.fixture
async def stub() -> AsyncIterator[payment_service_pb2_grpc.PaymentServiceStub]:
    async with grpc.aio.insecure_channel(GRPC_TARGET) as channel:
        yield payment_service_pb2_grpc.PaymentServiceStub(channel)


def create_request(user_id: uuid.UUID, purpose: int, **fields: object) -> pb.CreatePaymentRequest:
    return pb.CreatePaymentRequest(
        idempotency_key=str(uuid.uuid4()),
        purpose=purpose,  # type: ignore[arg-type]
        amount=money_pb2.Money(amount_minor=1, currency="RUB"),
        user_id=str(user_id),
        reference=f"forged:{uuid.uuid4()}",
        method_type=pb.PAYMENT_METHOD_TYPE_BANK_CARD,
        return_url=RETURN_URL,
        region="RU",
        **fields,  # type: ignore[arg-type]
    )


async def test_a_service_starts_only_the_purposes_it_owns(
    stub: payment_service_pb2_grpc.PaymentServiceStub, infrastructure: Infrastructure
) -> None:
    user_id = uuid.uuid4()
    game = {"game_id": str(uuid.uuid4())}
    attempts = [
        ("greenlight", pb.PAYMENT_PURPOSE_SUBSCRIPTION, {}),
        ("subscription", pb.PAYMENT_PURPOSE_GREENLIGHT_FEE, {}),
        ("subscription", pb.PAYMENT_PURPOSE_PREORDER, game),
        ("subscription", pb.PAYMENT_PURPOSE_GAME_PURCHASE, game),
        ("greenlight", pb.PAYMENT_PURPOSE_WALLET_TOP_UP, {}),
        ("greenlight", pb.PAYMENT_PURPOSE_DONATION, {}),
    ]
    for service, purpose, fields in attempts:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.CreatePayment(
                create_request(user_id, purpose, **fields),
                metadata=token(service),
                timeout=TIMEOUT,
            )
        assert error.value.code() is grpc.StatusCode.PERMISSION_DENIED, (service, purpose)
        assert error.value.details().startswith("PAYMENT_PURPOSE_NOT_OWNED"), error.value
    charge = pb.ChargeSavedMethodRequest(
        idempotency_key=str(uuid.uuid4()),
        purpose=pb.PAYMENT_PURPOSE_GREENLIGHT_FEE,
        amount=money_pb2.Money(amount_minor=1, currency="RUB"),
        user_id=str(user_id),
        saved_method_id=str(uuid.uuid4()),
        reference=f"forged:{uuid.uuid4()}",
        region="RU",
    )
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.ChargeSavedMethod(charge, metadata=token("subscription"), timeout=TIMEOUT)
    assert error.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert error.value.details().startswith("PAYMENT_PURPOSE_NOT_OWNED"), error.value
    assert await payments_of(infrastructure, user_id) == 0

    # The owner starts its own purpose.
    fee = create_request(user_id, pb.PAYMENT_PURPOSE_GREENLIGHT_FEE)
    fee.amount.amount_minor = 150_000
    reply = await stub.CreatePayment(fee, metadata=token("greenlight"), timeout=TIMEOUT)
    assert reply.payment.purpose == pb.PAYMENT_PURPOSE_GREENLIGHT_FEE
    assert await payments_of(infrastructure, user_id) == 1

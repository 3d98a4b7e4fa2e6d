"""The fee end to end on the real engines: a submitted submission's fee is created at the running
payment (gRPC ``CreatePayment``), paid at the provider sandbox, and payment's own
``payment.payment.succeeded.v1`` is fed through our consumer (the kit's IdempotentConsumer on a
private topic): the submission goes to moderation. A forged 1.00 RUB event moves nothing; a
withdrawal before voting refunds the fee once (``Refund``), and payment's refund event closes
it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import psycopg
import pytest
from parovoz_events.payment import PaymentCancelled, PaymentSucceeded, RefundSucceeded
from parovoz_greenlight.clients.payment import payment_client
from parovoz_greenlight.fees.domain import Fee, FeeStatus
from parovoz_greenlight.fees.events import payment_event_handlers
from parovoz_greenlight.fees.service import FeeStarted, refund_fee, start_fee
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce
from parovoz_testing.platform import DATABASES
from parovoz_testing.tokens import auth

F, S = FeeStatus, SubmissionStatus
PREFIX = "/api/v1/greenlight"
RETURN_URL = "https://parovoz.example/greenlight/done"


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("greenlight.payment.events.v1")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(infrastructure, group, topic, payment_event_handlers(infrastructure)):
        yield group


async def feed(infrastructure: Infrastructure, topic: str, group: str, *events: Event) -> None:
    produce(infrastructure, topic, *events)
    await handled(infrastructure, group, list(events))


async def submitted(infrastructure: Infrastructure) -> tuple[Submission, FeeStarted]:
    """A fresh submission moved to ``submitted`` and its fee started at payment, in one
    transaction, as submitting does."""
    now = infrastructure.clock.now()
    submission = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Северный ветер",
        description="Приключение на Севере",
        status=S.DRAFT,
        created_at=now,
        updated_at=now,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(submission)
        submission.move(S.SUBMITTED, now)
        await uow.submissions.save(submission)
        started = await start_fee(
            uow, payment_client(infrastructure), submission, return_url=RETURN_URL
        )
        await uow.commit()
    assert started.payment_id and started.confirmation_url
    return submission, started


async def confirm(confirmation_url: str) -> None:
    """The developer pays at the provider sandbox's page."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(confirmation_url, follow_redirects=False)
    assert answer.status_code == 303, answer.text


async def payments_event(payment_id: uuid.UUID, event_type: str) -> Event:
    """payment's own event about ``payment_id``, as payment's relay sends it."""
    for _ in range(150):
        async with await psycopg.AsyncConnection.connect(DATABASES["payment"]) as connection:
            cursor = await connection.execute(
                "SELECT key, headers, payload FROM outbox WHERE key = %s AND type = %s "
                "ORDER BY seq",
                (str(payment_id), event_type),
            )
            row = await cursor.fetchone()
        if row is not None:
            key, headers, payload = row
            return Event.from_kafka(
                key,
                json.dumps(payload).encode(),
                [(name, str(value).encode()) for name, value in headers.items()],
            )
        await asyncio.sleep(0.2)
    raise AssertionError(f"payment never emitted {event_type} for {payment_id}")


async def payments_refunds(payment_id: uuid.UUID) -> list[tuple[str, str]]:
    async with await psycopg.AsyncConnection.connect(DATABASES["payment"]) as connection:
        cursor = await connection.execute(
            "SELECT reason, status FROM refunds WHERE payment_id = %s", (payment_id,)
        )
        return [(str(reason), str(status)) for reason, status in await cursor.fetchall()]


async def read(infrastructure: Infrastructure, submission_id: uuid.UUID) -> Submission:
    async with greenlight_unit_of_work(infrastructure) as uow:
        found = await uow.submissions.get(submission_id)
    assert found is not None
    return found


async def fee(infrastructure: Infrastructure, fee_id: uuid.UUID) -> Fee:
    async with greenlight_unit_of_work(infrastructure) as uow:
        found = await uow.fees.get(fee_id)
    assert found is not None
    return found


async def test_a_fee_paid_at_the_sandbox_sends_the_submission_to_moderation_and_withdrawal_refunds_it_once(  # noqa: E501
    infrastructure: Infrastructure, client: httpx.AsyncClient, topic: str, consumer: str
) -> None:
    submission, started = await submitted(infrastructure)
    assert started.payment_id is not None and started.confirmation_url
    page = await client.get(
        f"{PREFIX}/submissions/{submission.id}/fee", headers=auth(submission.submitted_by)
    )
    assert page.status_code == 200, page.text
    shown = page.json()["data"]["attributes"]
    assert shown["status"] == "awaiting_payment"
    assert shown["amount"] == {"amount_minor": 500000, "currency": "RUB"}
    assert shown["confirmation_url"] == started.confirmation_url
    stranger = await client.get(
        f"{PREFIX}/submissions/{submission.id}/fee", headers=auth(uuid.uuid4())
    )
    assert stranger.status_code == 404, stranger.text

    await confirm(started.confirmation_url)
    paid = await payments_event(started.payment_id, PaymentSucceeded.event_type)
    assert paid.data["amount"]["amount_minor"] == 500000
    await feed(infrastructure, topic, consumer, paid)
    moderated = await read(infrastructure, submission.id)
    assert moderated.status is S.UNDER_MODERATION and moderated.fee_paid
    assert (await fee(infrastructure, started.fee_id)).status is F.PAID

    # the same event again (a copy of it): nothing more happens
    again = Event.from_data(
        PaymentSucceeded.model_validate(paid.data), "/parovoz/payment", time=paid.time
    )
    await feed(infrastructure, topic, consumer, again)
    assert (await read(infrastructure, submission.id)).version == moderated.version

    # withdrawn before voting: the fee comes back, once
    async with greenlight_unit_of_work(infrastructure) as uow:
        withdrawing = await uow.submissions.get_for_update(submission.id)
        assert withdrawing is not None
        withdrawing.move(S.WITHDRAWN, infrastructure.clock.now())
        await uow.submissions.save(withdrawing)
        refund = await refund_fee(
            uow, payment_client(infrastructure), withdrawing, submission.submitted_by
        )
        await uow.commit()
    assert refund is not None
    async with greenlight_unit_of_work(infrastructure) as uow:
        withdrawn = await uow.submissions.get_for_update(submission.id)
        assert withdrawn is not None
        assert await refund_fee(uow, payment_client(infrastructure), withdrawn, "again") is None
        await uow.commit()
    refunded = await payments_event(started.payment_id, RefundSucceeded.event_type)
    assert refunded.data["refund_id"] == str(refund.refund_id)
    await feed(infrastructure, topic, consumer, refunded)
    closed = await fee(infrastructure, started.fee_id)
    assert (closed.status, closed.refund_id) == (F.REFUNDED, refund.refund_id)
    refunds = await payments_refunds(started.payment_id)
    assert len(refunds) == 1 and refunds[0][0] == "submission_withdrawn", refunds


async def test_a_forged_payment_moves_nothing(
    infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    """A 1.00 RUB payment (or another user's, or another payment) naming our fee never sends
    the submission to moderation."""
    submission, started = await submitted(infrastructure)
    common = {
        **PaymentSucceeded.example_data,
        "payment_id": str(started.payment_id),
        "user_id": str(submission.submitted_by),
        "purpose": "greenlight_fee",
        "reference": f"greenlight-fee:{started.fee_id}",
        "game_id": None,
        "amount": {"amount_minor": 500000, "currency": "RUB"},
        "wallet_amount": {"amount_minor": 0, "currency": "RUB"},
    }
    forged = [
        {**common, "amount": {"amount_minor": 100, "currency": "RUB"}},
        {**common, "user_id": str(uuid.uuid4())},
        {**common, "payment_id": str(uuid.uuid4())},
        {**common, "reference": f"greenlight-fee:{uuid.uuid4()}"},
    ]
    events = [
        Event.from_data(PaymentSucceeded.model_validate(data), "/parovoz/payment")
        for data in forged
    ]
    await feed(infrastructure, topic, consumer, *events)
    assert (await read(infrastructure, submission.id)).status is S.SUBMITTED
    assert (await fee(infrastructure, started.fee_id)).status is F.AWAITING_PAYMENT


async def test_a_declined_payment_puts_the_submission_back_to_draft_and_the_next_attempt_pays_anew(
    infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    submission, started = await submitted(infrastructure)
    assert started.payment_id is not None and started.confirmation_url
    joiner = "&" if "?" in started.confirmation_url else "?"
    await confirm(f"{started.confirmation_url}{joiner}outcome=fail&code=insufficient_funds")
    cancelled = await payments_event(started.payment_id, PaymentCancelled.event_type)
    await feed(infrastructure, topic, consumer, cancelled)
    back = await read(infrastructure, submission.id)
    assert back.status is S.DRAFT and not back.fee_paid
    assert (await fee(infrastructure, started.fee_id)).status is F.PAYMENT_CANCELLED

    async with greenlight_unit_of_work(infrastructure) as uow:
        again = await uow.submissions.get_for_update(submission.id)
        assert again is not None
        again.move(S.SUBMITTED, infrastructure.clock.now())
        await uow.submissions.save(again)
        second = await start_fee(uow, payment_client(infrastructure), again)
        await uow.commit()
    assert second.fee_id != started.fee_id and second.payment_id != started.payment_id
    assert (await fee(infrastructure, second.fee_id)).attempt == 2


async def test_two_withdrawals_at_once_refund_the_fee_once(
    infrastructure: Infrastructure, topic: str, consumer: str
) -> None:
    submission, started = await submitted(infrastructure)
    assert started.payment_id is not None and started.confirmation_url
    await confirm(started.confirmation_url)
    await feed(
        infrastructure,
        topic,
        consumer,
        await payments_event(started.payment_id, PaymentSucceeded.event_type),
    )
    moderated = await read(infrastructure, submission.id)
    moderated.move(S.WITHDRAWN, infrastructure.clock.now())

    async def withdraw() -> object:
        async with greenlight_unit_of_work(infrastructure) as uow:
            refund = await refund_fee(
                uow, payment_client(infrastructure), moderated, submission.submitted_by
            )
            await uow.commit()
        return refund

    answers = await asyncio.gather(withdraw(), withdraw())
    assert sum(answer is not None for answer in answers) == 1
    assert len(await payments_refunds(started.payment_id)) == 1
    assert (await fee(infrastructure, started.fee_id)).status in (F.REFUND_PENDING, F.REFUNDED)

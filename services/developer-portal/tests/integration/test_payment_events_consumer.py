"""The consumer of `payment.events.v1` end to end on the real broker and database: the schema
examples (with this test's ids) are produced to a private topic and consumed by the service's
own handlers through the kit's IdempotentConsumer; redeliveries and late events change nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from parovoz_developer_portal.finance.domain.payouts import (
    PayoutAmount,
    PayoutTrigger,
    request_payout,
)
from parovoz_developer_portal.finance.events import payment_event_handlers
from parovoz_developer_portal.finance_unit_of_work import finance_unit_of_work
from parovoz_events import EventData
from parovoz_events.payment import PayoutStatusChanged, SaleRecorded
from parovoz_kit.events import Event
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.consumers import consuming, handled, private_group, private_topic, produce


@pytest.fixture(scope="module")
def group() -> str:
    return private_group("developer-portal.payment.events.v1")


@pytest.fixture(scope="module")
def topic(infrastructure: Infrastructure, group: str) -> Iterator[str]:
    with private_topic(infrastructure, group) as name:
        yield name


@pytest.fixture(scope="module")
async def consumer(infrastructure: Infrastructure, group: str, topic: str) -> AsyncIterator[str]:
    async with consuming(infrastructure, group, topic, payment_event_handlers(infrastructure)):
        yield group


def event(model: type[EventData], **changes: object) -> Event:
    """The schema's example with this test's values (validated like payment's own events)."""
    data = model.model_validate({**model.example_data, **changes})
    return Event.from_data(data, "/parovoz/payment")


async def ask_payout(studio) -> str:
    """A stored payout request, written without its event: the RUNNING payment service would
    otherwise take it up and answer on the real topic while this test feeds its own."""
    method_id = uuid.UUID((await studio.add_method())["id"])
    infrastructure = studio.infrastructure
    async with finance_unit_of_work(infrastructure) as uow:
        method = await uow.payout_methods.get(studio.developer_id, method_id)
        assert method is not None
        request = request_payout(
            studio.developer_id,
            PayoutAmount(5_000_000, "RUB"),
            method,
            minimum_minor=100_000,
            trigger=PayoutTrigger.ON_REQUEST,
            user_id=studio.owner,
            now=infrastructure.clock.now(),
        )
        await uow.payout_requests.add(request)
        await uow.commit()
    return str(request.id)


async def payout(studio, request_id: str) -> dict:
    answer = await studio.client.get(
        f"{studio.finance}/payouts/requests/{request_id}", headers=studio.auth(studio.owner)
    )
    return answer.json()["data"]["attributes"]


async def test_payout_statuses_move_forward_once(
    studio, new_studio, infrastructure, topic, consumer
) -> None:
    request_id = await ask_payout(studio)
    transaction = uuid.uuid4()
    ids = {
        "developer_id": studio.developer_id,
        "payout_request_id": uuid.UUID(request_id),
        "payment_service_transaction_id": transaction,
    }
    processing = event(PayoutStatusChanged, **ids, new_status="processing")
    completed = event(PayoutStatusChanged, **ids)  # the example: completed
    late = event(PayoutStatusChanged, **ids, new_status="processing")
    produce(infrastructure, topic, processing, completed, late, completed)  # + a redelivery
    await handled(infrastructure, consumer, [processing, completed, late])
    attributes = await payout(studio, request_id)
    assert attributes["status"] == "completed"
    assert attributes["processed_at"].startswith("2025-07-18T10:00:00")
    assert attributes["failure_reason_code"] is None

    failing = await new_studio()
    failing_id = await ask_payout(failing)
    failed = event(
        PayoutStatusChanged,
        developer_id=failing.developer_id,
        payout_request_id=uuid.UUID(failing_id),
        payment_service_transaction_id=uuid.uuid4(),
        new_status="failed",
        failure_reason_code="provider_rejected",
        failure_reason_message="The bank refused the transfer.",
    )
    # Another developer's request id in an event is ignored, not applied.
    misrouted = event(
        PayoutStatusChanged,
        developer_id=studio.developer_id,
        payout_request_id=uuid.UUID(failing_id),
        payment_service_transaction_id=uuid.uuid4(),
    )
    produce(infrastructure, topic, misrouted, failed)
    await handled(infrastructure, consumer, [misrouted, failed])
    attributes = await payout(failing, failing_id)
    assert attributes["status"] == "failed"
    assert attributes["failure_reason_code"] == "provider_rejected"
    assert attributes["failure_reason_message"] == "The bank refused the transfer."
    # The payout ended: another may be asked.
    assert await ask_payout(failing)


def _rub(amount_minor: int) -> dict:
    return {"amount_minor": amount_minor, "currency": "RUB"}


async def test_sales_feed_the_daily_read_model(studio, infrastructure, topic, consumer) -> None:
    game_id = uuid.uuid4()
    base = {"developer_id": studio.developer_id, "game_id": game_id}
    day = datetime(2026, 2, 10, 12, tzinfo=UTC)
    first_sale = event(SaleRecorded, **base, sale_id=uuid.uuid4(), recorded_at=day)
    second_sale = event(SaleRecorded, **base, sale_id=uuid.uuid4(), recorded_at=day)
    kz_sale = event(
        SaleRecorded,
        **base,
        sale_id=uuid.uuid4(),
        region="KZ",
        recorded_at=day,
        gross_amount={"amount_minor": 449000, "currency": "KZT"},
        platform_fee_amount={"amount_minor": 134700, "currency": "KZT"},
        net_amount={"amount_minor": 314300, "currency": "KZT"},
    )
    refund = event(
        SaleRecorded,
        **base,
        sale_id=uuid.uuid4(),
        kind="refund",
        refund_id=uuid.uuid4(),
        recorded_at=datetime(2026, 2, 11, 9, tzinfo=UTC),
        gross_amount=_rub(-99900),
        platform_fee_amount=_rub(-29970),
        net_amount=_rub(-69930),
    )
    # payment publishing the same sale twice (a new event id) still counts it once.
    republished = Event.from_data(SaleRecorded.model_validate(first_sale.data), "/parovoz/payment")
    events = [first_sale, second_sale, kz_sale, refund, republished]
    produce(infrastructure, topic, *events)
    await handled(infrastructure, consumer, events)

    answer = await studio.client.get(
        f"{studio.finance}/sales",
        params={"filter[from]": "2026-02-10", "filter[to]": "2026-02-11"},
        headers=studio.auth(studio.owner),
    )
    assert answer.status_code == 200, answer.text
    rows = [
        (
            row["attributes"]["day"],
            row["attributes"]["region"],
            row["attributes"]["units_sold"],
            row["attributes"]["units_refunded"],
            row["attributes"]["gross"],
            row["attributes"]["net"],
        )
        for row in answer.json()["data"]
    ]
    assert rows == [
        (
            "2026-02-10",
            "KZ",
            1,
            0,
            {"amount_minor": 449000, "currency": "KZT"},
            {"amount_minor": 314300, "currency": "KZT"},
        ),
        ("2026-02-10", "RU", 2, 0, _rub(199800), _rub(139860)),
        ("2026-02-11", "RU", 0, 1, _rub(-99900), _rub(-69930)),
    ]
    totals = {t["currency"]: t for t in answer.json()["meta"]["totals"]}
    assert totals["RUB"]["net"] == _rub(69930) and totals["RUB"]["net_units"] == 1

    viewer = await studio.member("viewer")
    refused = await studio.client.get(f"{studio.finance}/sales", headers=studio.auth(viewer))
    assert refused.status_code == 403
    backwards = await studio.client.get(
        f"{studio.finance}/sales",
        params={"filter[from]": "2026-02-11", "filter[to]": "2026-02-10"},
        headers=studio.auth(studio.owner),
    )
    assert backwards.status_code == 400
    [error] = backwards.json()["errors"]
    assert error["code"] == "INVALID_REPORT_PERIOD"
    assert error["source"] == {"parameter": "filter[from]"}
    too_long = await studio.client.get(
        f"{studio.finance}/sales",
        params={"filter[from]": "2025-01-01", "filter[to]": "2026-02-10"},
        headers=studio.auth(studio.owner),
    )
    assert too_long.status_code == 422  # well-formed, but longer than a report may span
    [error] = too_long.json()["errors"]
    assert (error["code"], error["source"]) == (
        "REPORT_PERIOD_TOO_LONG",
        {"parameter": "filter[to]"},
    )

"""T-Bank's fiscalisation notifications (``Status: RECEIPT``) at payment's webhook, in-process
on the real database: the matching pending receipt is marked once however often it comes, a
refused one is marked cancelled, a refund's goes to the refund receipt of that amount, and
one that comes before its receipt is stored is answered 409 so T-Bank sends it again."""

from __future__ import annotations

import itertools
import json
import uuid

import httpx
from parovoz_kit.infrastructure import Infrastructure
from parovoz_payment.clients.providers.signatures import tbank_token
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.receipts import SqlReceipts, StoredReceipt
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payment_vocabulary import PaymentPurpose
from parovoz_payment.domain.receipts import ReceiptStatus, ReceiptType
from parovoz_payment.domain.refunds import (
    Refund,
    RefundDestination,
    RefundReason,
    RefundStatus,
)
from parovoz_payment.settings import PaymentSettings
from parovoz_payment.use_cases.payment_confirmation import apply_confirmed_status
from parovoz_payment.use_cases.receipt_delivery import CLOSING_SENT
from parovoz_payment.use_cases.receipts import store_refund_receipt
from receipts_support import pending_at_tbank, succeeded

HOOK = "/webhooks/tbank"
#: T-Bank posts its notifications as JSON (the kit refuses a body of another type: 415).
JSON = {"Content-Type": "application/json"}
_documents = itertools.count(int(uuid.uuid4().int % 10**6))


def fiscal(order_id: uuid.UUID, provider_id: str, amount: int, kind: str = "Income",
           success: bool = True) -> bytes:  # fmt: skip
    config = PaymentSettings(environment="test").providers
    body: dict[str, object] = {
        "TerminalKey": config.tbank_terminal_key, "OrderId": str(order_id), "Success": success,
        "Status": "RECEIPT", "PaymentId": int(provider_id), "Amount": amount, "Type": kind,
        "ErrorCode": "0" if success else "1111",
    }  # fmt: skip
    if success:
        body |= {"FnNumber": "9999078900001234", "FiscalDocumentNumber": next(_documents)}
    body["Token"] = tbank_token(body, config.tbank_password.get_secret_value())
    return json.dumps(body).encode()


async def receipts_of(infrastructure: Infrastructure, payment_id: uuid.UUID) -> list[StoredReceipt]:
    async with infrastructure.session_factory() as session:
        return await SqlReceipts(session).of_payment(payment_id)


async def settled_at_tbank(infrastructure: Infrastructure, amount: int) -> tuple[uuid.UUID, str]:
    payment_id, _, provider_id = await pending_at_tbank(
        infrastructure, PaymentPurpose.GAME_PURCHASE, amount, email="fiscal@example.com"
    )
    await apply_confirmed_status(
        infrastructure.unit_of_work, infrastructure.clock, payment_id,
        succeeded(provider_id, amount),
    )  # fmt: skip
    return payment_id, provider_id


async def test_the_same_fiscal_answer_marks_the_receipt_once(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    payment_id, provider_id = await settled_at_tbank(infrastructure, 54_900)
    [before] = await receipts_of(infrastructure, payment_id)
    assert before.receipt.status is ReceiptStatus.PENDING and before.provider == "tbank"
    notification = fiscal(payment_id, provider_id, 54_900)

    answers = [await client.post(HOOK, headers=JSON, content=notification) for _ in range(4)]

    assert [answer.text for answer in answers] == ["OK"] * 4
    [after] = await receipts_of(infrastructure, payment_id)
    assert after.receipt.status is ReceiptStatus.SUCCEEDED
    document = after.receipt.provider_receipt_id
    assert document is not None and document.startswith("9999078900001234:")
    forged = notification.replace(b'"Amount": 54900', b'"Amount": 1')
    assert (await client.post(HOOK, headers=JSON, content=forged)).status_code == 401


async def test_an_early_answer_is_refused_until_its_receipt_is_stored(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    payment_id, _, provider_id = await pending_at_tbank(
        infrastructure, PaymentPurpose.SUBSCRIPTION, 59_900, email="early@example.com"
    )
    notification = fiscal(payment_id, provider_id, 59_900)

    early = await client.post(HOOK, headers=JSON, content=notification)

    assert early.status_code == 409
    assert early.json()["errors"][0]["code"] == "RECEIPT_NOT_READY"
    await apply_confirmed_status(
        infrastructure.unit_of_work, infrastructure.clock, payment_id,
        succeeded(provider_id, 59_900),
    )  # fmt: skip
    assert (
        await client.post(HOOK, headers=JSON, content=notification)
    ).text == "OK"  # T-Bank's retry
    [receipt] = await receipts_of(infrastructure, payment_id)
    assert receipt.receipt.status is ReceiptStatus.SUCCEEDED


async def test_a_refused_receipt_is_cancelled(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    payment_id, provider_id = await settled_at_tbank(infrastructure, 10_000)

    answer = await client.post(
        HOOK, headers=JSON, content=fiscal(payment_id, provider_id, 10_000, success=False)
    )

    assert answer.text == "OK"
    [receipt] = await receipts_of(infrastructure, payment_id)
    assert receipt.receipt.status is ReceiptStatus.CANCELLED


async def test_a_refund_answer_marks_the_refund_receipt_of_its_amount(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    payment_id, provider_id = await settled_at_tbank(infrastructure, 90_000)
    now = infrastructure.clock.now()
    async with infrastructure.session_factory.begin() as session:
        stored = await SqlPayments(session).get(payment_id)
        assert stored is not None
        for amount in (20_000, 30_000):  # two partial refunds, both waiting for T-Bank
            refund = Refund(
                uuid.uuid4(), payment_id, stored.payment.user_id, Money(amount, "RUB"),
                RefundReason.CUSTOMER_REQUEST, RefundStatus.SUCCEEDED,
                RefundDestination.ORIGINAL_METHOD, RefundDestination.ORIGINAL_METHOD,
                to_method=Money(amount, "RUB"), to_wallet=Money(0, "RUB"),
                created_at=now, updated_at=now,
            )  # fmt: skip
            await store_refund_receipt(session, stored.payment, refund, infrastructure.clock)

    answer = await client.post(
        HOOK, headers=JSON, content=fiscal(payment_id, provider_id, 30_000, kind="IncomeReturn")
    )

    assert answer.text == "OK"
    refunds = {
        r.receipt.total.amount_minor: r.receipt.status
        for r in await receipts_of(infrastructure, payment_id)
        if r.receipt.type is ReceiptType.REFUND
    }
    assert refunds == {20_000: ReceiptStatus.PENDING, 30_000: ReceiptStatus.SUCCEEDED}


async def test_a_late_sent_mark_never_reopens_an_answered_receipt(
    infrastructure: Infrastructure, client: httpx.AsyncClient
) -> None:
    # T-Bank may answer a closing receipt before our "sent" mark is written (the answer and
    # the mark race): the mark must not turn the fiscalised receipt back to pending.
    payment_id, provider_id = await settled_at_tbank(infrastructure, 12_300)
    assert (
        await client.post(HOOK, headers=JSON, content=fiscal(payment_id, provider_id, 12_300))
    ).text == "OK"
    [answered] = await receipts_of(infrastructure, payment_id)

    async with infrastructure.session_factory.begin() as session:
        await SqlReceipts(session).record_provider_state(
            answered.id, CLOSING_SENT, ReceiptStatus.PENDING, infrastructure.clock.now()
        )

    [after] = await receipts_of(infrastructure, payment_id)
    assert after.receipt.status is ReceiptStatus.SUCCEEDED
    assert after.receipt.provider_receipt_id == answered.receipt.provider_receipt_id

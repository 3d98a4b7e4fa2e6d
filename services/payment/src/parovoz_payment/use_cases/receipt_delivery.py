"""54-FZ receipts on their way to the provider, after the commit that stored them, in the
background: a slow or failing fiscal service never holds the webhook's answer nor undoes a
settled payment; a receipt left ``pending`` is sent again by :func:`resend_pending_receipts`.

- YooKassa (the separate-receipt flow): ``POST /v3/receipts`` linked to the payment, the
  refund, or, for a purchase paid wholly from the wallet, the top-up whose advance it offsets;
  then its status is followed until the fiscal data operator answers.
- T-Bank: a payment's and a refund's receipts went with Init and Cancel, so nothing is sent
  here; only a closing receipt (a wallet purchase offsetting a T-Bank top-up) is sent, by
  ``SendClosingReceipt``. T-Bank's answers arrive as notifications (``receipt_notifications``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import httpx
from parovoz_kit.clock import Clock
from parovoz_kit.errors import ParovozError
from parovoz_kit.uow import UnitOfWorkFactory
from sqlalchemy.ext.asyncio import AsyncSession

from parovoz_payment.clients.providers import transport
from parovoz_payment.clients.providers.config import ProviderConfig
from parovoz_payment.clients.providers.tbank import TBankProvider
from parovoz_payment.clients.providers.yookassa import amount_json, receipt_json
from parovoz_payment.clients.providers.yookassa_http import yookassa_http_client
from parovoz_payment.db.payments import SqlPayments
from parovoz_payment.db.receipts import SqlReceipts, StoredReceipt
from parovoz_payment.db.refunds import SqlRefunds
from parovoz_payment.domain.methods import Provider
from parovoz_payment.domain.money import Money
from parovoz_payment.domain.payments import Payment
from parovoz_payment.domain.receipts import ReceiptStatus, ReceiptType
from parovoz_payment.settings import process_settings

log = logging.getLogger(__name__)

_PROVIDER_STATUSES = {
    "pending": ReceiptStatus.PENDING,
    "succeeded": ReceiptStatus.SUCCEEDED,
    "canceled": ReceiptStatus.CANCELLED,
}
#: Seconds between looks at a registered receipt's status (the fiscal data operator is slow).
_FOLLOW_UP_DELAYS = (1.5, 3.0, 6.0, 12.0, 24.0)
#: A closing receipt T-Bank accepted: its fiscal answer is awaited, it is not sent again.
CLOSING_SENT = "closing-receipt-sent"
NAME = "yookassa"

_background: set[asyncio.Task[None]] = set()


def _provider_config() -> ProviderConfig:
    return process_settings().providers


def deliver_receipts_later(
    unit_of_work: UnitOfWorkFactory, clock: Clock, payment_id: uuid.UUID
) -> None:
    """Send the payment's pending receipts in the background (never raises)."""
    task = asyncio.get_running_loop().create_task(_deliver_quietly(unit_of_work, clock, payment_id))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _deliver_quietly(
    unit_of_work: UnitOfWorkFactory, clock: Clock, payment_id: uuid.UUID
) -> None:
    try:
        await deliver_receipts(unit_of_work, clock, payment_id)
    except Exception as error:  # the resend job tries again later
        log.warning("receipt of payment %s not delivered: %s", payment_id, type(error).__name__)


async def deliver_receipts(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    payment_id: uuid.UUID,
    config: ProviderConfig | None = None,
    follow_up: tuple[float, ...] = _FOLLOW_UP_DELAYS,
) -> None:
    """Register the payment's pending receipts with the provider each belongs to, then follow
    YooKassa's until the fiscal data operator answers (or ``follow_up`` runs out: the job goes
    on)."""
    config = config or _provider_config()
    async with unit_of_work() as uow:
        stored = await SqlPayments(uow.session).get(payment_id)
        if stored is None:
            return
        pending = [
            receipt
            for receipt in await SqlReceipts(uow.session).of_payment(payment_id)
            if receipt.receipt.status is ReceiptStatus.PENDING
        ]
        links = {
            receipt.id: await _linked_objects(uow.session, stored.payment, receipt)
            for receipt in pending
        }
    at_yookassa = [r for r in pending if r.provider == Provider.YOOKASSA.value]
    closing_at_tbank = [r for r in pending if _closing_unsent_to_tbank(r)]
    if at_yookassa:
        async with yookassa_http_client(config) as client:
            for receipt in at_yookassa:
                await _register_and_follow(
                    unit_of_work, clock, client, stored.payment, receipt, links[receipt.id],
                    follow_up,
                )  # fmt: skip
    if closing_at_tbank:
        tbank = TBankProvider(config)
        try:
            for receipt in closing_at_tbank:
                advance_provider_id = links[receipt.id].get("payment_id")
                assert advance_provider_id is not None  # a top-up the provider took
                await tbank.send_closing_receipt(advance_provider_id, receipt.receipt)
                await _record(unit_of_work, clock, receipt.id, CLOSING_SENT, ReceiptStatus.PENDING)
        finally:
            await tbank.aclose()


def _closing_unsent_to_tbank(stored: StoredReceipt) -> bool:
    return (
        stored.provider == Provider.TBANK.value
        and stored.advance_payment_id is not None
        and stored.receipt.type is ReceiptType.PAYMENT
        and stored.receipt.provider_receipt_id is None
    )


async def _linked_objects(
    session: AsyncSession, payment: Payment, stored: StoredReceipt
) -> dict[str, str]:
    """What the receipt is registered against at its provider: for a purchase paid from the
    wallet, the top-up whose advance it offsets; else the refund the provider made, else the
    payment. Empty when the provider knows none (a wallet filled only by refunds or rewards:
    the receipt stands alone)."""
    if stored.advance_payment_id is not None:
        advance = await SqlPayments(session).get(stored.advance_payment_id)
        linked = advance.payment.provider_payment_id if advance else None
        return {"payment_id": linked} if linked else {}
    if stored.receipt.refund_id is not None:
        refund_id = await SqlRefunds(session).provider_refund_id_of(stored.receipt.refund_id)
        if refund_id:
            return {"refund_id": refund_id}
    return {"payment_id": payment.provider_payment_id} if payment.provider_payment_id else {}


async def resend_pending_receipts(
    unit_of_work: UnitOfWorkFactory, clock: Clock, config: ProviderConfig | None = None
) -> int:
    """The job: every receipt still pending at YooKassa, sent (again, idempotently) or looked
    up, and every closing receipt T-Bank has not accepted yet. Returns how many it saw."""
    config = config or _provider_config()
    async with unit_of_work() as uow:
        receipts = SqlReceipts(uow.session)
        pending = await receipts.pending(Provider.YOOKASSA.value)
        at_tbank = await receipts.pending(Provider.TBANK.value)
        pending += [receipt for receipt in at_tbank if _closing_unsent_to_tbank(receipt)]
    payment_ids = {receipt.receipt.payment_id for receipt in pending}
    for payment_id in payment_ids:
        try:
            await deliver_receipts(unit_of_work, clock, payment_id, config, follow_up=())
        except ParovozError as error:
            log.warning("receipt of payment %s still pending: %s", payment_id, error.code)
    return len(pending)


async def _register_and_follow(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    client: httpx.AsyncClient,
    payment: Payment,
    stored: StoredReceipt,
    links: dict[str, str],
    follow_up: tuple[float, ...],
) -> None:
    provider_id = stored.receipt.provider_receipt_id
    if provider_id is None:
        answer = await _call(
            client,
            "POST",
            "/receipts",
            _receipt_request(payment, stored, links),
            key=f"receipt:{stored.id}",
        )
    else:
        answer = await _call(client, "GET", f"/receipts/{provider_id}")
    provider_id, status = _receipt_state(answer)
    await _record(unit_of_work, clock, stored.id, provider_id, status)
    for delay in follow_up:
        if status is not ReceiptStatus.PENDING:
            return
        await asyncio.sleep(delay)
        provider_id, status = _receipt_state(await _call(client, "GET", f"/receipts/{provider_id}"))
        if status is not ReceiptStatus.PENDING:
            await _record(unit_of_work, clock, stored.id, provider_id, status)


def _receipt_request(
    payment: Payment, stored: StoredReceipt, links: dict[str, str]
) -> dict[str, Any]:
    total = stored.receipt.total
    if stored.receipt.type is ReceiptType.REFUND:
        # Money goes back the way it came; the refund's split is on the refund, not here.
        settlements = [{"type": "cashless", "amount": amount_json(total)}]
        return {"type": "refund", **links, "send": True, **receipt_json(stored.receipt),
                "settlements": settlements}  # fmt: skip
    # A receipt offsetting an advance (a wallet purchase, a preorder's release) is settled
    # wholly by that advance, whatever the payment it names was paid with.
    card = payment.card_amount if stored.advance_payment_id is None else Money.zero(total.currency)
    settlements = []
    if card.is_positive:
        settlements.append({"type": "cashless", "amount": amount_json(card)})
    prepaid = Money(total.amount_minor - card.amount_minor, total.currency)
    if prepaid.is_positive:
        # Paid from the wallet or gift cards: the offset of money received in advance (the
        # top-up's or the gift card's own receipt).
        settlements.append({"type": "prepayment", "amount": amount_json(prepaid)})
    return {"type": "payment", **links, "send": True, **receipt_json(stored.receipt),
            "settlements": settlements}  # fmt: skip


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    headers = {"Idempotence-Key": key} if key else None
    response = await transport.send(client, NAME, method, path, json=body, headers=headers)
    if response.status_code >= 400:
        raise transport.ProviderRejected(
            f"{NAME} refused the receipt (HTTP {response.status_code})."
        )
    return transport.json_object(response, NAME)


def _receipt_state(answer: dict[str, Any]) -> tuple[str, ReceiptStatus]:
    provider_id = transport.field(answer, "id", str, NAME)
    status = _PROVIDER_STATUSES.get(answer.get("status"), ReceiptStatus.PENDING)  # type: ignore[arg-type]
    return provider_id, status


async def _record(
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    receipt_id: uuid.UUID,
    provider_receipt_id: str,
    status: ReceiptStatus,
) -> None:
    async with unit_of_work() as uow:
        await SqlReceipts(uow.session).record_provider_state(
            receipt_id, provider_receipt_id, status, clock.now()
        )
        await uow.commit()


__all__ = ["deliver_receipts", "deliver_receipts_later", "resend_pending_receipts"]

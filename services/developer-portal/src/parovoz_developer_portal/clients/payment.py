"""payment over gRPC: a developer's balance and ledger (service token, deadline, retries — both
reads are idempotent — and a circuit breaker, all from the kit's PeerClient).

payment down or its breaker open: ``Unavailable`` with code ``PAYMENT_UNAVAILABLE`` (503), so
the developer sees "try again later", never a 500."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1.payment_service_pb2_grpc import PaymentServiceStub
from parovoz_kit.errors import Unavailable, ValidationFailed
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.finance.domain.balances import (
    CurrencyBalance,
    DeveloperBalance,
    LedgerEntry,
    LedgerPage,
)

IDEMPOTENT_METHODS = frozenset({"GetDeveloperBalance", "ListDeveloperLedger"})


def _time(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def _uuid(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _minor(message: pb.DeveloperLedgerEntry, field: str) -> int | None:
    money: money_pb2.Money = getattr(message, field)
    return money.amount_minor if message.HasField(field) else None


def _entry(entry: pb.DeveloperLedgerEntry) -> LedgerEntry:
    return LedgerEntry(
        id=uuid.UUID(entry.id),
        kind=pb.LedgerEntryKind.Name(entry.kind).removeprefix("LEDGER_ENTRY_KIND_").lower(),
        currency=entry.amount.currency,
        amount_minor=entry.amount.amount_minor,
        gross_minor=_minor(entry, "gross_amount"),
        platform_fee_minor=_minor(entry, "platform_fee_amount"),
        game_id=_uuid(entry.game_id),
        payment_id=_uuid(entry.payment_id),
        refund_id=_uuid(entry.refund_id),
        payout_id=_uuid(entry.payout_id),
        region=entry.region or None,
        description=entry.description,
        created_at=_time(entry.created_at),
        available_at=_time(entry.available_at),
    )


class PaymentDeveloperMoney:
    """The domain's ``DeveloperMoney``, answered by payment's PaymentService."""

    def __init__(self, infrastructure: Infrastructure) -> None:
        target = infrastructure.settings.payment_grpc_target  # type: ignore[attr-defined]
        peer = infrastructure.peer("payment", target, IDEMPOTENT_METHODS)
        self._stub = peer.stub(PaymentServiceStub)

    async def balance(self, developer_id: uuid.UUID) -> DeveloperBalance:
        request = pb.GetDeveloperBalanceRequest(developer_id=str(developer_id))
        try:
            reply = await self._stub.GetDeveloperBalance(request)
        except Unavailable:
            raise _payment_unavailable() from None
        return DeveloperBalance(
            developer_id=developer_id,
            balances=tuple(
                CurrencyBalance(
                    currency=balance.currency,
                    pending_minor=balance.pending.amount_minor,
                    available_minor=balance.available.amount_minor,
                    in_payout_minor=balance.in_payout.amount_minor,
                    owed_minor=balance.owed.amount_minor,
                )
                for balance in reply.balances
            ),
            as_of=_time(reply.as_of),
        )

    async def ledger(
        self, developer_id: uuid.UUID, page_size: int, cursor: str | None
    ) -> LedgerPage:
        request = pb.ListDeveloperLedgerRequest(
            developer_id=str(developer_id), page_size=page_size, page_token=cursor or ""
        )
        try:
            reply = await self._stub.ListDeveloperLedger(request)
        except Unavailable:
            raise _payment_unavailable() from None
        except ValidationFailed:
            # The only free-form input is the cursor: one not from a previous page.
            raise ValidationFailed(
                "page[cursor] is not a cursor of this ledger; start from the first page.",
                code="INVALID_PAGE_CURSOR",
                parameter="page[cursor]",
            ) from None
        return LedgerPage(
            entries=tuple(_entry(entry) for entry in reply.entries),
            next_cursor=reply.next_page_token or None,
        )


def _payment_unavailable() -> Unavailable:
    return Unavailable(
        "Balances are kept by the payment service, which cannot be reached; try again shortly.",
        code="PAYMENT_UNAVAILABLE",
    )


def developer_money(infrastructure: Infrastructure) -> PaymentDeveloperMoney:
    return infrastructure.shared(
        "payment-developer-money", lambda: PaymentDeveloperMoney(infrastructure)
    )

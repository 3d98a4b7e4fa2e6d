"""A developer's balances and ledger <-> `parovoz.payment.v1` messages (GetDeveloperBalance,
ListDeveloperLedger)."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime, timedelta
from typing import Any

from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz_kit.errors import ValidationFailed

from parovoz_payment.db.developer_ledger import Cursor, DeveloperBalance, DeveloperEntry
from parovoz_payment.domain.money import Money
from parovoz_payment.grpc.messages import money_message, timestamp

#: A sale posted without its end of hold in the metadata (older postings): PRODUCT.md's 30 days.
SALE_HOLD = timedelta(days=30)


def balance_message(balance: DeveloperBalance) -> pb.CurrencyBalance:
    return pb.CurrencyBalance(
        currency=balance.currency,
        pending=money_message(balance.pending),
        available=money_message(balance.available),
        in_payout=money_message(balance.in_payout),
        owed=money_message(balance.owed),
    )


# Ledger transaction kinds -> what the developer sees: a game purchase's settlement is kind
# `payment`, its refund `refund`; payouts and chargebacks name themselves. Anything else (a
# manual posting) is an adjustment.
_KIND_WORDS = (
    ("chargeback", pb.LEDGER_ENTRY_KIND_CHARGEBACK),
    ("refund", pb.LEDGER_ENTRY_KIND_REFUND),
    ("payout", pb.LEDGER_ENTRY_KIND_PAYOUT),
    ("sale", pb.LEDGER_ENTRY_KIND_SALE),
    ("revenue", pb.LEDGER_ENTRY_KIND_SALE),
    ("payment", pb.LEDGER_ENTRY_KIND_SALE),
    ("purchase", pb.LEDGER_ENTRY_KIND_SALE),
)


def entry_kind(transaction_kind: str) -> int:
    lowered = transaction_kind.lower()
    for word, kind in _KIND_WORDS:
        if word in lowered:
            return kind
    return pb.LEDGER_ENTRY_KIND_ADJUSTMENT


def _meta(metadata: dict[str, Any], key: str) -> str:
    value = metadata.get(key)
    return "" if value is None else str(value)


def _meta_money(metadata: dict[str, Any], key: str, currency: str, sign: int) -> Any:
    value = metadata.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return money_message(Money(sign * abs(value), currency))


def _available_at(entry: DeveloperEntry, kind: int) -> datetime:
    """A sale's share is available at the end of its hold; what takes money away, at once."""
    if kind != pb.LEDGER_ENTRY_KIND_SALE or not entry.amount.is_positive:
        return entry.created_at
    recorded = entry.transaction_metadata.get("available_at")
    if isinstance(recorded, str):
        try:
            return datetime.fromisoformat(recorded)
        except ValueError:
            pass
    return entry.created_at + SALE_HOLD


def entry_message(entry: DeveloperEntry) -> pb.DeveloperLedgerEntry:
    """One movement of the developer's money; the posting's metadata fills the details
    (``game_id``, ``payment_id``, ``region``, ``gross_amount_minor``, ... as recorded)."""
    meta = entry.transaction_metadata
    currency = entry.amount.currency
    sign = -1 if entry.amount.amount_minor < 0 else 1
    kind = entry_kind(entry.transaction_kind)
    return pb.DeveloperLedgerEntry(
        id=str(entry.id),
        kind=kind,
        amount=money_message(entry.amount),
        gross_amount=_meta_money(meta, "gross_amount_minor", currency, sign),
        platform_fee_amount=_meta_money(meta, "platform_fee_amount_minor", currency, sign),
        game_id=_meta(meta, "game_id"),
        payment_id=_meta(meta, "payment_id"),
        refund_id=_meta(meta, "refund_id"),
        payout_id=_meta(meta, "payout_id"),
        region=_meta(meta, "region"),
        description=_meta(meta, "description"),
        created_at=timestamp(entry.created_at),
        available_at=timestamp(_available_at(entry, kind)),
    )


# -- paging ---------------------------------------------------------------------------------
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size(requested: int) -> int:
    if requested < 0:
        raise ValidationFailed(
            "page_size must not be negative.", code="INVALID_PAGE_SIZE", pointer="/page_size"
        )
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_page_token(last: DeveloperEntry) -> str:
    position = f"after|{last.created_at.isoformat()}|{last.id}"
    return base64.urlsafe_b64encode(position.encode()).decode()


def decode_page_token(token: str) -> Cursor | None:
    if not token:
        return None
    try:
        prefix, created_at, entry_id = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        if prefix != "after":
            raise ValueError(prefix)
        moment = datetime.fromisoformat(created_at)
        if moment.tzinfo is None:
            raise ValueError(created_at)
        return moment, uuid.UUID(entry_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(
            "page_token is not a token this service issued.",
            code="INVALID_PAGE_TOKEN",
            pointer="/page_token",
        ) from None

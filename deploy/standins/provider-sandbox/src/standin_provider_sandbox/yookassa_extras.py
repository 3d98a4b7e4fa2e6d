"""YooKassa fiscal receipts (54-FZ) and payouts: simple shapes, statuses the sandbox decides."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from standin_provider_sandbox.notifier import Notifier, now_utc
from standin_provider_sandbox.outcomes import Outcome
from standin_provider_sandbox.yookassa import iso
from standin_provider_sandbox.yookassa_values import (
    format_amount,
    invalid,
    not_found,
    parse_amount,
)

PAYOUT_DESTINATIONS = frozenset({"bank_card", "yoo_money", "sbp", "bank_account"})


@dataclass
class Receipt:
    id: str
    type: str
    object_key: str
    object_id: str
    body: dict[str, Any]
    created_monotonic: float
    forced_status: str | None = None

    def status(self, settle_seconds: float) -> str:
        if self.forced_status:
            return self.forced_status
        settled = time.monotonic() - self.created_monotonic >= settle_seconds
        return "succeeded" if settled else "pending"

    def as_json(self, settle_seconds: float) -> dict[str, Any]:
        status = self.status(settle_seconds)
        body = {
            "id": self.id,
            "type": self.type,
            self.object_key: self.object_id,
            "status": status,
            "items": self.body.get("items", []),
            "settlements": self.body.get("settlements", []),
        }
        if "tax_system_code" in self.body:
            body["tax_system_code"] = self.body["tax_system_code"]
        if status == "succeeded":
            number = int(self.id[3:11], 16)
            body |= {
                "fiscal_document_number": str(number % 100000),
                "fiscal_storage_number": "9999078900000000",
                "fiscal_attribute": str(number % 10**10),
                "registered_at": iso(now_utc()),
                "fiscal_provider_id": "sandbox-ofd",
            }
        return body


class Receipts:
    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self.receipts: dict[str, Receipt] = {}

    def create(self, body: dict[str, Any], payment_ids: set[str], refund_ids: set[str]) -> Receipt:
        kind = body.get("type")
        if kind not in ("payment", "refund"):
            raise invalid("Receipt type must be payment or refund", "type")
        key = f"{kind}_id"
        object_id = body.get(key)
        if object_id not in (payment_ids if kind == "payment" else refund_ids):
            raise invalid(f"Unknown {key}", key)
        customer = body.get("customer") or {}
        if not (isinstance(customer, dict) and (customer.get("email") or customer.get("phone"))):
            raise invalid("Receipt needs the customer's email or phone", "customer")
        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise invalid("Receipt needs at least one item", "items")
        for index, item in enumerate(items):
            parse_amount(
                item.get("amount") if isinstance(item, dict) else None, f"items[{index}].amount"
            )
        if not isinstance(body.get("settlements"), list) or not body["settlements"]:
            raise invalid("Receipt needs settlements", "settlements")
        receipt = Receipt(
            id=f"rt-{uuid.uuid4()}",
            type=kind,
            object_key=key,
            object_id=str(object_id),
            body=body,
            created_monotonic=time.monotonic(),
        )
        self.receipts[receipt.id] = receipt
        return receipt

    def get(self, receipt_id: str) -> Receipt:
        receipt = self.receipts.get(receipt_id)
        if receipt is None:
            raise not_found("Receipt")
        return receipt


@dataclass
class Payout:
    id: str
    amount_minor: int
    currency: str
    destination: dict[str, Any]
    description: str | None
    metadata: dict[str, Any]
    outcome: Outcome
    created_at: datetime = field(default_factory=now_utc)
    status: str = "pending"
    cancellation: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "amount": format_amount(self.amount_minor, self.currency),
            "status": self.status,
            "payout_destination": self.destination,
            "created_at": iso(self.created_at),
            "metadata": self.metadata,
            "test": True,
        }
        if self.description:
            body["description"] = self.description
        if self.cancellation:
            body["cancellation_details"] = self.cancellation
        return body


def mask_destination(data: Any) -> dict[str, Any]:
    """The payout destination as YooKassa answers it; card numbers are cut to first6/last4."""
    if not isinstance(data, dict) or data.get("type") not in PAYOUT_DESTINATIONS:
        raise invalid(
            "payout_destination_data.type must be one of " + ", ".join(sorted(PAYOUT_DESTINATIONS)),
            "payout_destination_data.type",
        )
    kind = data["type"]
    if kind == "bank_card":
        number = str((data.get("card") or {}).get("number", ""))
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise invalid("Card number required", "payout_destination_data.card.number")
        return {"type": kind, "card": {"first6": number[:6], "last4": number[-4:]}}
    if kind == "bank_account":  # sandbox extension: a Russian settlement account
        account, bik = str(data.get("account_number", "")), str(data.get("bik", ""))
        if not (account.isdigit() and len(account) == 20 and bik.isdigit() and len(bik) == 9):
            raise invalid(
                "bank_account needs a 20-digit account_number and a 9-digit bik",
                "payout_destination_data",
            )
        return {"type": kind, "account_number": account, "bik": bik}
    return {
        key: value
        for key, value in data.items()
        if key in ("type", "account_number", "phone", "bank_id")
    }


class Payouts:
    def __init__(self, notifier: Notifier, webhook_url_getter: Any) -> None:
        self.notifier = notifier
        self.webhook_url = webhook_url_getter
        self.payouts: dict[str, Payout] = {}

    def create(self, payout: Payout) -> Payout:
        self.payouts[payout.id] = payout
        self.settle(payout, payout.outcome)
        return payout

    def settle(self, payout: Payout, outcome: Outcome) -> None:
        if payout.status != "pending" or outcome.kind == "pending":
            return
        if outcome.kind == "fail":
            payout.status = "canceled"
            payout.cancellation = {"party": "yoo_money", "reason": outcome.decline.yookassa_reason}
        else:
            payout.status = "succeeded"
        event = f"payout.{payout.status}"
        payload = {"type": "notification", "event": event, "object": payout.as_json()}
        self.notifier.send("yookassa", payout.id, event, self.webhook_url(), payload)

    def get(self, payout_id: str) -> Payout:
        payout = self.payouts.get(payout_id)
        if payout is None:
            raise not_found("Payout")
        return payout

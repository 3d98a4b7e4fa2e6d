"""YooKassa fiscal receipts (54-FZ): simple shapes, statuses the sandbox decides (payouts:
``payouts.py``)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from standin_provider_sandbox.notifier import now_utc
from standin_provider_sandbox.yookassa import iso
from standin_provider_sandbox.yookassa_values import (
    invalid,
    not_found,
    parse_amount,
)


@dataclass
class Receipt:
    id: str
    type: str
    object_key: str
    object_id: str | None
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
        # Linked to a payment or a refund YooKassa knows (a closing receipt: the advance's
        # payment; a refund receipt: the refund, or its payment when no money went back by
        # card), or standing alone (a sale paid from a balance no YooKassa payment filled).
        key, object_id = "payment_id", None
        for key in ("refund_id", "payment_id"):
            object_id = body.get(key)
            if object_id is not None:
                if object_id not in (payment_ids if key == "payment_id" else refund_ids):
                    raise invalid(f"Unknown {key}", key)
                break
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
            object_id=None if object_id is None else str(object_id),
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

"""YooKassa Payouts (`/v3/payouts`): pay out to a card, a YooMoney wallet, SBP or — a sandbox
extension — a Russian company's settlement account; statuses the sandbox decides.

A payout is `pending` until it is decided, then `succeeded` or `canceled` (with
`cancellation_details {party, reason}` in YooKassa's payout vocabulary) and a notification
`payout.succeeded` / `payout.canceled` goes to the YooKassa webhook URL, signed and retried like
every other notification. Bank details are checked, then kept only masked: the full card or
account number, the ИНН and the КПП are never stored, answered, notified or logged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from standin_provider_sandbox.notifier import Notifier, now_utc
from standin_provider_sandbox.outcomes import Outcome, OutcomeKind
from standin_provider_sandbox.yookassa import iso
from standin_provider_sandbox.yookassa_values import format_amount, invalid, not_found

PAYOUT_DESTINATIONS = frozenset({"bank_card", "yoo_money", "sbp", "bank_account"})

#: YooKassa's payout cancellation reasons -> the party that refused.
PAYOUT_DECLINES: dict[str, str] = {
    "insufficient_funds": "yoo_money",  # not enough money on the payout gateway's balance
    "fraud_suspected": "yoo_money",
    "one_time_limit_exceeded": "payout_network",
    "periodic_limit_exceeded": "payout_network",
    "rejected_by_payee": "payout_network",
    "general_decline": "payout_network",
    "issuer_unavailable": "payout_network",
    "recipient_not_found": "payout_network",
    "recipient_check_failed": "yoo_money",
    "identification_required": "yoo_money",
}

# Magic kopecks of a payout's amount: the same positions as for payments, payout reasons.
PAYOUT_MAGIC_KOPECKS: dict[int, tuple[OutcomeKind, str | None]] = {
    13: ("fail", "insufficient_funds"),
    14: ("fail", "recipient_not_found"),
    15: ("fail", "fraud_suspected"),
    16: ("fail", "recipient_check_failed"),
    17: ("fail", "general_decline"),
    18: ("pending", None),
}
_MARKER = re.compile(r"sandbox:(succeed|pending|fail)(?::([a-z0-9_]+))?", re.I)
_DIGITS = re.compile(r"^\d+$")


class UnknownPayoutReason(ValueError):
    pass


def payout_outcome(kind: OutcomeKind, code: str | None) -> Outcome:
    """An outcome for a payout; a failure names a payout reason (default general_decline)."""
    if kind != "fail":
        return Outcome(kind)
    code = code or "general_decline"
    if code not in PAYOUT_DECLINES:
        raise UnknownPayoutReason(code)
    return Outcome("fail", code)


def decide_payout(amount_minor: int, description: str | None, default: Outcome) -> Outcome:
    """Marker in the description > magic kopecks > the sandbox's default outcome."""
    marker = _MARKER.search(description or "")
    if marker:
        code = (marker.group(2) or "").lower() or None
        known = code if code in PAYOUT_DECLINES else None
        return payout_outcome(marker.group(1).lower(), known)  # type: ignore[arg-type]
    magic = PAYOUT_MAGIC_KOPECKS.get(amount_minor % 100)
    if magic:
        return Outcome(*magic)
    if default.kind == "fail" and default.code not in PAYOUT_DECLINES:
        return Outcome("fail", "general_decline")
    return default


def _digits(data: dict[str, Any], name: str, lengths: tuple[int, ...]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not _DIGITS.match(value) or len(value) not in lengths:
        wanted = " or ".join(str(length) for length in lengths)
        # The value itself is never echoed: it is a bank detail.
        raise invalid(f"{name} must be {wanted} digits", f"payout_destination_data.{name}")
    return value


def mask_destination(data: Any) -> dict[str, Any]:
    """The destination as the sandbox answers it: checked, then cut to what is safe to show.

    ``bank_account`` (sandbox extension; real YooKassa pays to cards, YooMoney and SBP only):
    ``{bik: 9 digits, account_number: 20 digits, recipient_name, inn: 10 or 12 digits,
    kpp?: 9 digits}`` → ``{type, bik, account_last4, recipient_name}``.
    """
    if not isinstance(data, dict) or data.get("type") not in PAYOUT_DESTINATIONS:
        raise invalid(
            "payout_destination_data.type must be one of " + ", ".join(sorted(PAYOUT_DESTINATIONS)),
            "payout_destination_data.type",
        )
    kind = data["type"]
    if kind == "bank_card":
        card = data.get("card")
        if not isinstance(card, dict):
            card = {}
        number = str(card.get("number", ""))
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise invalid("Card number required", "payout_destination_data.card.number")
        return {"type": kind, "card": {"first6": number[:6], "last4": number[-4:]}}
    if kind == "bank_account":
        bik = _digits(data, "bik", (9,))
        account = _digits(data, "account_number", (20,))
        _digits(data, "inn", (10, 12))
        if data.get("kpp") is not None:
            _digits(data, "kpp", (9,))
        name = data.get("recipient_name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 255:
            raise invalid(
                "recipient_name of 1..255 characters is required",
                "payout_destination_data.recipient_name",
            )
        return {"type": kind, "bik": bik, "account_last4": account[-4:], "recipient_name": name}
    return {
        key: value
        for key, value in data.items()
        if key in ("type", "account_number", "phone", "bank_id")
    }


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
    succeeded_at: datetime | None = None

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
        if self.succeeded_at:
            body["succeeded_at"] = iso(self.succeeded_at)
        return body


def new_payout(body: dict[str, Any], minor: int, currency: str, default: Outcome) -> Payout:
    description = body.get("description")
    description = description if isinstance(description, str) else None
    if description is not None and len(description) > 128:
        raise invalid("description is at most 128 characters", "description")
    metadata = body.get("metadata")
    return Payout(
        id=f"po-{uuid.uuid4()}",
        amount_minor=minor,
        currency=currency,
        destination=mask_destination(body.get("payout_destination_data")),
        description=description,
        metadata=metadata if isinstance(metadata, dict) else {},
        outcome=decide_payout(minor, description, default),
    )


class Payouts:
    def __init__(self, notifier: Notifier, webhook_url_getter: Callable[[], str]) -> None:
        self.notifier = notifier
        self.webhook_url = webhook_url_getter
        self.payouts: dict[str, Payout] = {}
        #: Copies of every later notification of a payout (control API ``duplicate``).
        self.duplicates: dict[str, int] = {}

    def create(self, payout: Payout) -> Payout:
        self.payouts[payout.id] = payout
        self.settle(payout, payout.outcome)
        return payout

    def settle(self, payout: Payout, outcome: Outcome) -> bool:
        """Decide a pending payout and notify; False when it is already decided."""
        if payout.status != "pending":
            return False
        payout.outcome = outcome
        if outcome.kind == "pending":
            return True
        if outcome.kind == "fail":
            code = outcome.code if outcome.code in PAYOUT_DECLINES else "general_decline"
            payout.status = "canceled"
            payout.cancellation = {"party": PAYOUT_DECLINES[code], "reason": code}
        else:
            payout.status = "succeeded"
            payout.succeeded_at = now_utc()
        event = f"payout.{payout.status}"
        payload = {"type": "notification", "event": event, "object": payout.as_json()}
        self.notifier.send(
            "yookassa",
            payout.id,
            event,
            self.webhook_url(),
            payload,
            duplicates=self.duplicates.get(payout.id),
        )
        return True

    def get(self, payout_id: str) -> Payout:
        payout = self.payouts.get(payout_id)
        if payout is None:
            raise not_found("Payout")
        return payout

    def with_reference(self, reference: str) -> list[Payout]:
        """Payouts whose metadata holds ``reference`` as a value, newest first."""
        found = [p for p in self.payouts.values() if reference in map(str, p.metadata.values())]
        return sorted(found, key=lambda payout: payout.created_at, reverse=True)


__all__ = [
    "PAYOUT_DECLINES",
    "Payout",
    "Payouts",
    "UnknownPayoutReason",
    "decide_payout",
    "mask_destination",
    "new_payout",
    "payout_outcome",
]

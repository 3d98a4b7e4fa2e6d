"""What happens to a payment: succeed, fail with a decline code, or stay pending.

Decided when the payment is created (control call > magic description > magic amount > the
default) and applied when the user "pays" on the confirmation page, or at once for off-session
charges. Each decline code maps to YooKassa's `cancellation_details` and a T-Bank `ErrorCode`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

OutcomeKind = Literal["succeed", "fail", "pending"]


@dataclass(frozen=True)
class Decline:
    yookassa_party: str
    yookassa_reason: str
    tbank_code: str
    tbank_message: str


# Codes named as YooKassa names its cancellation reasons; T-Bank codes from its error table.
DECLINES: dict[str, Decline] = {
    "insufficient_funds": Decline(
        "payment_network", "insufficient_funds", "1051", "Недостаточно средств на карте"
    ),
    "card_expired": Decline("payment_network", "card_expired", "1054", "Истек срок действия карты"),
    "fraud_suspected": Decline(
        "yoo_money",
        "fraud_suspected",
        "1004",
        "Банк, который выпустил карту, считает платеж подозрительным",
    ),
    "3d_secure_failed": Decline(
        "payment_network", "3d_secure_failed", "101", "Не пройдена идентификация 3DS"
    ),
    "general_decline": Decline(
        "payment_network", "general_decline", "1005", "Платеж отклонен банком, выпустившим карту"
    ),
    "call_issuer": Decline("payment_network", "call_issuer", "1001", "Свяжитесь с банком"),
    "payment_method_limit_exceeded": Decline(
        "payment_network",
        "payment_method_limit_exceeded",
        "1013",
        "Сумма превышает лимит по карте",
    ),
    "permission_revoked": Decline(
        "yoo_money", "permission_revoked", "104", "Ошибка выполнения рекуррента"
    ),
    "expired_on_confirmation": Decline(
        "yoo_money", "expired_on_confirmation", "1071", "Срок оплаты истек"
    ),
}

# Magic kopecks (amount in minor units modulo 100) for tests and people.
MAGIC_KOPECKS: dict[int, tuple[OutcomeKind, str | None]] = {
    13: ("fail", "insufficient_funds"),
    14: ("fail", "card_expired"),
    15: ("fail", "fraud_suspected"),
    16: ("fail", "3d_secure_failed"),
    17: ("fail", "general_decline"),
    18: ("pending", None),
}

# `sandbox:fail:card_expired`, `sandbox:pending`, `sandbox:succeed` inside a description.
_DESCRIPTION_MARKER = re.compile(r"sandbox:(succeed|pending|fail)(?::([a-z0-9_]+))?", re.I)


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    code: str | None = None

    @property
    def decline(self) -> Decline:
        return DECLINES[self.code or "general_decline"]

    def as_json(self) -> dict[str, str | None]:
        return {"outcome": self.kind, "code": self.code}


class UnknownDeclineCode(ValueError):
    pass


def make_outcome(kind: OutcomeKind, code: str | None, default_code: str) -> Outcome:
    if kind != "fail":
        return Outcome(kind)
    code = code or default_code
    if code not in DECLINES:
        raise UnknownDeclineCode(code)
    return Outcome("fail", code)


def decide(
    amount_minor: int, description: str | None, default: Outcome, default_code: str
) -> Outcome:
    """The outcome a new payment gets before anyone says otherwise."""
    marker = _DESCRIPTION_MARKER.search(description or "")
    if marker:
        kind = marker.group(1).lower()
        code = (marker.group(2) or "").lower() or None
        if code is not None and code not in DECLINES:
            code = default_code
        return make_outcome(kind, code, default_code)  # type: ignore[arg-type]
    magic = MAGIC_KOPECKS.get(amount_minor % 100)
    if magic:
        return Outcome(*magic)
    return default

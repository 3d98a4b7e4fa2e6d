"""Everything the sandbox holds in memory, shared by the provider APIs and the control API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from standin_provider_sandbox.notifier import Notifier
from standin_provider_sandbox.outcomes import Outcome, decide, make_outcome
from standin_provider_sandbox.payouts import Payouts
from standin_provider_sandbox.settings import SandboxSettings
from standin_provider_sandbox.tbank import TBank
from standin_provider_sandbox.yookassa import YooKassa
from standin_provider_sandbox.yookassa_extras import Receipts


@dataclass
class Sandbox:
    settings: SandboxSettings
    notifier: Notifier
    yookassa: YooKassa
    receipts: Receipts
    payouts: Payouts
    tbank: TBank
    default_outcome: Outcome
    # YooKassa Idempotence-Key -> (request fingerprint, the 200 answer given).
    idempotency: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: SandboxSettings) -> Sandbox:
        notifier = Notifier(settings)
        yookassa = YooKassa(
            settings.yookassa_shop_id, settings.base_url, settings.yookassa_webhook_url, notifier
        )
        return cls(
            settings=settings,
            notifier=notifier,
            yookassa=yookassa,
            receipts=Receipts(settings.receipt_settle_seconds),
            payouts=Payouts(notifier, lambda: yookassa.webhook_url),
            tbank=TBank(settings, notifier),
            default_outcome=make_outcome(
                settings.default_outcome, None, settings.default_decline_code
            ),
        )

    def decide(self, amount_minor: int, description: str | None) -> Outcome:
        return decide(
            amount_minor, description, self.default_outcome, self.settings.default_decline_code
        )

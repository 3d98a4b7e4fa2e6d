"""The sandbox's own API for tests and people: decide outcomes, inspect, replay notifications."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from standin_common.web import ApiError

from standin_provider_sandbox.notifier import ordered
from standin_provider_sandbox.outcomes import (
    Outcome,
    OutcomeKind,
    UnknownDeclineCode,
    make_outcome,
)
from standin_provider_sandbox.state import Sandbox
from standin_provider_sandbox.tbank import TBankError, TPayment
from standin_provider_sandbox.yookassa import YooPayment
from standin_provider_sandbox.yookassa_values import YooError

Provider = Literal["yookassa", "tbank"]


class OutcomeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeKind | None = None
    code: str | None = Field(None, description="decline code when outcome is fail")
    apply: bool = Field(False, description="complete now, as if the buyer opened the page")
    duplicate: int | None = Field(None, ge=1, le=20, description="copies of each notification")
    refund_outcome: OutcomeKind | None = None
    refund_code: str | None = None


class ChargebackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int | None = Field(None, ge=1)
    reason: str = "fraud"


class ChargebackOutcomeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["won", "lost"] = Field(
        description="won: the shop proved the sale, the money comes back; lost: it does not"
    )


class DefaultOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeKind
    code: str | None = None


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Provider
    payment_id: str
    order: Literal["sent", "reversed", "shuffled"] | list[str] = "sent"
    seed: int | None = None
    repeat: int = Field(1, ge=1, le=50)
    url: str | None = None


class WebhookUrl(BaseModel):
    url: str


def control_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox: control"])
    yk, bank = sandbox.yookassa, sandbox.tbank

    def outcome_of(kind: OutcomeKind | None, code: str | None, pointer: str) -> Outcome | None:
        if kind is None:
            return None
        try:
            return make_outcome(kind, code, sandbox.settings.default_decline_code)
        except UnknownDeclineCode:
            raise ApiError.single(
                422, "UNKNOWN_DECLINE_CODE", f"Unknown decline code {code!r}.", pointer=pointer
            ) from None

    def find(provider: Provider, payment_id: str) -> YooPayment | TPayment:
        found = (yk.payments if provider == "yookassa" else bank.payments).get(payment_id)
        if found is None:
            raise ApiError.single(404, "PAYMENT_NOT_FOUND", "No payment with this id.")
        return found

    def view(provider: Provider, payment: YooPayment | TPayment) -> dict[str, Any]:
        if isinstance(payment, YooPayment):
            payment_id, provider_object = payment.id, yk.render(payment)
            chargebacks = [chargeback.as_json() for chargeback in payment.chargebacks]
        else:
            payment_id, provider_object = payment.payment_id, payment.state_json(bank.terminal_key)
            chargebacks = payment.chargebacks
        refund_outcome = payment.refund_outcome.as_json() if payment.refund_outcome else None
        notifications = sandbox.notifier.of_payment(provider, payment_id)
        return {
            "provider": provider,
            "id": payment_id,
            "status": payment.status,
            "outcome": payment.outcome.as_json(),
            "refund_outcome": refund_outcome,
            "duplicate": payment.duplicates,
            "buyer_confirmed": payment.user_confirmed,
            "off_session": payment.off_session,
            "provider_object": provider_object,
            "chargebacks": chargebacks,
            "notifications": [
                {"id": n.id, "event": n.event, "delivered": n.delivered,
                 "attempts": len(n.deliveries)}
                for n in notifications
            ],
        }  # fmt: skip

    @router.post("/payments/{provider}/{payment_id}/outcome", summary="Decide a payment's outcome")
    async def set_outcome(provider: Provider, payment_id: str, body: OutcomeRequest) -> Any:
        payment = find(provider, payment_id)
        outcome = outcome_of(body.outcome, body.code, "/code")
        refund_outcome = outcome_of(body.refund_outcome, body.refund_code, "/refund_code")
        open_statuses = (
            ("pending",) if provider == "yookassa" else ("NEW", "FORM_SHOWED", "AUTHORIZING")
        )
        if outcome is not None and payment.status not in open_statuses:
            raise ApiError.single(
                409, "PAYMENT_ALREADY_COMPLETED", f"The payment is already {payment.status}."
            )
        if body.duplicate is not None:
            payment.duplicates = body.duplicate
        if refund_outcome is not None:
            payment.refund_outcome = refund_outcome
        if outcome is not None:
            payment.outcome = outcome
            if isinstance(payment, YooPayment):
                if body.apply or payment.user_confirmed or payment.off_session:
                    yk.confirm(payment)
            elif payment.status == "AUTHORIZING":
                bank.apply(payment)
            elif body.apply:
                bank.visit(payment)
        return view(provider, payment)

    @router.get("/payments/{provider}/{payment_id}", summary="A payment as the sandbox sees it")
    async def get_payment(provider: Provider, payment_id: str) -> Any:
        return view(provider, find(provider, payment_id))

    @router.get("/payments", summary="Find payments by provider and reference")
    async def list_payments(
        provider: Provider,
        reference: Annotated[
            str | None, Query(description="T-Bank OrderId or a YooKassa metadata value")
        ] = None,
    ) -> Any:
        if provider == "yookassa":
            found: list[YooPayment | TPayment] = [
                p for p in yk.payments.values()
                if reference is None or reference in {p.id, *map(str, p.metadata.values())}
            ]  # fmt: skip
        else:
            found = [
                p for p in bank.payments.values()
                if reference is None or reference in (p.order_id, p.payment_id)
            ]  # fmt: skip
        found.sort(key=lambda p: p.created_at, reverse=True)
        return {"payments": [view(provider, payment) for payment in found]}

    @router.post("/payments/{provider}/{payment_id}/chargeback", summary="Open a dispute")
    async def chargeback(provider: Provider, payment_id: str, body: ChargebackRequest) -> Any:
        payment = find(provider, payment_id)
        try:
            if isinstance(payment, YooPayment):
                return yk.chargeback(payment, body.amount_minor, body.reason).as_json()
            return bank.chargeback(payment, body.amount_minor, body.reason)
        except (YooError, TBankError) as error:
            raise ApiError.single(409, "NOT_DISPUTABLE", str(error)) from None

    @router.post(
        "/chargebacks/{provider}/{chargeback_id}/outcome", summary="End a dispute: won or lost"
    )
    async def chargeback_outcome(
        provider: Provider, chargeback_id: str, body: ChargebackOutcomeRequest
    ) -> Any:
        try:
            if provider == "yookassa":
                return yk.resolve_chargeback(chargeback_id, body.outcome).as_json()
            return bank.resolve_chargeback(chargeback_id, body.outcome)
        except KeyError:
            raise ApiError.single(404, "CHARGEBACK_NOT_FOUND", "No dispute with this id.") from None
        except YooError as error:
            if error.status == 404:
                raise ApiError.single(
                    404, "CHARGEBACK_NOT_FOUND", "No dispute with this id."
                ) from None
            raise ApiError.single(409, "CHARGEBACK_ALREADY_RESOLVED", str(error)) from None
        except TBankError as error:
            raise ApiError.single(409, "CHARGEBACK_ALREADY_RESOLVED", str(error)) from None

    @router.post("/refunds/yookassa/{refund_id}/outcome", summary="Settle a pending refund")
    async def refund_outcome(refund_id: str, body: DefaultOutcome) -> Any:
        refund = yk.refunds.get(refund_id)
        if refund is None:
            raise ApiError.single(404, "REFUND_NOT_FOUND", "No refund with this id.")
        outcome = outcome_of(body.outcome, body.code, "/code")
        assert outcome is not None
        yk.settle_refund(refund, outcome)
        return refund.as_json()

    @router.post("/receipts/{receipt_id}/outcome", summary="Force a receipt's status")
    async def receipt_outcome(receipt_id: str, body: DefaultOutcome) -> Any:
        receipt = sandbox.receipts.receipts.get(receipt_id)
        if receipt is None:
            raise ApiError.single(404, "RECEIPT_NOT_FOUND", "No receipt with this id.")
        statuses = {"succeed": "succeeded", "fail": "canceled", "pending": "pending"}
        receipt.forced_status = statuses[body.outcome]
        return receipt.as_json(sandbox.receipts.settle_seconds)

    @router.get("/notifications", summary="Notifications sent for a payment, with deliveries")
    async def notifications(provider: Provider, payment_id: str) -> Any:
        sent = sandbox.notifier.of_payment(provider, payment_id)
        return {"notifications": [notification.as_json() for notification in sent]}

    @router.post("/notifications/replay", summary="Resend a payment's notifications in an order")
    async def replay(body: ReplayRequest) -> Any:
        sent = sandbox.notifier.of_payment(body.provider, body.payment_id)
        known = {notification.id for notification in sent}
        if isinstance(body.order, list) and not set(body.order) <= known:
            raise ApiError.single(
                422, "UNKNOWN_NOTIFICATION", "Not a notification of this payment.", pointer="/order"
            )
        chosen = ordered(sent, body.order, body.seed)
        return {"deliveries": await sandbox.notifier.replay(chosen, body.repeat, body.url)}

    @router.put("/default-outcome", summary="Outcome of new payments no rule decides")
    async def default_outcome(body: DefaultOutcome) -> Any:
        outcome = outcome_of(body.outcome, body.code, "/code")
        assert outcome is not None
        sandbox.default_outcome = outcome
        return outcome.as_json()

    @router.put("/yookassa/webhook-url", summary="Where YooKassa notifications go")
    async def set_webhook_url(body: WebhookUrl) -> Any:
        yk.webhook_url = body.url
        return {"url": yk.webhook_url}

    @router.get("/yookassa/webhook-url", summary="Where YooKassa notifications go")
    async def get_webhook_url() -> Any:
        return {"url": yk.webhook_url}

    return router

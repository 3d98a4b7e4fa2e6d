"""The page behind confirmation_url / PaymentURL: opening it is the buyer paying."""

from __future__ import annotations

import html
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from standin_common.web import ApiError

from standin_provider_sandbox.cards import Card, InvalidCard
from standin_provider_sandbox.outcomes import OutcomeKind, UnknownDeclineCode, make_outcome
from standin_provider_sandbox.state import Sandbox

_CHOICES = [
    ("Pay", "outcome=succeed"),
    ("Decline: insufficient funds", "outcome=fail&code=insufficient_funds"),
    ("Decline: card expired", "outcome=fail&code=card_expired"),
    ("Decline: 3-D Secure failed", "outcome=fail&code=3d_secure_failed"),
]


def confirm_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(prefix="/sandbox/payments", tags=["sandbox: buyer"])

    @router.get(
        "/{provider}/{payment_id}/confirm",
        summary="The buyer's payment page: completes the payment with its decided outcome",
        response_class=HTMLResponse,
    )
    async def confirm(
        provider: Literal["yookassa", "tbank"],
        payment_id: str,
        outcome: Annotated[
            OutcomeKind | None, Query(description="override the decided outcome")
        ] = None,
        code: Annotated[str | None, Query(description="decline code with outcome=fail")] = None,
        card: Annotated[
            str | None,
            Query(
                description=(
                    "the card number the buyer enters (13..19 digits; only first6/last4 are "
                    "kept and reported, as the providers do); a made-up card when not given"
                )
            ),
        ] = None,
        expiry: Annotated[
            str | None, Query(description="the card's expiry, MMYY or MM/YY (default 12/30)")
        ] = None,
    ) -> Response:
        entered = None
        if card is not None:
            try:
                entered = Card.entered(card, expiry)
            except InvalidCard as error:
                raise ApiError.single(
                    422, "INVALID_CARD", f"Invalid card: {error}.", pointer="/query/card"
                ) from None
        override = None
        if outcome is not None:
            try:
                override = make_outcome(outcome, code, sandbox.settings.default_decline_code)
            except UnknownDeclineCode:
                raise ApiError.single(
                    422, "UNKNOWN_DECLINE_CODE", "Unknown decline code.", pointer="/query/code"
                ) from None
        if provider == "yookassa":
            payment = sandbox.yookassa.payments.get(payment_id)
            if payment is None:
                raise _not_found()
            sandbox.yookassa.confirm(payment, override, entered)
            status, amount = payment.status, payment.amount_minor
            back = payment.return_url
            still_open = payment.status == "pending"
        else:
            tpayment = sandbox.tbank.payments.get(payment_id)
            if tpayment is None:
                raise _not_found()
            sandbox.tbank.visit(tpayment, override, entered)
            status, amount = tpayment.status, tpayment.amount
            paid = status in ("AUTHORIZED", "CONFIRMED")
            back = tpayment.success_url if paid else tpayment.fail_url
            still_open = status == "AUTHORIZING"
        if back and not still_open:
            return RedirectResponse(back, status_code=303)
        return HTMLResponse(_page(provider, payment_id, status, amount, still_open))

    return router


def _not_found() -> ApiError:
    return ApiError.single(404, "PAYMENT_NOT_FOUND", "No payment with this id in the sandbox.")


def _page(provider: str, payment_id: str, status: str, amount: int, still_open: bool) -> str:
    choices = ""
    if still_open:
        links = "".join(
            f'<li><a href="?{query}">{html.escape(label)}</a></li>' for label, query in _CHOICES
        )
        choices = f"<p>The bank has not answered yet. Decide:</p><ul>{links}</ul>"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<title>Payment sandbox (STAND-IN)</title></head><body>"
        "<p><strong>STAND-IN payment page: no real money, no real provider.</strong></p>"
        f"<p>{html.escape(provider)} payment <code>{html.escape(payment_id)}</code>, "
        f"amount {amount // 100}.{amount % 100:02d}: status <strong>{html.escape(status)}"
        f"</strong></p>{choices}</body></html>"
    )

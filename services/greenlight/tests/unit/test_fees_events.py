"""payment's events, from their schemas' examples, as fees' reports: every reference carried
over, and payments of other purposes left alone by the consumer."""

from __future__ import annotations

import uuid
from typing import Any

from parovoz_events.payment import PaymentCancelled, PaymentSucceeded, RefundFailed, RefundSucceeded
from parovoz_greenlight.fees.domain import FEE_PURPOSE, fee_reference
from parovoz_greenlight.fees.events import payment_event_handlers, payment_report, refund_report


def _fee_payment(example: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        **example,
        "purpose": FEE_PURPOSE,
        "game_id": None,
        "reference": fee_reference(uuid.uuid4()),
        **changes,
    }


def test_a_succeeded_and_a_cancelled_payment_become_reports() -> None:
    paid = PaymentSucceeded.model_validate(_fee_payment(PaymentSucceeded.example_data))
    report = payment_report(paid)
    assert report.succeeded and report.cancellation_reason is None
    assert (report.payment_id, report.user_id, report.reference) == (
        paid.payment_id,
        paid.user_id,
        paid.reference,
    )
    assert (report.amount_minor, report.currency, report.purpose) == (
        paid.amount.amount_minor,
        paid.amount.currency,
        FEE_PURPOSE,
    )
    cancelled = PaymentCancelled.model_validate(_fee_payment(PaymentCancelled.example_data))
    report = payment_report(cancelled)
    assert not report.succeeded and report.cancellation_reason == "insufficient_funds"


def test_refund_outcomes_become_reports() -> None:
    failed = RefundFailed.model_validate(RefundFailed.example_data)
    report = refund_report(failed)
    assert not report.succeeded and report.failure_reason == failed.failure_reason
    assert (report.refund_id, report.payment_id, report.amount_minor, report.purpose) == (
        failed.refund_id,
        failed.payment_id,
        500000,
        FEE_PURPOSE,
    )
    done = RefundSucceeded.model_validate(
        _fee_payment(RefundSucceeded.example_data, refund_reason="submission_withdrawn")
    )
    assert refund_report(done).succeeded


class _Infrastructure:
    clock, source = None, "/parovoz/greenlight"


async def test_payments_of_other_purposes_are_left_alone() -> None:
    handlers = payment_event_handlers(_Infrastructure())  # type: ignore[arg-type]
    assert set(handlers) == {
        PaymentSucceeded.event_type,
        PaymentCancelled.event_type,
        RefundSucceeded.event_type,
        RefundFailed.event_type,
    }
    game = PaymentSucceeded.model_validate(PaymentSucceeded.example_data)
    # the session is never touched: a game purchase is not a fee
    await handlers[PaymentSucceeded.event_type](None, game, None)  # type: ignore[arg-type]
    subscription = PaymentCancelled.model_validate(PaymentCancelled.example_data)
    await handlers[PaymentCancelled.event_type](None, subscription, None)  # type: ignore[arg-type]

"""Use cases of fees: start a submission's fee (``CreatePayment``), refund it after an early
withdrawal (``Refund``), show it to the submitting team, and settle it from payment's events.

payment moves the money; these use cases keep the fee rows (one per attempt) and move the
submission as payment's outcomes arrive (``submitted -> under_moderation`` when the fee is
paid, ``submitted -> draft`` when its payment was cancelled). An outcome settles a fee only
when it agrees with it in every reference (``Fee.mismatch``); anything else is logged and
ignored. The caller commits ``start_fee`` and ``refund_fee``; the settlements commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from parovoz_kit.errors import NotFound

from parovoz_greenlight.fees.domain import (
    MONEY_TAKEN,
    Fee,
    FeeStatus,
    PaymentReport,
    RefundReport,
    fee_id_from_reference,
)
from parovoz_greenlight.fees.rules import FeeRules
from parovoz_greenlight.ports import UnitOfWorkPort
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus

log = logging.getLogger(__name__)
F, S = FeeStatus, SubmissionStatus

#: Submission statuses before voting: a fee paid for one of them comes back on withdrawal.
BEFORE_VOTING = frozenset({S.DRAFT, S.SUBMITTED, S.UNDER_MODERATION})


@dataclass(frozen=True)
class FeePayment:
    """payment's answer to the fee's ``CreatePayment``."""

    payment_id: uuid.UUID
    confirmation_url: str | None


@dataclass(frozen=True)
class FeeRefund:
    """payment's answer to the fee's ``Refund`` (``pending`` when executed at once)."""

    refund_id: uuid.UUID
    status: str


class Payments(Protocol):
    """payment, as fees need it (``clients.payment.PaymentClient``), with the configured fee
    (``settings.fee_rules()``)."""

    @property
    def fee_rules(self) -> FeeRules: ...

    async def create_fee_payment(
        self,
        *,
        user_id: uuid.UUID,
        amount_minor: int,
        currency: str,
        vat_code: str,
        region: str,
        reference: str,
        item_name: str,
        description: str,
        return_url: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> FeePayment: ...

    async def refund_fee_payment(
        self, *, payment_id: uuid.UUID, idempotency_key: str, requested_by: str, comment: str
    ) -> FeeRefund: ...


class FeeStore(Protocol):
    async def add(self, fee: Fee) -> None: ...
    async def save(self, fee: Fee) -> None: ...
    async def get(self, fee_id: uuid.UUID) -> Fee | None: ...
    async def get_for_update(self, fee_id: uuid.UUID) -> Fee | None: ...
    async def of_submission(self, submission_id: uuid.UUID) -> list[Fee]:
        """The submission's fees, oldest attempt first."""
        ...


class SubmissionStore(Protocol):
    async def get(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def get_for_update(self, submission_id: uuid.UUID) -> Submission | None: ...
    async def save(self, submission: Submission) -> None: ...


class FeesUnitOfWork(UnitOfWorkPort, Protocol):
    @property
    def fees(self) -> FeeStore: ...

    @property
    def submissions(self) -> SubmissionStore: ...


class Membership(Protocol):
    @property
    def developer_id(self) -> uuid.UUID: ...


class Developers(Protocol):
    """developer-portal's answer "which developer account is this user a member of"."""

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Membership | None: ...


@dataclass(frozen=True)
class FeeStarted:
    fee_id: uuid.UUID
    payment_id: uuid.UUID | None
    #: Where the developer pays at the provider; None once the fee is paid.
    confirmation_url: str | None
    fee: Fee


def _paid(fees: list[Fee]) -> Fee | None:
    return next((fee for fee in fees if fee.status in MONEY_TAKEN), None)


def _item_name(submission: Submission) -> str:
    return f"Взнос Greenlight за заявку «{submission.title}»"


async def start_fee(
    uow: FeesUnitOfWork,
    payments: Payments,
    submission: Submission,
    *,
    return_url: str | None = None,
    rules: FeeRules | None = None,
    now: datetime | None = None,
) -> FeeStarted:
    """The submission's fee to pay: a paid one is answered as it is (no new payment), an
    attempt still awaiting payment is answered again (the same payment), else a new attempt
    (a fee row ``awaiting_payment``) and its payment at payment (``CreatePayment``, keyed by
    the attempt). The payer is the member who submitted. ``rules``: the settings' fee
    (``settings.fee_rules()``, which the payment client carries too). The caller commits."""
    now, rules = now or submission.updated_at, rules or payments.fee_rules
    fees = await uow.fees.of_submission(submission.id)
    paid = _paid(fees)
    if paid is not None:
        return FeeStarted(paid.id, paid.payment_id, None, paid)
    waiting = next((fee for fee in fees if fee.status is F.AWAITING_PAYMENT), None)
    if waiting is not None and waiting.payment_id is not None:
        return FeeStarted(waiting.id, waiting.payment_id, waiting.confirmation_url, waiting)
    fee = waiting or Fee(
        id=uuid.uuid4(),
        submission_id=submission.id,
        user_id=submission.submitted_by,
        attempt=max((fee.attempt for fee in fees), default=0) + 1,
        amount_minor=rules.amount_minor,
        currency=rules.currency,
        status=F.AWAITING_PAYMENT,
        created_at=now,
        updated_at=now,
    )
    if waiting is None:
        await uow.fees.add(fee)
    payment = await payments.create_fee_payment(
        user_id=fee.user_id,
        amount_minor=fee.amount_minor,
        currency=fee.currency,
        vat_code=rules.vat_code,
        region=rules.region,
        reference=fee.reference,
        item_name=_item_name(submission),
        description=_item_name(submission),
        return_url=return_url or rules.return_url_of(submission.id),
        idempotency_key=fee.payment_key,
        metadata={"submission_id": str(submission.id), "attempt": str(fee.attempt)},
    )
    fee.started(payment.payment_id, payment.confirmation_url, now)
    await uow.fees.save(fee)
    return FeeStarted(fee.id, fee.payment_id, fee.confirmation_url, fee)


async def _ask_refund(
    uow: FeesUnitOfWork, payments: Payments, fee: Fee, requested_by: str, now: datetime
) -> FeeRefund:
    assert fee.payment_id is not None  # a paid fee has its payment
    fee.move(F.REFUND_PENDING, now)
    refund = await payments.refund_fee_payment(
        payment_id=fee.payment_id,
        idempotency_key=fee.refund_key,
        requested_by=requested_by,
        comment=f"Заявка Greenlight {fee.submission_id} отозвана до голосования",
    )
    fee.refund_id = refund.refund_id
    await uow.fees.save(fee)
    return refund


def withdrawn_before_voting(submission: Submission) -> bool:
    """Withdrawn (or being withdrawn) before its first voting window opened."""
    if submission.status is S.WITHDRAWN:
        return submission.voting_started_at is None
    return submission.status in BEFORE_VOTING


async def refund_fee(
    uow: FeesUnitOfWork,
    payments: Payments,
    submission: Submission,
    requested_by: uuid.UUID | str,
    *,
    now: datetime | None = None,
) -> FeeRefund | None:
    """Give the fee back when the submission is withdrawn before voting (payment refunds it at
    once: reason SUBMISSION_WITHDRAWN). Once per fee: the fee goes ``paid -> refund_pending``
    under its row lock and the refund's key is the fee's, so a repeat asks nothing. None when
    there is nothing to give back (no fee paid, already asked, or voting had started). The
    caller commits (with the withdrawal)."""
    now = now or submission.updated_at
    if not withdrawn_before_voting(submission):
        return None
    paid = _paid(await uow.fees.of_submission(submission.id))
    fee = await uow.fees.get_for_update(paid.id) if paid is not None else None
    if fee is None or fee.status is not F.PAID:
        return None
    return await _ask_refund(uow, payments, fee, str(requested_by), now)


async def fee_of_submission(
    uow: FeesUnitOfWork,
    developers: Developers,
    submission_id: uuid.UUID,
    viewer: uuid.UUID,
    *,
    staff: bool = False,
) -> Fee:
    """The submission's current fee (the paid one, else the latest attempt) for the submitting
    team (the submitter, a member of its developer account) or staff. Anyone else is answered
    404 like an unknown submission: a fee is private."""
    submission = await uow.submissions.get(submission_id)
    if submission is None or not (
        staff
        or viewer == submission.submitted_by
        or await _member_of(developers, viewer, submission.developer_id)
    ):
        raise NotFound(
            f"Submission {submission_id} does not exist.",
            code="SUBMISSION_NOT_FOUND",
            detail_ru=f"Заявка {submission_id} не найдена.",
        )
    fees = await uow.fees.of_submission(submission_id)
    fee = _paid(fees) or (fees[-1] if fees else None)
    if fee is None:
        raise NotFound(
            f"Submission {submission_id} has no fee yet: submit it first.",
            code="FEE_NOT_FOUND",
            detail_ru=f"По заявке {submission_id} ещё нет взноса: сначала отправьте её.",
        )
    return fee


async def _member_of(developers: Developers, user_id: uuid.UUID, developer_id: uuid.UUID) -> bool:
    membership = await developers.membership(user_id, developer_id)
    return membership is not None and membership.developer_id == developer_id


# --- settlements: payment's outcomes (the consumer's use cases) --------------------------------


async def _fee_of(uow: FeesUnitOfWork, reference: str | None) -> tuple[Fee, Submission] | None:
    """The fee a reference names and its submission, both locked: the submission first, as
    every use case that moves it (a withdrawal refunding the fee) takes them."""
    fee_id = fee_id_from_reference(reference)
    if fee_id is None:
        log.info("payment outcome of no greenlight fee", extra={"reference": reference})
        return None
    fee = await uow.fees.get(fee_id)
    if fee is None:
        log.warning("payment outcome names an unknown fee", extra={"fee_id": str(fee_id)})
        return None
    submission = await uow.submissions.get_for_update(fee.submission_id)
    locked = await uow.fees.get_for_update(fee_id)
    if submission is None or locked is None:  # fees are only written for stored submissions
        raise LookupError(f"fee {fee_id} names no submission")
    return locked, submission


def _refused(fee: Fee, report: PaymentReport | RefundReport) -> bool:
    why = fee.mismatch(report)
    if why is not None:
        log.warning(
            "payment outcome does not match its fee: ignored",
            extra={
                "fee_id": str(fee.id),
                "payment_id": str(report.payment_id),
                "mismatch": why,
                "expected": f"{fee.amount_minor} {fee.currency}",
                "got": f"{report.amount_minor} {report.currency} {report.purpose}",
            },
        )
    return why is not None


async def payment_settled(
    uow: FeesUnitOfWork, payments: Payments, report: PaymentReport, now: datetime
) -> str:
    """payment's final answer about a fee's payment; answers what happened (for the log).
    Paid: the fee ``paid`` and the submission ``submitted -> under_moderation``; paid for a
    submission withdrawn meanwhile, or twice: the money goes back. Cancelled: the fee
    ``payment_cancelled`` and the submission back to ``draft`` (it can be submitted again)."""
    found = await _fee_of(uow, report.reference)
    if found is None:
        return "ignored: no such fee"
    fee, submission = found
    if _refused(fee, report):
        return "ignored: mismatch"
    if fee.status is not F.AWAITING_PAYMENT:
        return f"ignored: fee already {fee.status.value}"
    if not report.succeeded:
        fee.move(F.PAYMENT_CANCELLED, now)
        await uow.fees.save(fee)
        result = "fee payment cancelled"
        if submission.status is S.SUBMITTED:
            submission.move(S.DRAFT, now)
            await uow.submissions.save(submission)
            result += ": submission back to draft"
        await uow.commit()
        return result
    already = _paid(await uow.fees.of_submission(submission.id))
    fee.move(F.PAID, now)
    if already is not None or submission.status is not S.SUBMITTED:
        # Paid twice, or for a submission that went on without it (withdrawn): give it back.
        why = "paid twice" if already is not None else f"submission {submission.status.value}"
        await _ask_refund(uow, payments, fee, "service:greenlight", now)
        await uow.commit()
        return f"fee paid ({why}): refunded"
    await uow.fees.save(fee)
    submission.move(S.UNDER_MODERATION, now)
    await uow.submissions.save(submission)
    await uow.commit()
    return "fee paid: submission under moderation"


async def refund_settled(uow: FeesUnitOfWork, report: RefundReport, now: datetime) -> str:
    """payment's outcome of a fee's refund: the fee ``refunded`` or ``refund_failed``."""
    found = await _fee_of(uow, report.reference)
    if found is None:
        return "ignored: no such fee"
    fee = found[0]
    if _refused(fee, report):
        return "ignored: mismatch"
    if fee.status not in (F.PAID, F.REFUND_PENDING):
        return f"ignored: fee already {fee.status.value}"
    fee.refund_id = report.refund_id
    fee.move(F.REFUNDED if report.succeeded else F.REFUND_FAILED, now)
    await uow.fees.save(fee)
    await uow.commit()
    return f"fee {fee.status.value}"

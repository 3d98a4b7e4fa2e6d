"""fees' use cases over in-memory fakes: starting a fee (one payment per attempt, none once
paid), every settlement of payment's outcomes, every refused reference, and the refund of a
submission withdrawn before voting (once)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from parovoz_greenlight.fees.domain import (
    FEE_PURPOSE,
    Fee,
    FeeStatus,
    FeeTransitionRefused,
    PaymentReport,
    RefundReport,
    fee_id_from_reference,
    fee_reference,
)
from parovoz_greenlight.fees.rules import FeeRules
from parovoz_greenlight.fees.service import (
    FeePayment,
    FeeRefund,
    fee_of_submission,
    payment_settled,
    refund_fee,
    refund_settled,
    start_fee,
)
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_kit.errors import NotFound

F, S = FeeStatus, SubmissionStatus
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RULES = FeeRules(
    amount_minor=500000,
    currency="RUB",
    region="RU",
    vat_code="vat_22",
    return_url="https://parovoz.example/s/{submission_id}/fee",
)


class FakeFees:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Fee] = {}

    async def add(self, fee: Fee) -> None:
        assert fee.id not in self.rows
        self.rows[fee.id] = dataclasses.replace(fee)

    async def save(self, fee: Fee) -> None:
        assert fee.id in self.rows
        paid = [
            other
            for other in self.rows.values()
            if other.submission_id == fee.submission_id
            and other.status is F.PAID
            and other.id != fee.id
        ]
        assert not (paid and fee.status is F.PAID), "one paid fee per submission"
        self.rows[fee.id] = dataclasses.replace(fee)

    async def get_for_update(self, fee_id: uuid.UUID) -> Fee | None:
        fee = self.rows.get(fee_id)
        return dataclasses.replace(fee) if fee else None

    get = get_for_update

    async def of_submission(self, submission_id: uuid.UUID) -> list[Fee]:
        found = [f for f in self.rows.values() if f.submission_id == submission_id]
        return [dataclasses.replace(f) for f in sorted(found, key=lambda f: f.attempt)]


class FakeSubmissions:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Submission] = {}

    async def get(self, submission_id: uuid.UUID) -> Submission | None:
        found = self.rows.get(submission_id)
        return dataclasses.replace(found) if found else None

    get_for_update = get

    async def save(self, submission: Submission) -> None:
        self.rows[submission.id] = dataclasses.replace(submission, version=submission.version + 1)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.fees = FakeFees()
        self.submissions = FakeSubmissions()
        self.commits = 0
        self.events: list[Any] = []

    def emit(self, item: Any, *, subject: str | None = None, topic: str | None = None) -> Any:
        self.events.append(item)
        return item

    async def commit(self) -> None:
        self.commits += 1


class FakePayments:
    fee_rules = RULES

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.refunds: list[dict[str, Any]] = []
        self._payments: dict[str, uuid.UUID] = {}
        self._refunds: dict[str, uuid.UUID] = {}

    async def create_fee_payment(self, **request: Any) -> FeePayment:
        self.created.append(request)
        payment_id = self._payments.setdefault(request["idempotency_key"], uuid.uuid4())
        return FeePayment(payment_id, f"https://sandbox/confirm/{payment_id}")

    async def refund_fee_payment(self, **request: Any) -> FeeRefund:
        self.refunds.append(request)
        refund_id = self._refunds.setdefault(request["idempotency_key"], uuid.uuid4())
        return FeeRefund(refund_id, "pending")


class Member:
    def __init__(self, developer_id: uuid.UUID) -> None:
        self.developer_id = developer_id


class FakeDevelopers:
    def __init__(self, members: dict[uuid.UUID, uuid.UUID] | None = None) -> None:
        self.members = members or {}

    async def membership(
        self, user_id: uuid.UUID, developer_id: uuid.UUID | None = None
    ) -> Member | None:
        developer = self.members.get(user_id)
        if developer is None or developer_id not in (None, developer):
            return None
        return Member(developer)


def a_submission(status: SubmissionStatus = S.SUBMITTED) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Тайга",
        description="Игра про лес",
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )


async def started(
    status: SubmissionStatus = S.SUBMITTED,
) -> tuple[FakeUnitOfWork, FakePayments, Submission, Fee]:
    uow, payments, submission = FakeUnitOfWork(), FakePayments(), a_submission(status)
    uow.submissions.rows[submission.id] = submission
    result = await start_fee(uow, payments, submission)
    return uow, payments, submission, uow.fees.rows[result.fee_id]


def report_of(fee: Fee, *, succeeded: bool = True, **changes: Any) -> PaymentReport:
    assert fee.payment_id is not None
    base = PaymentReport(
        payment_id=fee.payment_id,
        succeeded=succeeded,
        user_id=fee.user_id,
        amount_minor=fee.amount_minor,
        currency=fee.currency,
        purpose=FEE_PURPOSE,
        reference=fee.reference,
        cancellation_reason=None if succeeded else "expired_on_confirmation",
    )
    return dataclasses.replace(base, **changes)


def refund_report_of(fee: Fee, *, succeeded: bool = True, **changes: Any) -> RefundReport:
    assert fee.payment_id is not None
    base = RefundReport(
        refund_id=fee.refund_id or uuid.uuid4(),
        payment_id=fee.payment_id,
        succeeded=succeeded,
        user_id=fee.user_id,
        amount_minor=fee.amount_minor,
        currency=fee.currency,
        purpose=FEE_PURPOSE,
        reference=fee.reference,
    )
    return dataclasses.replace(base, **changes)


def test_a_reference_names_its_fee_and_nothing_else_is_a_fee() -> None:
    fee_id = uuid.uuid4()
    assert fee_id_from_reference(fee_reference(fee_id)) == fee_id
    for other in (None, "", f"subscription-charge:{fee_id}", "greenlight-fee:nope"):
        assert fee_id_from_reference(other) is None


async def test_start_fee_creates_an_attempt_and_its_payment_from_the_rules() -> None:
    _uow, payments, submission, fee = await started()
    assert (fee.status, fee.attempt, fee.amount_minor, fee.currency) == (
        F.AWAITING_PAYMENT,
        1,
        500000,
        "RUB",
    )
    assert fee.user_id == submission.submitted_by and fee.payment_id and fee.confirmation_url
    [request] = payments.created
    assert request["reference"] == fee.reference and request["idempotency_key"] == fee.payment_key
    assert request["amount_minor"] == RULES.amount_minor and request["vat_code"] == "vat_22"
    assert request["return_url"] == f"https://parovoz.example/s/{submission.id}/fee"


async def test_start_fee_again_answers_the_same_payment_and_a_paid_fee_asks_nothing() -> None:
    uow, payments, submission, fee = await started()
    again = await start_fee(uow, payments, submission, return_url="https://x.example/back")
    assert (again.fee_id, again.payment_id) == (fee.id, fee.payment_id)
    assert len(payments.created) == 1
    await payment_settled(uow, payments, report_of(fee), NOW)
    paid = await start_fee(uow, payments, submission)
    assert paid.fee_id == fee.id and paid.confirmation_url is None
    assert len(payments.created) == 1


async def test_a_paid_fee_sends_the_submission_to_moderation_once() -> None:
    uow, payments, submission, fee = await started()
    result = await payment_settled(uow, payments, report_of(fee), NOW + timedelta(minutes=5))
    assert "moderation" in result
    stored = uow.submissions.rows[submission.id]
    assert stored.status is S.UNDER_MODERATION and stored.fee_paid
    assert uow.fees.rows[fee.id].status is F.PAID
    assert uow.fees.rows[fee.id].confirmation_url is None
    version = stored.version
    assert (await payment_settled(uow, payments, report_of(fee), NOW)).startswith("ignored")
    assert uow.submissions.rows[submission.id].version == version


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_minor": 100},
        {"currency": "USD"},
        {"user_id": uuid.uuid4()},
        {"payment_id": uuid.uuid4()},
        {"purpose": "game_purchase"},
        {"reference": f"greenlight-fee:{uuid.uuid4()}"},
        {"reference": "order:1"},
        {"reference": None},
    ],
    ids=lambda changes: next(iter(changes)) + ("" if changes.get("reference") else "-other"),
)
async def test_an_outcome_not_matching_its_fee_moves_nothing(changes: dict[str, Any]) -> None:
    uow, payments, submission, fee = await started()
    for succeeded in (True, False):
        result = await payment_settled(
            uow, payments, report_of(fee, succeeded=succeeded, **changes), NOW
        )
        assert result.startswith("ignored"), result
    assert uow.submissions.rows[submission.id].status is S.SUBMITTED
    assert uow.fees.rows[fee.id].status is F.AWAITING_PAYMENT
    assert uow.commits == 0 and payments.refunds == []


async def test_a_cancelled_payment_puts_it_back_to_draft_and_a_new_attempt_follows() -> None:
    uow, payments, submission, fee = await started()
    result = await payment_settled(uow, payments, report_of(fee, succeeded=False), NOW)
    assert "draft" in result
    assert uow.fees.rows[fee.id].status is F.PAYMENT_CANCELLED
    back = uow.submissions.rows[submission.id]
    assert back.status is S.DRAFT and not back.fee_paid
    # a late success of the cancelled attempt changes nothing
    assert (await payment_settled(uow, payments, report_of(fee), NOW)).startswith("ignored")
    back.move(S.SUBMITTED, NOW)
    second = await start_fee(uow, payments, back)
    assert second.fee_id != fee.id and uow.fees.rows[second.fee_id].attempt == 2
    assert len({request["idempotency_key"] for request in payments.created}) == 2


async def test_a_fee_paid_after_the_submission_was_withdrawn_goes_back() -> None:
    uow, payments, submission, fee = await started()
    stored = uow.submissions.rows[submission.id]
    stored.move(S.WITHDRAWN, NOW)
    result = await payment_settled(uow, payments, report_of(fee), NOW)
    assert "refunded" in result
    assert uow.fees.rows[fee.id].status is F.REFUND_PENDING
    [refund] = payments.refunds
    assert refund["idempotency_key"] == fee.refund_key and refund["payment_id"] == fee.payment_id
    assert uow.submissions.rows[submission.id].status is S.WITHDRAWN


async def test_a_second_paid_attempt_is_refunded_not_counted_twice() -> None:
    uow, payments, _submission, first = await started()
    # a second attempt exists (as after a cancelled first one), then both report paid
    second = dataclasses.replace(
        first, id=uuid.uuid4(), attempt=2, payment_id=uuid.uuid4(), status=F.AWAITING_PAYMENT
    )
    await uow.fees.add(second)
    await payment_settled(uow, payments, report_of(first), NOW)
    result = await payment_settled(uow, payments, report_of(second), NOW)
    assert "paid twice" in result
    assert uow.fees.rows[first.id].status is F.PAID
    assert uow.fees.rows[second.id].status is F.REFUND_PENDING


async def test_withdrawn_before_voting_refunds_once() -> None:
    uow, payments, submission, fee = await started()
    await payment_settled(uow, payments, report_of(fee), NOW)
    withdrawn = uow.submissions.rows[submission.id]
    withdrawn.move(S.WITHDRAWN, NOW)
    refund = await refund_fee(uow, payments, withdrawn, submission.submitted_by)
    assert refund is not None
    stored = uow.fees.rows[fee.id]
    assert stored.status is F.REFUND_PENDING and stored.refund_id == refund.refund_id
    assert await refund_fee(uow, payments, withdrawn, submission.submitted_by) is None
    assert len(payments.refunds) == 1
    assert payments.refunds[0]["requested_by"] == str(submission.submitted_by)

    assert await refund_settled(uow, refund_report_of(stored), NOW) == "fee refunded"
    assert uow.fees.rows[fee.id].status is F.REFUNDED
    assert (await refund_settled(uow, refund_report_of(stored), NOW)).startswith("ignored")


async def test_no_refund_once_voting_started_or_when_nothing_was_paid() -> None:
    uow, payments, submission, fee = await started()
    await payment_settled(uow, payments, report_of(fee), NOW)
    voted = uow.submissions.rows[submission.id]
    voted.move(S.ACTIVE_VOTING, NOW)
    voted.voting_started_at = NOW
    voted.move(S.WITHDRAWN, NOW)
    assert await refund_fee(uow, payments, voted, submission.submitted_by) is None
    unpaid_uow, unpaid_payments, unpaid, _ = await started()
    unpaid.move(S.WITHDRAWN, NOW)
    assert await refund_fee(unpaid_uow, unpaid_payments, unpaid, unpaid.submitted_by) is None
    assert payments.refunds == [] and unpaid_payments.refunds == []


async def test_a_failed_refund_is_recorded_and_a_forged_refund_is_ignored() -> None:
    uow, payments, submission, fee = await started()
    await payment_settled(uow, payments, report_of(fee), NOW)
    withdrawn = uow.submissions.rows[submission.id]
    withdrawn.move(S.WITHDRAWN, NOW)
    await refund_fee(uow, payments, withdrawn, "service:greenlight")
    stored = uow.fees.rows[fee.id]
    for forged in (
        {"amount_minor": 100},
        {"refund_id": uuid.uuid4()},
        {"payment_id": uuid.uuid4()},
        {"user_id": uuid.uuid4()},
        {"purpose": "subscription"},
    ):
        result = await refund_settled(uow, refund_report_of(stored, **forged), NOW)
        assert result.startswith("ignored"), forged
    assert uow.fees.rows[fee.id].status is F.REFUND_PENDING
    failed = await refund_settled(uow, refund_report_of(stored, succeeded=False), NOW)
    assert failed == "fee refund_failed"


async def test_a_fee_moves_only_along_its_table() -> None:
    _, _, _, fee = await started()
    with pytest.raises(FeeTransitionRefused):
        fee.move(F.REFUNDED, NOW)
    fee.move(F.PAYMENT_CANCELLED, NOW)
    with pytest.raises(FeeTransitionRefused):
        fee.move(F.PAID, NOW)


async def test_the_fee_is_shown_to_the_team_and_staff_only() -> None:
    uow, _payments, submission, fee = await started()
    member, stranger = uuid.uuid4(), uuid.uuid4()
    developers = FakeDevelopers({member: submission.developer_id, stranger: uuid.uuid4()})
    for viewer, staff in ((submission.submitted_by, False), (member, False), (stranger, True)):
        shown = await fee_of_submission(uow, developers, submission.id, viewer, staff=staff)
        assert shown.id == fee.id
    for unknown_viewer, submission_id in ((stranger, submission.id), (member, uuid.uuid4())):
        with pytest.raises(NotFound) as refused:
            await fee_of_submission(uow, developers, submission_id, unknown_viewer)
        assert refused.value.code == "SUBMISSION_NOT_FOUND"
    draft = a_submission(S.DRAFT)
    uow.submissions.rows[draft.id] = draft
    with pytest.raises(NotFound) as none_yet:
        await fee_of_submission(uow, developers, draft.id, draft.submitted_by)
    assert none_yet.value.code == "FEE_NOT_FOUND"

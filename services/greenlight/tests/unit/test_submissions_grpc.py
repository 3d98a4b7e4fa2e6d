"""GetSubmission's message: every status mapped, the fee (the paid attempt over a later one),
the latest window and its final result."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz_greenlight.fees.domain import Fee, FeeStatus
from parovoz_greenlight.results.domain import Outcome, Tally, Window, WindowStatus
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.submissions.grpc import STATUSES, submission_message

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def submission(status: SubmissionStatus) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Игра",
        description="Описание",
        status=status,
        created_at=NOW,
        updated_at=NOW,
        submitted_at=NOW,
    )


def fee(item: Submission, attempt: int, status: FeeStatus) -> Fee:
    return Fee(
        id=uuid.uuid4(),
        submission_id=item.id,
        user_id=item.submitted_by,
        attempt=attempt,
        amount_minor=500_000,
        currency="RUB",
        status=status,
        created_at=NOW,
        updated_at=NOW,
        payment_id=uuid.uuid4(),
    )


@pytest.mark.parametrize("status", list(SubmissionStatus), ids=lambda s: s.value)
def test_every_status_has_its_proto_value(status: SubmissionStatus) -> None:
    message = submission_message(submission(status), [], None)
    assert message.status == STATUSES[status]
    assert pb.SubmissionStatus.Name(message.status).endswith(status.value.upper())


def test_without_fee_or_window_those_stay_unset() -> None:
    message = submission_message(submission(SubmissionStatus.DRAFT), [], None)
    assert message.fee_status == pb.FEE_STATUS_UNSPECIFIED
    assert not message.HasField("voting_window") and not message.HasField("result")
    assert message.fee_payment_id == ""


def test_the_paid_fee_wins_over_a_later_attempt() -> None:
    item = submission(SubmissionStatus.UNDER_MODERATION)
    paid = fee(item, 1, FeeStatus.PAID)
    later = fee(item, 2, FeeStatus.AWAITING_PAYMENT)
    message = submission_message(item, [paid, later], None)
    assert message.fee_status == pb.FEE_STATUS_PAID
    assert message.fee_payment_id == str(paid.payment_id)
    assert (message.fee_amount.amount_minor, message.fee_amount.currency) == (500_000, "RUB")


def test_the_final_window_gives_its_result() -> None:
    item = submission(SubmissionStatus.APPROVED)
    window = Window(
        id=uuid.uuid4(),
        submission_id=item.id,
        number=1,
        opens_at=NOW - timedelta(days=31),
        closes_at=NOW - timedelta(days=1),
        status=WindowStatus.AUDIT,
        audit_ends_at=NOW,
    )
    open_message = submission_message(item, [], window)
    assert open_message.voting_window.number == 1 and not open_message.HasField("result")
    window.finalize(
        Tally(valid_votes=120, removed_votes=5, weighted_yes=1000, weighted_no=300),
        Outcome.APPROVED,
        NOW,
    )
    message = submission_message(item, [], window)
    assert message.voting_window.end_at.ToDatetime(tzinfo=UTC) == window.closes_at
    assert (message.result.valid_votes, message.result.total_votes) == (120, 125)
    assert (message.result.weighted_yes, message.result.weighted_no) == (100.0, 30.0)
    assert message.result.approved
    assert abs(message.result.weighted_approval_ratio - 1000 / 1300) < 1e-3
    assert message.result.decided_at.ToDatetime(tzinfo=UTC) == NOW

"""gRPC of submissions: `GreenlightService.GetSubmission` translated to one use case (the
caller is developer-portal: ``grpc/callers.py``). The fee comes from the fees context's rows
(the paid attempt, else the latest); the voting window and its final result from the results
context's latest window."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from parovoz.common.v1 import money_pb2
from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.results.domain import WEIGHT_UNIT, WHOLE, Outcome, Window
from parovoz_greenlight.submissions import service as use_cases
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

S = SubmissionStatus

STATUSES: dict[SubmissionStatus, int] = {
    S.DRAFT: pb.SUBMISSION_STATUS_DRAFT,
    S.SUBMITTED: pb.SUBMISSION_STATUS_SUBMITTED,
    S.UNDER_MODERATION: pb.SUBMISSION_STATUS_UNDER_MODERATION,
    S.ACTIVE_VOTING: pb.SUBMISSION_STATUS_ACTIVE_VOTING,
    S.VOTING_COMPLETED: pb.SUBMISSION_STATUS_VOTING_COMPLETED,
    S.APPROVED: pb.SUBMISSION_STATUS_APPROVED,
    S.REJECTED: pb.SUBMISSION_STATUS_REJECTED,
    S.WITHDRAWN: pb.SUBMISSION_STATUS_WITHDRAWN,
}
assert set(STATUSES) == set(S), "every submission status has a proto value"

#: The fees context's statuses (its ``FeeStatus`` values) as the proto's.
FEE_STATUSES: dict[str, int] = {
    "awaiting_payment": pb.FEE_STATUS_AWAITING_PAYMENT,
    "paid": pb.FEE_STATUS_PAID,
    "payment_cancelled": pb.FEE_STATUS_PAYMENT_CANCELLED,
    "refund_pending": pb.FEE_STATUS_REFUND_PENDING,
    "refunded": pb.FEE_STATUS_REFUNDED,
    "refund_failed": pb.FEE_STATUS_REFUND_FAILED,
}
_MONEY_TAKEN = frozenset({"paid", "refund_pending", "refunded", "refund_failed"})


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _fee_fields(message: pb.Submission, fees: list[Any]) -> None:
    """The paid attempt (else the latest) into the message; nothing without one."""
    paid = [fee for fee in fees if str(fee.status) in _MONEY_TAKEN]
    fee = paid[0] if paid else (fees[-1] if fees else None)
    if fee is None:
        return
    message.fee_status = FEE_STATUSES.get(str(fee.status), pb.FEE_STATUS_UNSPECIFIED)
    message.fee_amount.CopyFrom(
        money_pb2.Money(amount_minor=fee.amount_minor, currency=fee.currency)
    )
    if fee.payment_id is not None:
        message.fee_payment_id = str(fee.payment_id)
    if fee.refund_id is not None:
        message.fee_refund_id = str(fee.refund_id)


def result_message(window: Window) -> pb.VotingResult | None:
    """The final result of a closed window (None before it is final). Per-choice counts and
    category averages are not kept with the window: only the weighted tally is given."""
    counts = window.final_tally
    if counts is None:
        return None
    result = pb.VotingResult(
        total_votes=counts.valid_votes + counts.removed_votes,
        valid_votes=counts.valid_votes,
        weighted_yes=counts.weighted_yes / WEIGHT_UNIT,
        weighted_no=counts.weighted_no / WEIGHT_UNIT,
        weighted_approval_ratio=counts.approval_basis_points / WHOLE,
        approved=window.outcome is Outcome.APPROVED,
    )
    if window.finalized_at is not None:
        result.decided_at.CopyFrom(_stamp(window.finalized_at))
    return result


def submission_message(
    submission: Submission, fees: list[Any], window: Window | None
) -> pb.Submission:
    message = pb.Submission(
        id=str(submission.id),
        game_id=str(submission.game_id),
        developer_id=str(submission.developer_id),
        submitter_user_id=str(submission.submitted_by),
        title=submission.title,
        status=STATUSES[submission.status],
        fee_status=pb.FEE_STATUS_UNSPECIFIED,
        created_at=_stamp(submission.created_at),
        updated_at=_stamp(submission.updated_at),
    )
    _fee_fields(message, fees)
    if window is not None:
        message.voting_window.CopyFrom(
            pb.VotingWindow(
                start_at=_stamp(window.opens_at),
                end_at=_stamp(window.closes_at),
                number=window.number,
            )
        )
        result = result_message(window)
        if result is not None:
            message.result.CopyFrom(result)
    if submission.submitted_at is not None:
        message.submitted_at.CopyFrom(_stamp(submission.submitted_at))
    if submission.withdrawn_at is not None:
        message.withdrawn_at.CopyFrom(_stamp(submission.withdrawn_at))
    return message


async def get_submission(
    infrastructure: Infrastructure, request: pb.GetSubmissionRequest
) -> pb.GetSubmissionResponse:
    try:
        submission_id = uuid.UUID(request.submission_id)
    except ValueError:
        raise ValidationFailed(
            "submission_id: a UUID is required.",
            detail_ru="submission_id: нужен UUID.",
            parameter="submission_id",
        ) from None
    async with greenlight_unit_of_work(infrastructure) as uow:
        submission = await use_cases.submission_of(uow, submission_id)
        fees = list(await uow.fees.of_submission(submission_id))
        window = await uow.results.latest_of(submission_id)
    return pb.GetSubmissionResponse(submission=submission_message(submission, fees, window))

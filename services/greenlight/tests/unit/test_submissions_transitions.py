"""Every move of the submission status machine: the allowed ones happen (with their times), the
refused ones raise and change nothing; draft -> under_moderation needs the fee paid."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from parovoz_greenlight.submissions.domain import (
    TRANSITIONS,
    Submission,
    SubmissionStatus,
    SubmissionTransitionRefused,
    refund_due_on_withdrawal,
    withdrawable,
)
from parovoz_kit.errors import BusinessRuleViolation

S = SubmissionStatus
CREATED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NOW = CREATED + timedelta(days=3)

ALL_PAIRS = [(current, target) for current in S for target in S]
ALLOWED = [(c, t) for c, t in ALL_PAIRS if t in TRANSITIONS[c]]
REFUSED = [(c, t) for c, t in ALL_PAIRS if t not in TRANSITIONS[c]]


def submission(status: SubmissionStatus, *, fee_paid: bool = False) -> Submission:
    return Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Дорога домой",
        description="Приключение о поезде.",
        status=status,
        created_at=CREATED,
        updated_at=CREATED,
        requested_changes="Добавьте трейлер." if status is S.DRAFT else None,
        changes_due_at=CREATED + timedelta(days=14) if status is S.DRAFT else None,
        fee_paid=fee_paid,
    )


def test_every_status_has_a_row_and_nothing_moves_to_itself() -> None:
    assert set(TRANSITIONS) == set(S)
    assert all(status not in TRANSITIONS[status] for status in S)
    assert ALLOWED and REFUSED


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.value)
def test_allowed_move_happens(current: SubmissionStatus, target: SubmissionStatus) -> None:
    item = submission(current, fee_paid=True)
    item.move(target, NOW)
    assert item.status is target
    assert item.updated_at == NOW
    if target is S.WITHDRAWN:
        assert item.withdrawn_at == NOW
    if target in (S.APPROVED, S.REJECTED) and current is S.VOTING_COMPLETED:
        assert item.decided_at == NOW
    if target is S.UNDER_MODERATION:
        assert item.fee_paid
        assert item.requested_changes is None and item.changes_due_at is None
    if target is S.SUBMITTED or (current is S.DRAFT and target is S.UNDER_MODERATION):
        assert item.submitted_at == NOW


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=lambda s: s.value)
def test_refused_move_raises_and_changes_nothing(
    current: SubmissionStatus, target: SubmissionStatus
) -> None:
    item = submission(current, fee_paid=True)
    before = dataclasses.replace(item)
    with pytest.raises(SubmissionTransitionRefused) as refused:
        item.move(target, NOW)
    assert refused.value.code == "SUBMISSION_STATUS_CONFLICT"
    assert (refused.value.current, refused.value.target) == (current, target)
    assert item == before


def test_draft_to_moderation_needs_the_fee_paid() -> None:
    item = submission(S.DRAFT, fee_paid=False)
    before = dataclasses.replace(item)
    with pytest.raises(BusinessRuleViolation) as refused:
        item.move(S.UNDER_MODERATION, NOW)
    assert refused.value.code == "SUBMISSION_FEE_NOT_PAID"
    assert item == before


def test_payment_reported_paid_marks_the_fee_paid() -> None:
    item = submission(S.SUBMITTED, fee_paid=False)
    item.move(S.UNDER_MODERATION, NOW)
    assert item.fee_paid and item.status is S.UNDER_MODERATION


def test_submit_of_an_unpaid_draft_waits_for_the_fee() -> None:
    item = submission(S.DRAFT)
    item.move(S.SUBMITTED, NOW)
    assert item.status is S.SUBMITTED and not item.fee_paid and item.submitted_at == NOW


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.value)
def test_withdrawable_before_a_result_only(status: SubmissionStatus) -> None:
    expected = status in (S.DRAFT, S.SUBMITTED, S.UNDER_MODERATION, S.ACTIVE_VOTING)
    assert withdrawable(submission(status)) is expected


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.value)
def test_refund_only_when_paid_and_voting_had_not_started(status: SubmissionStatus) -> None:
    before_voting = status in (S.DRAFT, S.SUBMITTED, S.UNDER_MODERATION)
    assert refund_due_on_withdrawal(status, fee_paid=True) is before_voting
    assert refund_due_on_withdrawal(status, fee_paid=False) is False

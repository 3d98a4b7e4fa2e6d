"""Submitting with the real fees context: the fee's payment is created at the running payment
(gRPC ``CreatePayment``) and its confirmation URL answered; gRPC GetSubmission shows the fee
awaiting payment; withdrawing an unpaid submission asks no refund."""

from __future__ import annotations

import uuid

import httpx
import pytest
from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz_greenlight.submissions.grpc import get_submission
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.infrastructure import Infrastructure

from .test_submissions_api import PORTAL, PREFIX, Studio, creation, headers


async def test_submit_creates_the_fee_payment_at_payment(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> None:
    async with httpx.AsyncClient(base_url=PORTAL, timeout=10) as portal:
        studio = await Studio.open(portal)
        await studio.verify(portal)
    owner = headers(studio.owner)
    created = await client.post(
        f"{PREFIX}/submissions", json=creation(studio.game_id), headers=owner
    )
    assert created.status_code == 201, created.text
    sid = created.json()["data"]["id"]

    submitted = await client.post(f"{PREFIX}/submissions/{sid}/submit", headers=owner)
    assert submitted.status_code == 202, submitted.text
    meta = submitted.json()["meta"]
    assert meta["confirmation_url"].startswith("http")
    assert submitted.json()["data"]["attributes"]["status"] == "submitted"

    # Submitting again answers the same payment, no second fee.
    again = await client.post(f"{PREFIX}/submissions/{sid}/submit", headers=owner)
    assert again.status_code == 202, again.text
    assert again.json()["meta"] == meta
    async with greenlight_unit_of_work(infrastructure) as uow:
        fees = await uow.fees.of_submission(uuid.UUID(sid))
    assert len(fees) == 1 and fees[0].user_id == studio.owner

    reply = await get_submission(infrastructure, pb.GetSubmissionRequest(submission_id=sid))
    assert reply.submission.status == pb.SUBMISSION_STATUS_SUBMITTED
    assert reply.submission.fee_status == pb.FEE_STATUS_AWAITING_PAYMENT
    assert reply.submission.fee_payment_id == str(fees[0].payment_id)
    assert reply.submission.fee_amount.amount_minor == fees[0].amount_minor
    assert reply.submission.submitter_user_id == str(studio.owner)

    withdrawn = await client.post(f"{PREFIX}/submissions/{sid}/withdraw", headers=owner)
    assert withdrawn.status_code == 200, withdrawn.text
    async with greenlight_unit_of_work(infrastructure) as uow:
        [fee] = await uow.fees.of_submission(uuid.UUID(sid))
    assert fee.refund_id is None


@pytest.mark.parametrize("bad", ["not-a-uuid", ""])
async def test_get_submission_refuses_a_malformed_id(
    infrastructure: Infrastructure, bad: str
) -> None:
    from parovoz_kit.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        await get_submission(infrastructure, pb.GetSubmissionRequest(submission_id=bad))

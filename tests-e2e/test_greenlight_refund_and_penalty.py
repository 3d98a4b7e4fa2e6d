"""Issue #15's proof through the running platform, the gateway and the provider sandbox:

- a submission withdrawn after its fee was paid gets the fee back exactly once: two withdrawals
  at once and a third after them leave one refund at payment (the whole 5,000.00 RUB, back on
  the card at the sandbox) and greenlight's fee ``refunded`` by payment's refund event;
- a user a moderator suspended from voting (integrity's REST API) cannot vote: 403
  ``VOTING_NOT_ELIGIBLE``, while an unpenalized voter votes on the same submission.

Both start from a greenlight-track developer account made ``active`` in developer-portal's
database (``IndieStudio.activate`` says why)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from e2e_greenlight import (
    GREENLIGHT,
    IndieStudio,
    approved_by_moderator,
    eligible_voters,
    fee,
    greenlight,
    payment_refunds,
    submission,
    submitted_and_paid,
    vote_body,
)
from e2e_payments import SANDBOX, auth, events_of, scalar
from parovoz_testing.platform import wait_until
from parovoz_testing.tokens import user_token

FEE_MINOR = 500_000


def codes(answer: httpx.Response) -> list[str]:
    return [error["code"] for error in answer.json()["errors"]]


async def withdrawals_at_once(submission_id: str, owner: str) -> list[httpx.Response]:
    headers = auth(user_token(owner))
    async with httpx.AsyncClient(base_url=GREENLIGHT, timeout=30) as http:
        return list(
            await asyncio.gather(
                *(
                    http.post(f"/submissions/{submission_id}/withdraw", headers=headers)
                    for _ in range(2)
                )
            )
        )


def test_a_withdrawal_after_the_fee_is_paid_refunds_it_once() -> None:
    studio = IndieStudio()
    studio.activate()
    submission_id = submitted_and_paid(studio)
    paid = fee(submission_id, studio.owner)
    assert (paid["status"], paid["refund_id"]) == ("paid", None)
    payment_id = paid["payment_id"]
    assert payment_refunds(payment_id, studio.token) == []

    answers = asyncio.run(withdrawals_at_once(submission_id, studio.owner))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses[0] == 200, [answer.text for answer in answers]
    loser = next(answer for answer in answers if answer.status_code != 200)
    assert loser.status_code in (409, 422), loser.text
    assert codes(loser)[0] in ("SUBMISSION_CHANGED_CONCURRENTLY", "SUBMISSION_STATUS_CONFLICT")
    assert submission(submission_id, studio.owner)["status"] == "withdrawn"
    again = greenlight("POST", f"/submissions/{submission_id}/withdraw", studio.owner)
    assert again.status_code == 422, again.text
    assert codes(again) == ["SUBMISSION_STATUS_CONFLICT"]

    # payment refunded the whole fee, once; greenlight's consumer saw payment's refund event.
    refunded = wait_until(
        lambda: (f := fee(submission_id, studio.owner))["status"] == "refunded" and f, timeout=30
    )
    assert refunded, fee(submission_id, studio.owner)
    [refund] = payment_refunds(payment_id, studio.token)
    assert refund["status"] == "succeeded"
    assert refund["reason"].lower() == "submission_withdrawn"
    assert refund["amount"]["amount_minor"] == FEE_MINOR
    assert refund["amount"]["currency"] == "RUB"
    assert refunded["refund_id"] is not None
    kinds = [kind for kind, _ in events_of(payment_id)]
    assert kinds.count("payment.refund.succeeded.v1") == 1

    # At the sandbox, the card payment is refunded in full: nothing left to refund.
    provider_id = scalar("SELECT provider_payment_id FROM payments WHERE id = %s", payment_id)
    at_sandbox = httpx.get(f"{SANDBOX}/payments/yookassa/{provider_id}")
    assert at_sandbox.status_code == 200, at_sandbox.text
    assert at_sandbox.json()["provider_object"]["refundable"] is False


def test_a_user_suspended_from_voting_cannot_vote() -> None:
    studio = IndieStudio()
    studio.activate()
    submission_id = submitted_and_paid(studio)
    moderator = approved_by_moderator(submission_id)
    assert submission(submission_id, studio.owner)["status"] == "active_voting"
    honest, penalized = asyncio.run(eligible_voters(2))
    votes = f"/submissions/{submission_id}/votes"

    # Eligible until the penalty.
    before = greenlight("GET", "/eligibility", penalized)
    assert before.status_code == 200, before.text
    assert before.json()["data"]["attributes"]["eligible"] is True

    penalty = {
        "data": {
            "type": "penalty",
            "attributes": {
                "user_id": penalized,
                "type": "voting_suspension",
                "reason": "Голоса за ключи в обмен",
                "submission_id": submission_id,
                "duration_days": 7,
            },
        }
    }
    by_a_voter = greenlight("POST", "/penalties", honest, json=penalty)
    assert by_a_voter.status_code == 403, by_a_voter.text
    issued = greenlight("POST", "/penalties", moderator, "moderator", json=penalty)
    assert issued.status_code == 201, issued.text
    mine = greenlight("GET", "/penalties/mine", penalized)
    assert mine.status_code == 200, mine.text
    assert [p["attributes"]["type"] for p in mine.json()["data"]] == ["voting_suspension"]

    refused = greenlight("POST", votes, penalized, json=vote_body("yes", played_demo=True))
    assert refused.status_code == 403, refused.text
    [error] = refused.json()["errors"]
    assert error["code"] == "VOTING_NOT_ELIGIBLE" and error["detail"]
    after = greenlight("GET", "/eligibility", penalized).json()["data"]["attributes"]
    assert after["eligible"] is False
    assert [reason["code"] for reason in after["reasons"]] == ["VOTING_SUSPENDED"]

    cast = greenlight("POST", votes, honest, json=vote_body("yes", played_demo=False))
    assert cast.status_code == 201, cast.text
    live = greenlight("GET", f"/submissions/{submission_id}/live", str(uuid.uuid4()))
    assert live.json()["data"]["attributes"]["votes"]["total"] == 1

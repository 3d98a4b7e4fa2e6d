"""Issue #15's proof through the running platform: an indie game greenlit by the community.

A new developer account (greenlight track) with a game and a verified build -> submitting the
version for review is refused (422 GREENLIGHT_APPROVAL_REQUIRED) -> a complete greenlight
submission drafted and submitted through the gateway -> the fee paid at the provider sandbox ->
payment's ``payment.payment.succeeded.v1`` reaches greenlight: ``under_moderation`` -> a
curator a moderator registered approves: ``active_voting`` -> 150 eligible voters (profiles
in the user stand-in: year-old accounts with purchases) vote through the gateway, 16 at a
time, with more than 60 % weighted yes -> the live and the provisional results show the
counts -> the window is closed and audited by greenlight's own ``results-close-windows`` job
-> final: approved -> ``greenlight.submission.approved.v1`` leaves greenlight's outbox ->
developer-portal lets the version be submitted for review.

The running services' clock cannot move (the kit's ``clock_offset_seconds`` is read at
start-up), so the 30-day window and the 24-hour audit are passed by running the job FUNCTION
in this test process, over the real greenlight database, broker and user stand-in, with
greenlight's clock moved past the window's end and then past the audit
(``e2e_greenlight.close_window_at``); the approved event it writes then leaves through the
outbox and the running service's relay, and developer-portal's running consumer takes it.

One thing is not done through a public API: developer-portal has no path yet to an ``active``
account on the greenlight track (see ``IndieStudio.activate``)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta

import httpx
import psycopg
from e2e_greenlight import (
    APPROVAL,
    IndieStudio,
    cast_votes,
    close_window_at,
    eligible_voters,
    fee,
    greenlight,
    greenlight_outbox,
    registered_curator,
    submission,
    submitted_and_paid,
    vote_body,
)
from e2e_payments import PAYMENTS, auth
from parovoz_events.greenlight import SubmissionApproved, SubmissionRejected
from parovoz_greenlight.results.service import Step
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_testing.platform import DATABASES, wait_until

RULES = GreenlightSettings(environment="test").results_rules()
VOTERS = 150
YES, NO, ABSTAIN = 100, 40, 10
PLAYED_DEMO_YES = 40  # these yes votes weigh 1.5
FEE_MINOR = 500_000


def refused_code(answer: httpx.Response) -> list[str]:
    return [error["code"] for error in answer.json()["errors"]]


def decisions(submission_id: str) -> list[tuple[str, dict, bool]]:
    """greenlight's approved/rejected events about the submission in its outbox."""
    return [
        row
        for row in greenlight_outbox(submission_id)
        if row[0] in (SubmissionApproved.event_type, SubmissionRejected.event_type)
    ]


def results(submission_id: str) -> dict:
    answer = greenlight("GET", f"/submissions/{submission_id}/results", str(uuid.uuid4()))
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"]["attributes"])


def test_an_indie_game_greenlit_by_150_voters_may_then_be_submitted_for_review() -> None:
    studio = IndieStudio()
    studio.activate()
    version_id = studio.version_with_build()
    refused = studio.submit_for_review(version_id)
    assert refused.status_code == 422, refused.text
    assert refused_code(refused) == ["GREENLIGHT_APPROVAL_REQUIRED"]

    # Submitted, the fee paid at the sandbox: payment's event sends it to moderation.
    submission_id = submitted_and_paid(studio)
    paid_fee = fee(submission_id, studio.owner)
    assert paid_fee["status"] == "paid"
    assert paid_fee["amount"] == {"amount_minor": FEE_MINOR, "currency": "RUB"}
    payment = httpx.get(f"{PAYMENTS}/{paid_fee['payment_id']}", headers=auth(studio.token))
    assert payment.status_code == 200, payment.text
    assert payment.json()["data"]["attributes"]["status"] == "succeeded"
    assert payment.json()["data"]["attributes"]["amount"]["amount_minor"] == FEE_MINOR

    # A curator approves: one the registry does not know may not; a registered one does.
    moderation = f"/submissions/{submission_id}/moderation"
    stranger = greenlight("POST", moderation, str(uuid.uuid4()), "curator", json=APPROVAL)
    assert stranger.status_code == 403 and refused_code(stranger) == ["MODERATOR_NOT_AUTHORIZED"]
    curator = registered_curator()
    approved = greenlight("POST", moderation, curator, "curator", json=APPROVAL)
    assert approved.status_code == 201, approved.text
    voting = submission(submission_id, studio.owner)
    assert voting["status"] == "active_voting" and voting["voting_ends_at"]
    log = greenlight("GET", moderation, studio.owner)
    assert log.status_code == 200, log.text
    assert [
        (a["attributes"]["action"], a["attributes"]["actor_id"], a["attributes"]["actor_role"])
        for a in log.json()["data"]
    ] == [("APPROVE", curator, "curator")]
    # Moderation is not greenlight's approval: still refused at developer-portal.
    assert refused_code(studio.submit_for_review(version_id)) == ["GREENLIGHT_APPROVAL_REQUIRED"]

    # 150 eligible voters through the gateway, 16 at a time.
    voters = asyncio.run(eligible_voters(VOTERS))
    choices = ["yes"] * YES + ["no"] * NO + ["abstain"] * ABSTAIN
    demo = [True] * PLAYED_DEMO_YES + [False] * (VOTERS - PLAYED_DEMO_YES)
    ballots = list(zip(voters, choices, demo, strict=True))
    random.shuffle(ballots)
    answers = asyncio.run(cast_votes(submission_id, ballots))
    assert [a.status_code for a in answers] == [201] * VOTERS, next(
        a.text for a in answers if a.status_code != 201
    )
    receipts = {a.json()["data"]["attributes"]["weight_tenths"] for a in answers}
    assert receipts == {10, 15}
    again = greenlight(
        "POST",
        f"/submissions/{submission_id}/votes",
        voters[0],
        json=vote_body("no", played_demo=False),
    )
    assert again.status_code == 409 and refused_code(again) == ["DUPLICATE_VOTE"]

    yes_tenths = (YES - PLAYED_DEMO_YES) * 10 + PLAYED_DEMO_YES * 15  # weights in tenths
    no_tenths = NO * 10
    live = greenlight("GET", f"/submissions/{submission_id}/live", str(uuid.uuid4()))
    assert live.status_code == 200, live.text
    shown = live.json()["data"]["attributes"]
    assert shown["votes"] == {"yes": YES, "no": NO, "abstain": ABSTAIN, "total": VOTERS}
    assert (shown["weighted"]["yes"], shown["weighted"]["no"]) == (yes_tenths / 10, no_tenths / 10)
    provisional = results(submission_id)
    assert provisional["provisional"] is True and provisional["outcome"] is None
    assert provisional["window"]["status"] == "open"
    assert provisional["valid_votes"] == VOTERS and provisional["votes_needed"] == 0
    share = yes_tenths * 10_000 // (yes_tenths + no_tenths)
    assert share > RULES.approval_threshold_basis_points
    assert provisional["approval_basis_points"] == share
    # Each voter's own network: nothing the burst rule would call a shared /24.
    with psycopg.connect(DATABASES["greenlight"]) as connection:
        networks = connection.execute(
            "SELECT count(DISTINCT ip_prefix), count(*) FROM votes WHERE submission_id = %s",
            (submission_id,),
        ).fetchone()
    assert networks == (VOTERS, VOTERS)

    # The window closes (greenlight's job, clock moved past its end): the 24-hour audit.
    ends = datetime.fromisoformat(voting["voting_ends_at"])
    closed = asyncio.run(close_window_at(submission_id, ends + timedelta(minutes=1)))
    assert list(closed.steps.values()) == [Step.AUDIT_STARTED]
    assert submission(submission_id, studio.owner)["status"] == "voting_completed"
    audit = results(submission_id)
    assert audit["provisional"] is True and audit["window"]["status"] == "audit"
    assert decisions(submission_id) == []  # nothing announced before the audit ends

    # The audit ends: final, approved, announced once.
    final_at = ends + RULES.audit + timedelta(minutes=1)
    decided = asyncio.run(close_window_at(submission_id, final_at))
    assert list(decided.steps.values()) == [Step.APPROVED]
    assert asyncio.run(close_window_at(submission_id, final_at + timedelta(days=1))).steps == {}
    assert submission(submission_id, studio.owner)["status"] == "approved"
    final = results(submission_id)
    assert final["provisional"] is False and final["outcome"] == "approved"
    assert (final["valid_votes"], final["removed_votes"]) == (VOTERS, 0)
    assert final["window"]["status"] == "final"

    def sent_by_the_relay() -> list[tuple[str, dict, bool]]:
        rows = decisions(submission_id)
        return rows if rows and all(row[2] for row in rows) else []

    sent = wait_until(sent_by_the_relay)
    assert sent, "greenlight's relay never sent the decision"
    [(kind, payload, _)] = sent
    assert kind == "greenlight.submission.approved.v1"
    SubmissionApproved.model_validate(payload)
    assert (payload["game_id"], payload["developer_id"]) == (studio.game_id, studio.developer_id)
    assert (payload["valid_votes"], payload["removed_votes"]) == (VOTERS, 0)
    assert payload["approval_basis_points"] == share

    # A voter's receipt: counted, with the weight of a played demo.
    demo_voter = next(voter for voter, choice, demo in ballots if choice == "yes" and demo)
    receipts = greenlight("GET", "/votes/mine", demo_voter)
    assert receipts.status_code == 200, receipts.text
    [receipt] = receipts.json()["data"]
    assert receipt["attributes"]["submission_id"] == submission_id
    assert (receipt["attributes"]["counted"], receipt["attributes"]["weight"]) == (True, 1.5)

    # developer-portal took the decision: the version may now go to review.
    accepted = wait_until(
        lambda: (answer := studio.submit_for_review(version_id)).status_code == 200 and answer,
        timeout=30,
    )
    assert accepted, studio.submit_for_review(version_id).text
    assert accepted.json()["data"]["status"] == "in_review"

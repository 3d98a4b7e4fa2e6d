"""REST of voting (thin: parse -> one use case -> document): eligibility, casting, changing and
reading my vote, my receipts, live results."""

import base64
import binascii
import ipaddress
import uuid
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.errors import ValidationFailed
from parovoz_kit.http.fields import QueryInt64, Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure

from parovoz_greenlight.integrity.service import UowPenalties
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_greenlight.voting import service as use_cases
from parovoz_greenlight.voting.live import live_counters
from parovoz_greenlight.voting.repository import FINGERPRINT_COLUMN
from parovoz_greenlight.voting.rules import VotingRules
from parovoz_greenlight.voting.schemas import (
    EligibilityDocument,
    LiveDocument,
    VoteDocument,
    VoteListDocument,
    VoteResponseDocument,
    eligibility_document,
    json_response,
    live_document,
    vote_resource,
)
from parovoz_greenlight.voting.users import voters

SubmissionId = Annotated[uuid.UUID, Path(description="The submission's id (UUID).")]
Fingerprint = Annotated[str, Text(FINGERPRINT_COLUMN, min_length=1)]
Cursor = Annotated[str, Text(200, min_length=1)]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_VOTE_ERRORS: dict[int, list[str]] = {
    403: ["VOTING_NOT_ELIGIBLE"],
    404: ["SUBMISSION_NOT_FOUND"],
    422: ["VOTING_PERIOD_ENDED", "DEMO_NOT_ACCESSIBLE"],
    503: ["USER_SERVICE_UNAVAILABLE"],
}


def ip_prefix(host: str | None) -> str | None:
    """The IPv4 /24 of the client's address (``203.0.113.0/24``); None for IPv6 or none."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return None
    if not isinstance(address, ipaddress.IPv4Address):
        return None
    return str(ipaddress.ip_network(f"{address}/24", strict=False))


def encode_cursor(after: tuple[datetime, uuid.UUID]) -> str:
    micros = (after[0] - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}:{after[1]}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, vote_id = raw.split(":", 1)
        return _EPOCH + timedelta(microseconds=int(micros)), uuid.UUID(vote_id)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise ValidationFailed(
            "page[cursor] is not a cursor this service gave out.",
            code="INVALID_PAGE_CURSOR",
            parameter="page[cursor]",
        ) from None


def voting_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: VotingRules = infrastructure.settings.voting_rules()
    router = APIRouter(prefix=prefix, tags=["voting"])

    def ports(uow: Any = None) -> use_cases.VotingPorts:
        """The ports of one request; given the request's unit of work, penalties are read in
        it (its transaction, its one connection) instead of in a unit of work of their own."""
        open_uow = (
            (lambda: nullcontext(uow))
            if uow is not None
            else (lambda: greenlight_unit_of_work(infrastructure))
        )
        return use_cases.VotingPorts(
            voters=voters(infrastructure),
            penalties=UowPenalties(open_uow),
            live=live_counters(infrastructure),
        )

    @router.get(
        "/eligibility",
        response_model=EligibilityDocument,
        summary="May I vote, and if not, why not?",
        description=(
            f"Eligible: an account older than {rules.min_account_age.days} days, at least "
            f"{rules.min_purchases} purchase(s), not blocked (the user service's facts) and no "
            "greenlight penalty suspending voting. `reasons` lists every reason that fails "
            "(`USER_UNKNOWN`, `ACCOUNT_TOO_NEW` with `eligible_from`, `NO_PURCHASES`, "
            "`ACCOUNT_BLOCKED`, `VOTING_SUSPENDED` with `suspended_until`, or "
            "`suspended_permanently` for a permanent ban); `rules` the numbers. The user "
            "service's facts are kept up to "
            f"{int(rules.voter_facts_ttl.total_seconds())} s (a block counts within that "
            "time); greenlight's own penalties count at once."
        ),
        responses=error_responses({503: ["USER_SERVICE_UNAVAILABLE"]}),
    )
    async def get_eligibility(user_id: CurrentUserId) -> Response:
        now = infrastructure.clock.now()
        answer = await use_cases.check_eligibility(ports(), user_id, now, rules)
        return json_response(eligibility_document(user_id, answer, rules))

    @router.post(
        "/submissions/{submission_id:uuid}/votes",
        status_code=201,
        response_model=VoteResponseDocument,
        summary="Vote on a submission in voting",
        description=(
            "YES / NO / ABSTAIN with the five category scores (1-5), while the submission's "
            "window is open (else 422 `VOTING_PERIOD_ENDED`). The caller must be eligible "
            "(403 `VOTING_NOT_ELIGIBLE`, the reasons in the detail; see `GET /eligibility`). "
            "One vote per user per submission and window: another is 409 `DUPLICATE_VOTE` "
            "(change it with `PUT …/votes/mine`). Weight 1.0, 1.5 when `played_demo` (a "
            "submission without a demo link: 422 `DEMO_NOT_ACCESSIBLE`). At most "
            f"{rules.rate_limit_votes} new votes a user within "
            f"{int(rules.rate_period.total_seconds() // 60)} minutes: beyond, 429 "
            "`SUSPICIOUS_VOTING_DETECTED` with `Retry-After` (changing a vote does not count). "
            "`X-Device-Fingerprint` (optional) and the client's IPv4 /24 are kept for the "
            "manipulation checks."
        ),
        responses=error_responses(
            {**_VOTE_ERRORS, 409: ["DUPLICATE_VOTE"], 429: ["SUSPICIOUS_VOTING_DETECTED"]}
        ),
    )
    async def cast_vote(
        submission_id: SubmissionId,
        body: VoteDocument,
        request: Request,
        user_id: CurrentUserId,
        device_fingerprint: Annotated[
            Fingerprint | None,
            Header(alias="X-Device-Fingerprint", description="The voter's device fingerprint."),
        ] = None,
    ) -> Response:
        ballot = body.data.attributes.ballot()
        now = infrastructure.clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            vote = await use_cases.cast_vote(
                uow,
                ports(uow),
                submission_id=submission_id,
                user_id=user_id,
                ballot=ballot,
                now=now,
                rules=rules,
                device_fingerprint=device_fingerprint,
                ip_prefix=ip_prefix(request.client.host if request.client else None),
            )
        document = VoteResponseDocument(data=vote_resource(vote, prefix))
        return json_response(document, 201, Location=document.data.links["self"])

    @router.put(
        "/submissions/{submission_id:uuid}/votes/mine",
        response_model=VoteResponseDocument,
        summary="Change my vote while the window is open",
        description=(
            "The whole vote again (choice, scores, comment, demo, recommendation); the live "
            "results follow. Only while the window is open (422 `VOTING_PERIOD_ENDED`) and "
            "while eligible; without a vote in this window 404 `VOTE_NOT_FOUND`."
        ),
        responses=error_responses(
            {**_VOTE_ERRORS, 404: ["SUBMISSION_NOT_FOUND", "VOTE_NOT_FOUND"]}
        ),
    )
    async def change_vote(
        submission_id: SubmissionId, body: VoteDocument, user_id: CurrentUserId
    ) -> Response:
        ballot = body.data.attributes.ballot()
        now = infrastructure.clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            vote = await use_cases.change_vote(
                uow,
                ports(uow),
                submission_id=submission_id,
                user_id=user_id,
                ballot=ballot,
                now=now,
                rules=rules,
            )
        return json_response(VoteResponseDocument(data=vote_resource(vote, prefix)))

    @router.get(
        "/submissions/{submission_id:uuid}/votes/mine",
        response_model=VoteResponseDocument,
        summary="My vote on a submission, with its receipt",
        description="Its latest window's; none: 404 `VOTE_NOT_FOUND`.",
        responses=error_responses({404: ["VOTE_NOT_FOUND"]}),
    )
    async def get_my_vote(submission_id: SubmissionId, user_id: CurrentUserId) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            vote = await use_cases.my_vote(uow, submission_id, user_id)
        return json_response(VoteResponseDocument(data=vote_resource(vote, prefix)))

    @router.get(
        "/votes/mine",
        response_model=VoteListDocument,
        summary="My votes, newest first: receipts (counted or not, with what weight and why)",
        description=(
            "Every vote of the caller, counted or not: `weight` 1.0, 1.5 (played the demo) or "
            "0 (flagged invalid, with `flagged_reason`), `why` in words. Pages: `page[size]` "
            f"(1-{rules.max_page_size}, default {rules.default_page_size}); `links.next`."
        ),
        responses=error_responses({400: ["INVALID_PAGE_CURSOR"]}),
    )
    async def my_receipts(
        user_id: CurrentUserId,
        page_size: Annotated[
            QueryInt64,
            Query(alias="page[size]", ge=1, le=rules.max_page_size, description="Votes a page."),
        ] = rules.default_page_size,
        cursor: Annotated[
            Cursor | None,
            Query(alias="page[cursor]", description="`links.next` of the previous page has it."),
        ] = None,
    ) -> Response:
        after = decode_cursor(cursor) if cursor is not None else None
        async with greenlight_unit_of_work(infrastructure) as uow:
            page = await use_cases.receipts(uow, user_id, after, page_size)
        base = f"{prefix}/votes/mine?page%5Bsize%5D={page_size}"
        next_link = None
        if page.next_after is not None:
            next_link = f"{base}&page%5Bcursor%5D={encode_cursor(page.next_after)}"
        document = VoteListDocument(
            data=[vote_resource(vote, prefix) for vote in page.votes],
            links={"self": base, "next": next_link},
        )
        return json_response(document)

    @router.get(
        "/submissions/{submission_id:uuid}/live",
        response_model=LiveDocument,
        summary="Live results of a submission's voting",
        description=(
            "Yes / no / abstain counts, weighted sums (weights 1.0 / 1.5 / 0), the weighted "
            "yes share and category averages of the open window (else the latest one). Not "
            "final: the audit after the window may still remove votes (`GET …/results`)."
        ),
        responses=error_responses({404: ["SUBMISSION_NOT_FOUND"]}),
    )
    async def get_live(submission_id: SubmissionId) -> Response:
        now = infrastructure.clock.now()
        async with greenlight_unit_of_work(infrastructure) as uow:
            live = await use_cases.live_results(uow, ports(), submission_id, now)
        return json_response(live_document(live))

    return router

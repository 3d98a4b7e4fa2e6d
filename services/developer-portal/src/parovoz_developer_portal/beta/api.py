"""REST of beta tests, the team's side (thin: parse -> one use case -> document):
`/games/{game_id}/beta-tests`. The players' side is ``player_api``; both are ``beta_router``."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request, Response
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.http.paging import PageRequest, page_query
from parovoz_kit.idempotency import IdempotencyKey, OptionalIdempotencyKey, run_idempotent
from parovoz_kit.idempotency.rest import run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_developer_portal.beta import service as use_cases
from parovoz_developer_portal.beta.domain import BetaChanges, BetaTest
from parovoz_developer_portal.beta.player_api import player_routes
from parovoz_developer_portal.beta.schemas import (
    BetaAttributes,
    BetaChangeDocument,
    BetaCreationDocument,
    BetaList,
    CodeAttributes,
    CodeCreationDocument,
    CodeList,
    FeedbackList,
    PageLinks,
    ParticipantList,
    ParticipantsMeta,
    beta_resource,
    code_resource,
    feedback_item,
    participant_item,
    rating_meta,
)
from parovoz_developer_portal.fields import GameId
from parovoz_developer_portal.schemas import Document, created
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

BetaId = Annotated[uuid.UUID, Path(description="The beta test's id (UUID).")]
CodeId = Annotated[uuid.UUID, Path(description="The invite code's id (UUID).")]

READ_ERRORS: dict[int, list[str]] = {404: ["RESOURCE_NOT_FOUND"]}
WRITE_ERRORS: dict[int, list[str]] = {403: ["TEAM_ROLE_FORBIDS"], 404: ["RESOURCE_NOT_FOUND"]}
FINAL = ["BETA_ENDED", "BETA_CANCELLED"]


def _json(document: object, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(),  # type: ignore[attr-defined]
        status_code=status_code,
        media_type="application/json",
    )


def beta_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).beta_rules()
    clock = infrastructure.clock
    router = APIRouter(tags=["beta tests"])
    team = APIRouter(prefix=f"{prefix}/games/{{game_id}}/beta-tests", tags=["beta tests"])
    page_query_rows = page_query("Rows", rules.default_page_size, rules.max_page_size)

    def _doc(test: BetaTest) -> Document[BetaAttributes]:
        return Document(data=beta_resource(test, clock.now(), prefix))

    @team.post(
        "",
        status_code=201,
        response_model=Document[BetaAttributes],
        summary="Create a closed beta test of a version (editor rights; Idempotency-Key)",
        description=(
            "Owner, admin or editor (403 `TEAM_ROLE_FORBIDS`). The test starts as a `draft`: "
            "make invite codes, then open it. The version must be this game's (404) with its "
            "builds verified (422 `BETA_VERSION_NOT_READY`); `ends_at` after `starts_at` "
            "(`BETA_DATES_INVALID`), in the future (`BETA_END_IN_PAST`), at most "
            f"{rules.max_duration.days} days after it (`BETA_TOO_LONG`); the cap 1 to "
            f"{rules.max_participants} (`BETA_CAP_OUT_OF_RANGE`; that maximum when left out). "
            "`Idempotency-Key` is required: a retry gets the first answer."
        ),
        responses=error_responses(
            {
                **WRITE_ERRORS,
                422: [
                    "BETA_VERSION_NOT_READY",
                    "BETA_DATES_INVALID",
                    "BETA_END_IN_PAST",
                    "BETA_TOO_LONG",
                    "BETA_CAP_OUT_OF_RANGE",
                ],
            }
        ),
    )
    async def create_beta_test(
        game_id: GameId,
        body: BetaCreationDocument,
        request: Request,
        # Before the member: a request without its key is 400 whoever sends it.
        idempotency_key: IdempotencyKey,
        actor: CurrentMember,
    ) -> Response:
        attributes = body.data.attributes
        new = use_cases.NewBetaTest(
            version_id=attributes.version_id,
            title=attributes.title,
            description=attributes.description,
            max_participants=attributes.max_participants,
            starts_at=attributes.starts_at,
            ends_at=attributes.ends_at,
        )

        async def create(_: object) -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                test = await use_cases.create_beta_test(
                    uow, actor, game_id, new, rules, clock.now()
                )
            return created(_doc(test))

        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=create,
            success_status=201,
        )

    @team.get(
        "",
        response_model=BetaList,
        summary="The game's beta tests, newest first (any member)",
        description="Every test of the game, whatever its status. Another account's game is 404.",
        responses=error_responses(READ_ERRORS),
    )
    async def list_beta_tests(game_id: GameId, actor: CurrentMember) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            tests = await use_cases.beta_tests_of_game(uow, actor, game_id)
        now = clock.now()
        return _json(BetaList(data=[beta_resource(test, now, prefix) for test in tests]))

    @team.get(
        "/{beta_id}",
        response_model=Document[BetaAttributes],
        summary="One beta test (any member); its status read from the clock",
        description=(
            "An open test whose `ends_at` passed answers `ended`. Another game's test, or "
            "another account's game, is 404 `RESOURCE_NOT_FOUND`."
        ),
        responses=error_responses(READ_ERRORS),
    )
    async def get_beta_test(game_id: GameId, beta_id: BetaId, actor: CurrentMember) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            test = await use_cases.beta_test(uow, actor, game_id, beta_id)
        return _json(_doc(test))

    @team.patch(
        "/{beta_id}",
        response_model=Document[BetaAttributes],
        summary="Change a beta test (editor rights)",
        description=(
            "Any field of a draft. An open test: title, description, the cap (never below its "
            "participants: `BETA_CAP_BELOW_PARTICIPANTS`) and `ends_at`; `starts_at` is "
            "`BETA_STARTS_AT_FIXED`. An ended or cancelled test is final (`BETA_ENDED`, "
            "`BETA_CANCELLED`)."
        ),
        responses=error_responses(
            {
                **WRITE_ERRORS,
                422: [
                    *FINAL,
                    "BETA_STARTS_AT_FIXED",
                    "BETA_DATES_INVALID",
                    "BETA_END_IN_PAST",
                    "BETA_TOO_LONG",
                    "BETA_CAP_OUT_OF_RANGE",
                    "BETA_CAP_BELOW_PARTICIPANTS",
                ],
            }
        ),
    )
    async def change_beta_test(
        game_id: GameId, beta_id: BetaId, body: BetaChangeDocument, actor: CurrentMember
    ) -> Response:
        fields = body.data.attributes
        changes = BetaChanges(
            title=fields.title,
            description=fields.description,
            max_participants=fields.max_participants,
            starts_at=fields.starts_at,
            ends_at=fields.ends_at,
        )
        async with portal_unit_of_work(infrastructure) as uow:
            test = await use_cases.change_beta(
                uow, actor, game_id, beta_id, changes, rules, clock.now()
            )
        return _json(_doc(test))

    def move_route(move: use_cases.MoveUseCase) -> Callable[..., Awaitable[Response]]:
        async def move_beta_test(
            game_id: GameId, beta_id: BetaId, actor: CurrentMember
        ) -> Response:
            async with portal_unit_of_work(infrastructure) as uow:
                test = await move(uow, actor, game_id, beta_id, clock.now())
            return _json(_doc(test))

        return move_beta_test

    moves = {
        "open": (use_cases.open_beta, "Open the test: players join with a code from starts_at"),
        "end": (use_cases.end_beta, "End an open test now (it also ends by itself at ends_at)"),
        "cancel": (use_cases.cancel_beta, "Call off a draft or open test"),
    }
    for name, (move, summary) in moves.items():
        team.add_api_route(
            f"/{{beta_id}}/{name}",
            move_route(move),
            methods=["POST"],
            response_model=Document[BetaAttributes],
            summary=f"{summary} (editor rights)",
            description=(
                "draft → open → ended; draft or open → cancelled. Another move is 422 "
                "`BETA_STATE_CONFLICT`; a test past its ends_at is `BETA_ENDED` (a draft "
                "past it: `BETA_END_IN_PAST`, set new dates first)."
            ),
            responses=error_responses(
                {**WRITE_ERRORS, 422: ["BETA_STATE_CONFLICT", "BETA_ENDED", "BETA_END_IN_PAST"]}
            ),
            name=f"{name}_beta_test",
        )

    @team.post(
        "/{beta_id}/codes",
        status_code=201,
        response_model=Document[CodeAttributes],
        summary="Make an invite code of the test (editor rights)",
        description=(
            "A random url-safe code, kept and shown to the team (they share it). Optional "
            "`max_uses` and `expires_at`. At most "
            f"{rules.max_active_codes} active codes a test (`BETA_CODE_LIMIT_REACHED`); not "
            "for an ended or cancelled test. `Idempotency-Key` optional."
        ),
        responses=error_responses(
            {
                **WRITE_ERRORS,
                422: [*FINAL, "BETA_CODE_LIMIT_REACHED", "BETA_CODE_EXPIRY_IN_PAST"],
            }
        ),
    )
    async def create_code(
        game_id: GameId,
        beta_id: BetaId,
        body: CodeCreationDocument,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        limits = body.data.attributes

        async def make() -> Response:
            now = clock.now()
            async with portal_unit_of_work(infrastructure) as uow:
                code = await use_cases.create_code(
                    uow, actor, game_id, beta_id, limits.max_uses, limits.expires_at, rules, now
                )
            return created(Document(data=code_resource(code, game_id, now, prefix)))

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=make,
            success_status=201,
        )

    @team.get(
        "/{beta_id}/codes",
        response_model=CodeList,
        summary="The test's invite codes, in full (any member)",
        description=(
            "Every code of the test, newest first, with its status (`active`, `used_up`, "
            "`expired`, `revoked`) and its uses: the team shares them with players."
        ),
        responses=error_responses(READ_ERRORS),
    )
    async def list_codes(game_id: GameId, beta_id: BetaId, actor: CurrentMember) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            codes = await use_cases.codes_of_beta(uow, actor, game_id, beta_id)
        now = clock.now()
        return _json(CodeList(data=[code_resource(c, game_id, now, prefix) for c in codes]))

    @team.post(
        "/{beta_id}/codes/{code_id}/revoke",
        response_model=Document[CodeAttributes],
        summary="Revoke an invite code (editor rights): it admits nobody from now on",
        description="Players already in stay. Revoking again changes nothing.",
        responses=error_responses(WRITE_ERRORS),
    )
    async def revoke_code(
        game_id: GameId, beta_id: BetaId, code_id: CodeId, actor: CurrentMember
    ) -> Response:
        now = clock.now()
        async with portal_unit_of_work(infrastructure) as uow:
            code = await use_cases.revoke_code(uow, actor, game_id, beta_id, code_id, now)
        return _json(Document(data=code_resource(code, game_id, now, prefix)))

    def _links(url: str, size: int, next_cursor: str | None) -> PageLinks:
        query = {"page[size]": str(size)}
        following = None
        if next_cursor is not None:
            following = f"{url}?{urlencode({**query, 'page[cursor]': next_cursor})}"
        return PageLinks(self=f"{url}?{urlencode(query)}", next=following)

    @team.get(
        "/{beta_id}/participants",
        response_model=ParticipantList,
        summary="The test's participants, first joined first, a page at a time (any member)",
        description="`links.next` is the next page; a made-up cursor is 400.",
        responses=error_responses({**READ_ERRORS, 400: ["INVALID_PAGE_CURSOR"]}),
    )
    async def list_participants(
        game_id: GameId,
        beta_id: BetaId,
        actor: CurrentMember,
        paging: Annotated[PageRequest, Depends(page_query_rows)],
    ) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            test, page = await use_cases.participants_of_beta(
                uow, actor, game_id, beta_id, paging.cursor, paging.size
            )
        url = f"{prefix}/games/{game_id}/beta-tests/{beta_id}/participants"
        return _json(
            ParticipantList(
                data=[participant_item(item) for item in page.items],
                meta=ParticipantsMeta(
                    participants=test.participant_count, max_participants=test.max_participants
                ),
                links=_links(url, paging.size, page.next_cursor),
            )
        )

    @team.get(
        "/{beta_id}/feedback",
        response_model=FeedbackList,
        summary="The testers' feedback and the exact average rating (any member)",
        description=(
            "`meta` holds the count and sum of the ratings and their mean in hundredths "
            "(an integer) and as text with two decimals — no floating point."
        ),
        responses=error_responses({**READ_ERRORS, 400: ["INVALID_PAGE_CURSOR"]}),
    )
    async def list_feedback(
        game_id: GameId,
        beta_id: BetaId,
        actor: CurrentMember,
        paging: Annotated[PageRequest, Depends(page_query_rows)],
    ) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            page = await use_cases.feedback_of_beta(
                uow, actor, game_id, beta_id, paging.cursor, paging.size
            )
        url = f"{prefix}/games/{game_id}/beta-tests/{beta_id}/feedback"
        return _json(
            FeedbackList(
                data=[feedback_item(item) for item in page.items],
                meta=rating_meta(page.summary),
                links=_links(url, paging.size, page.next_cursor),
            )
        )

    router.include_router(team)
    router.include_router(player_routes(infrastructure))
    return router

"""REST of beta tests, the players' side: `/beta/...` for any signed-in user (a team member or
not). A closed test a player is not in is answered like an unknown one (404
``BETA_NOT_PARTICIPANT``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, Field

from parovoz_developer_portal.beta import service as use_cases
from parovoz_developer_portal.beta.domain import BetaTest, Feedback, Participation
from parovoz_developer_portal.beta.schemas import FeedbackDocument, JoinDocument
from parovoz_developer_portal.schemas import Document, Resource
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

BetaId = Annotated[uuid.UUID, Path(description="The beta test's id (UUID).")]
RUNNING = ["BETA_NOT_OPEN", "BETA_NOT_STARTED", "BETA_ENDED"]


class MyFeedback(BaseModel):
    rating: int = Field(description="1 to 5.")
    text: str = Field(description="What I wrote.")
    updated_at: datetime = Field(description="When I last changed it.")


class ParticipationAttributes(BaseModel):
    game_id: uuid.UUID = Field(description="The game tested.")
    version_id: uuid.UUID = Field(description="The version tested.")
    title: str = Field(description="The test's title.")
    description: str = Field(description="What testers should look at.")
    status: str = Field(description="`open`, `ended` or `cancelled` (`draft` never shows).")
    starts_at: datetime = Field(description="From when it runs.")
    ends_at: datetime = Field(description="When it ends.")
    joined_at: datetime = Field(description="When I joined.")
    my_feedback: MyFeedback | None = Field(description="My feedback; null: none yet.")


class ParticipationList(BaseModel):
    data: list[Resource[ParticipationAttributes]] = Field(
        description="The tests I am in, last joined first."
    )


class FeedbackAttributes(BaseModel):
    rating: int = Field(description="1 to 5.")
    text: str = Field(description="What I wrote.")
    created_at: datetime = Field(description="When I first gave it.")
    updated_at: datetime = Field(description="When I last changed it.")


def _participation(
    test: BetaTest, participation: Participation, feedback: Feedback | None, now: datetime
) -> Resource[ParticipationAttributes]:
    mine = None
    if feedback is not None:
        mine = MyFeedback(
            rating=feedback.rating, text=feedback.text, updated_at=feedback.updated_at
        )
    return Resource(
        type="betaParticipation",
        id=test.id,
        attributes=ParticipationAttributes(
            game_id=test.game_id,
            version_id=test.version_id,
            title=test.title,
            description=test.description,
            status=test.status_at(now).value,
            starts_at=test.starts_at,
            ends_at=test.ends_at,
            joined_at=participation.joined_at,
            my_feedback=mine,
        ),
        links={"self": "/beta/mine"},
    )


def _json(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def player_routes(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    clock = infrastructure.clock
    router = APIRouter(prefix=f"{prefix}/beta", tags=["beta tests"])

    def _resource(
        test: BetaTest, participation: Participation, feedback: Feedback | None
    ) -> Resource[ParticipationAttributes]:
        resource = _participation(test, participation, feedback, clock.now())
        resource.links = {"self": f"{prefix}/beta/mine", "leave": f"{prefix}/beta/{test.id}/leave"}
        return resource

    @router.post(
        "/join",
        status_code=201,
        response_model=Document[ParticipationAttributes],
        summary="Join a closed beta test with an invite code (any signed-in user)",
        description=(
            "201 when I join; 200 when I was in already (nothing changes, no use of the code). "
            "Refused with 422: an unknown or revoked code `BETA_CODE_INVALID`, an expired one "
            "`BETA_CODE_EXPIRED`, one used as often as it allows `BETA_CODE_USED_UP`, a test "
            "not open `BETA_NOT_OPEN`, not started `BETA_NOT_STARTED`, ended `BETA_ENDED`, "
            "or at its cap `BETA_FULL` (the cap holds with many joins at once)."
        ),
        responses=error_responses(
            {
                422: [
                    "BETA_CODE_INVALID",
                    "BETA_CODE_EXPIRED",
                    "BETA_CODE_USED_UP",
                    "BETA_FULL",
                    *RUNNING,
                ]
            }
        ),
    )
    async def join_beta(body: JoinDocument, user_id: CurrentUserId) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            joined = await use_cases.join_beta(uow, user_id, body.data.attributes.code, clock.now())
        document = Document(data=_resource(joined.test, joined.participation, joined.feedback))
        return _json(document, 201 if joined.new else 200)

    @router.post(
        "/{beta_id}/leave",
        status_code=204,
        summary="Leave a beta test I am in (my place is freed; my feedback stays)",
        description=(
            "While the test runs; joining again later takes a code use and a place again. "
            "Not in the test: 404 `BETA_NOT_PARTICIPANT`."
        ),
        responses=error_responses({404: ["BETA_NOT_PARTICIPANT"], 422: RUNNING}),
    )
    async def leave_beta(beta_id: BetaId, user_id: CurrentUserId) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            await use_cases.leave_beta(uow, user_id, beta_id, clock.now())
        return Response(status_code=204)

    @router.get(
        "/mine",
        response_model=ParticipationList,
        summary="The beta tests I am in, with my feedback (any signed-in user)",
        description="Tests I joined and did not leave, last joined first, ended ones too.",
        responses=error_responses({}),
    )
    async def my_beta_tests(user_id: CurrentUserId) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            found = await use_cases.my_beta_tests(uow, user_id)
        return _json(ParticipationList(data=[_resource(*row) for row in found]))

    @router.post(
        "/{beta_id}/feedback",
        status_code=201,
        response_model=Document[FeedbackAttributes],
        summary="Give (or change) my feedback: a rating 1-5 and a text",
        description=(
            "Participants only (404 `BETA_NOT_PARTICIPANT` otherwise); one feedback each: "
            "sending again replaces it (200) while the test is open, 201 the first time. "
            "After the end: 422 `BETA_ENDED`."
        ),
        responses=error_responses({404: ["BETA_NOT_PARTICIPANT"], 422: RUNNING}),
    )
    async def give_feedback(
        beta_id: BetaId, body: FeedbackDocument, user_id: CurrentUserId
    ) -> Response:
        attributes = body.data.attributes
        async with portal_unit_of_work(infrastructure) as uow:
            feedback, first = await use_cases.send_feedback(
                uow, user_id, beta_id, attributes.rating, attributes.text, clock.now()
            )
        document = Document(
            data=Resource(
                type="betaFeedback",
                id=beta_id,
                attributes=FeedbackAttributes(
                    rating=feedback.rating,
                    text=feedback.text,
                    created_at=feedback.created_at,
                    updated_at=feedback.updated_at,
                ),
                links={"self": f"{prefix}/beta/mine"},
            )
        )
        return _json(document, 201 if first else 200)

    return router

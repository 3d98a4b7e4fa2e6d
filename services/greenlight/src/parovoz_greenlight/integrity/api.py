"""REST of integrity's penalties (thin: parse -> one use case -> document)."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from parovoz_kit.auth import CurrentPrincipal
from parovoz_kit.auth.dependencies import current_user_id
from parovoz_kit.http.fields import RequestModel, Text
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field, Strict

from parovoz_greenlight.integrity import service as use_cases
from parovoz_greenlight.integrity.penalties import (
    APPEAL_LIMIT,
    REASON_LIMIT,
    AppealDecision,
    Penalty,
    PenaltyRules,
    PenaltyType,
)
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work

PenaltyId = Annotated[uuid.UUID, Path(description="The penalty's id (UUID).")]

_ISSUE_EXAMPLE: dict[str, Any] = {
    "data": {
        "type": "penalty",
        "attributes": {
            "user_id": "7d1f6a52-3a0e-4f55-9d2e-1c3b8e0f4a21",
            "type": "voting_suspension",
            "reason": "Накрутка голосов: 24 голоса за 10 минут",
            "submission_id": "0b9f3c7e-5a41-4d8e-9f1a-2c3d4e5f6a7b",
            "duration_days": 7,
        },
    }
}
_APPEAL_EXAMPLE: dict[str, Any] = {
    "data": {"type": "penalty-appeal", "attributes": {"text": "Я голосовал честно."}}
}
_DECISION_EXAMPLE: dict[str, Any] = {
    "data": {"type": "penalty-appeal-decision", "attributes": {"decision": "revoked"}}
}


# --- requests ---------------------------------------------------------------------------------
class IssueAttributes(RequestModel):
    user_id: uuid.UUID = Field(description="The user to penalize.")
    type: PenaltyType = Field(
        description="`warning`, `voting_suspension`, `account_suspension` or `permanent_ban`."
    )
    reason: Annotated[str, Text(REASON_LIMIT, min_length=1)] = Field(description="Why.")
    submission_id: uuid.UUID | None = Field(
        default=None, description="The submission the manipulation targeted, if one did."
    )
    duration_days: Annotated[int, Strict()] | None = Field(
        default=None,
        description="voting_suspension: 7 or 30; account_suspension: required (1 to the "
        "longest); none for a warning or a ban.",
    )


class IssueData(RequestModel):
    type: Literal["penalty"] = Field(description="Always `penalty`.")
    attributes: IssueAttributes = Field(description="The penalty.")


class IssueDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ISSUE_EXAMPLE]})

    data: IssueData = Field(description="The penalty to issue.")


class AppealAttributes(RequestModel):
    text: Annotated[str, Text(APPEAL_LIMIT, min_length=1)] = Field(description="Why it is wrong.")


class AppealData(RequestModel):
    type: Literal["penalty-appeal"] = Field(description="Always `penalty-appeal`.")
    attributes: AppealAttributes = Field(description="The appeal.")


class AppealDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_APPEAL_EXAMPLE]})

    data: AppealData = Field(description="The appeal.")


class DecisionAttributes(RequestModel):
    decision: AppealDecision = Field(description="`upheld` or `revoked`.")


class DecisionData(RequestModel):
    type: Literal["penalty-appeal-decision"] = Field(
        description="Always `penalty-appeal-decision`."
    )
    attributes: DecisionAttributes = Field(description="The decision.")


class DecisionDocument(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_DECISION_EXAMPLE]})

    data: DecisionData = Field(description="The decision.")


# --- responses --------------------------------------------------------------------------------
class PenaltyAttributes(BaseModel):
    user_id: uuid.UUID
    type: PenaltyType
    reason: str
    submission_id: uuid.UUID | None
    issued_by: uuid.UUID = Field(
        description="Who issued it; the nil UUID when the audit of a voting window did."
    )
    automatic: bool = Field(description="Issued by the audit of a voting window (`window_id`).")
    window_id: uuid.UUID | None = Field(
        description="The voting window whose audit issued it; null when a person did."
    )
    starts_at: datetime
    ends_at: datetime | None = Field(description="null: a warning or a permanent ban.")
    revoked_at: datetime | None
    appealed_at: datetime | None
    appeal_text: str | None
    appeal_decision: AppealDecision | None
    appeal_decided_at: datetime | None
    in_force: bool


class PenaltyResource(BaseModel):
    type: Literal["penalty"] = "penalty"
    id: uuid.UUID
    attributes: PenaltyAttributes


class PenaltyResponseDocument(BaseModel):
    data: PenaltyResource


class PenaltyListDocument(BaseModel):
    data: list[PenaltyResource]


def _resource(penalty: Penalty, now: datetime) -> PenaltyResource:
    return PenaltyResource(
        id=penalty.id,
        attributes=PenaltyAttributes(
            user_id=penalty.user_id,
            type=penalty.type,
            reason=penalty.reason,
            submission_id=penalty.submission_id,
            issued_by=penalty.issued_by,
            automatic=penalty.automatic,
            window_id=penalty.window_id,
            starts_at=penalty.starts_at,
            ends_at=penalty.ends_at,
            revoked_at=penalty.revoked_at,
            appealed_at=penalty.appealed_at,
            appeal_text=penalty.appeal_text,
            appeal_decision=penalty.appeal_decision,
            appeal_decided_at=penalty.appeal_decided_at,
            in_force=penalty.in_force(now),
        ),
    )


def _json(document: BaseModel, status_code: int = 200) -> Response:
    return Response(
        document.model_dump_json(), status_code=status_code, media_type="application/json"
    )


_STAFF = {403: ["PENALTY_NOT_AUTHORIZED"]}
_ONE = {404: ["PENALTY_NOT_FOUND"]}


def integrity_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: PenaltyRules = infrastructure.settings.penalty_rules()
    clock = infrastructure.clock
    router = APIRouter(prefix=prefix, tags=["integrity"])

    def one(penalty: Penalty, status_code: int = 200) -> Response:
        return _json(PenaltyResponseDocument(data=_resource(penalty, clock.now())), status_code)

    @router.post(
        "/penalties",
        status_code=201,
        response_model=PenaltyResponseDocument,
        summary="Penalize a user (moderator or admin)",
        description=(
            "`voting_suspension` lasts 7 or 30 days (`duration_days`), `account_suspension` "
            "needs `duration_days`; a `warning` and a `permanent_ban` have none. Voting and "
            "account suspensions and bans keep the user from voting while in force. "
            "`account_suspension` and `permanent_ban` emit `greenlight.user.penalized.v1`."
        ),
        responses=error_responses(_STAFF),
    )
    async def issue(body: IssueDocument, principal: CurrentPrincipal) -> Response:
        attributes = body.data.attributes
        async with greenlight_unit_of_work(infrastructure) as uow:
            penalty = await use_cases.issue_penalty(
                uow,
                issued_by=current_user_id(principal),
                roles=principal.roles,
                user_id=attributes.user_id,
                type_=attributes.type,
                reason=attributes.reason,
                submission_id=attributes.submission_id,
                duration_days=attributes.duration_days,
                now=clock.now(),
                rules=rules,
            )
        return one(penalty, 201)

    @router.get(
        "/penalties/mine",
        response_model=PenaltyListDocument,
        summary="My penalties",
        description="The caller's penalties, newest first, with whether each is in force.",
        responses=error_responses({}),
    )
    async def mine(principal: CurrentPrincipal) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            found = await use_cases.my_penalties(uow, current_user_id(principal))
        now = clock.now()
        return _json(PenaltyListDocument(data=[_resource(p, now) for p in found]))

    @router.get(
        "/penalties",
        response_model=PenaltyListDocument,
        summary="A user's penalties (staff)",
        description="Platform roles `moderator`, `admin`, `support` or `curator`.",
        responses=error_responses(_STAFF),
    )
    async def of_user(
        principal: CurrentPrincipal,
        user_id: Annotated[uuid.UUID, Query(description="The user whose penalties to list.")],
    ) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            found = await use_cases.penalties_of(uow, user_id=user_id, roles=principal.roles)
        now = clock.now()
        return _json(PenaltyListDocument(data=[_resource(p, now) for p in found]))

    @router.post(
        "/penalties/{penalty_id:uuid}/revoke",
        response_model=PenaltyResponseDocument,
        summary="Revoke a penalty (admin)",
        description="Platform role `admin`. A revoked penalty is no longer in force.",
        responses=error_responses({**_STAFF, **_ONE, 422: ["PENALTY_ALREADY_REVOKED"]}),
    )
    async def revoke(penalty_id: PenaltyId, principal: CurrentPrincipal) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            penalty = await use_cases.revoke_penalty(
                uow,
                penalty_id=penalty_id,
                revoked_by=current_user_id(principal),
                roles=principal.roles,
                now=clock.now(),
            )
        return one(penalty)

    @router.post(
        "/penalties/{penalty_id:uuid}/appeal",
        response_model=PenaltyResponseDocument,
        summary="Appeal my penalty",
        description=(
            f"The penalized user, once, within {rules.appeal_period.days} days of its start "
            "(else 422 `PENALTY_APPEAL_DEADLINE_PASSED`); another user's penalty is 404."
        ),
        responses=error_responses(
            {
                **_ONE,
                422: [
                    "PENALTY_ALREADY_APPEALED",
                    "PENALTY_APPEAL_DEADLINE_PASSED",
                    "PENALTY_APPEAL_NOT_ALLOWED",
                ],
            }
        ),
    )
    async def appeal(
        penalty_id: PenaltyId, body: AppealDocument, principal: CurrentPrincipal
    ) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            penalty = await use_cases.appeal_penalty(
                uow,
                penalty_id=penalty_id,
                user_id=current_user_id(principal),
                text=body.data.attributes.text,
                now=clock.now(),
                rules=rules,
            )
        return one(penalty)

    @router.post(
        "/penalties/{penalty_id:uuid}/appeal-decision",
        response_model=PenaltyResponseDocument,
        summary="Decide a penalty's appeal (moderator or admin)",
        description="`upheld` keeps the penalty; `revoked` lifts it.",
        responses=error_responses({**_STAFF, **_ONE, 422: ["PENALTY_APPEAL_NOT_PENDING"]}),
    )
    async def appeal_decision(
        penalty_id: PenaltyId, body: DecisionDocument, principal: CurrentPrincipal
    ) -> Response:
        async with greenlight_unit_of_work(infrastructure) as uow:
            penalty = await use_cases.decide_appeal(
                uow,
                penalty_id=penalty_id,
                decision=body.data.attributes.decision,
                decided_by=current_user_id(principal),
                roles=principal.roles,
                now=clock.now(),
            )
        return one(penalty)

    return router

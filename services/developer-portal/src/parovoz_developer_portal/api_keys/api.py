"""`/api-keys`: the account's API keys (create — shown once —, list, revoke)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Request, Response
from parovoz_kit.http.fields import Instant, RequestModel
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_idempotent
from parovoz_kit.infrastructure import Infrastructure
from pydantic import BaseModel, ConfigDict, Field

from parovoz_developer_portal.api_keys import service as use_cases
from parovoz_developer_portal.api_keys.domain import ApiKey
from parovoz_developer_portal.fields import Name
from parovoz_developer_portal.schemas import Document, Resource
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.team.api import CurrentMember
from parovoz_developer_portal.unit_of_work import portal_unit_of_work

API_KEY_CREATION_EXAMPLE = {
    "data": {
        "type": "apiKeyCreation",
        "attributes": {"name": "CI: сборка Windows", "expires_at": "2027-12-31T00:00:00Z"},
    }
}


class ApiKeyCreationAttributes(RequestModel):
    name: Name = Field(
        description="What the key is for, 1-255 characters, required.",
        examples=["CI: сборка Windows"],
    )
    expires_at: Instant | None = Field(
        default=None,
        description=(
            "Optional. When the key stops working (ISO 8601 with a time zone, in the future: "
            "422 `API_KEY_EXPIRY_IN_PAST` otherwise); never when left out."
        ),
    )


class ApiKeyCreationData(RequestModel):
    type: Literal["apiKeyCreation"] = Field(description="Always `apiKeyCreation`.")
    attributes: ApiKeyCreationAttributes = Field(description="The key to create.")


class ApiKeyCreationDocument(RequestModel):
    """Create an API key."""

    model_config = ConfigDict(json_schema_extra={"examples": [API_KEY_CREATION_EXAMPLE]})

    data: ApiKeyCreationData = Field(description="The key to create.")


class ApiKeyAttributes(BaseModel):
    name: str = Field(description="What the key is for.")
    prefix: str = Field(
        description="The key's first characters (`pk_live_` + 8), to recognise it; not a secret."
    )
    status: str = Field(description="`active`, `expired` or `revoked`.")
    expires_at: datetime | None = Field(description="When it stops working; null: never.")
    last_used_at: datetime | None = Field(
        description="When it last authenticated a request (to the minute); null: never."
    )
    created_by_user_id: uuid.UUID = Field(
        description="The member who created it (the key acts in their name, as an editor)."
    )
    created_at: datetime = Field(description="When it was created (ISO 8601, UTC).")
    revoked_at: datetime | None = Field(description="When it was revoked; null if it was not.")


class IssuedApiKeyAttributes(ApiKeyAttributes):
    key: str | None = Field(
        description=(
            "The key itself (`pk_live_…`), shown in this answer only: store it now. Only its "
            "hash is kept; a replay of the request (same `Idempotency-Key`) answers null."
        )
    )


class ApiKeyList(BaseModel):
    data: list[Resource[ApiKeyAttributes]] = Field(description="The account's keys, newest first.")


def _attributes(key: ApiKey, now: datetime) -> dict[str, object]:
    return {
        "name": key.name,
        "prefix": key.prefix,
        "status": key.status_at(now),
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        "created_by_user_id": key.created_by_user_id,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


def _resource(key: ApiKey, now: datetime, prefix: str) -> Resource[ApiKeyAttributes]:
    return Resource(
        type="apiKey",
        id=key.id,
        attributes=ApiKeyAttributes.model_validate(_attributes(key, now)),
        links={"self": f"{prefix}/api-keys/{key.id}"},
    )


def _issued(key: ApiKey, plain_key: str | None, now: datetime, prefix: str) -> Response:
    document = Document(
        data=Resource(
            type="apiKey",
            id=key.id,
            attributes=IssuedApiKeyAttributes.model_validate(
                {**_attributes(key, now), "key": plain_key}
            ),
            links={"self": f"{prefix}/api-keys/{key.id}"},
        )
    )
    return Response(
        document.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": document.data.links["self"], "Cache-Control": "no-store"},
    )


def api_keys_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules = cast(DeveloperPortalSettings, infrastructure.settings).api_key_rules()
    router = APIRouter(prefix=f"{prefix}/api-keys", tags=["api_keys"])

    @router.post(
        "",
        status_code=201,
        response_model=Document[IssuedApiKeyAttributes],
        summary="Create an API key (owner or admin; the key is shown once)",
        description=(
            "A key for tools such as `parovoz-upload` and CI: it acts as the account's editor "
            "on versions, builds and submit-for-review only, limited to "
            f"{rules.requests_per_minute} requests a minute. The answer carries the key "
            "(`pk_live_…`) once; only its hash is stored. Owner or admin with a user token "
            "(403 `TEAM_ROLE_FORBIDS`); at most "
            f"{rules.max_active_keys} active keys per account (422 `API_KEY_LIMIT_REACHED`). "
            "`Idempotency-Key` is optional; a replay answers the key's record with `key` null."
        ),
        responses=error_responses(
            {
                403: ["TEAM_ROLE_FORBIDS"],
                404: ["RESOURCE_NOT_FOUND"],
                422: ["API_KEY_LIMIT_REACHED", "API_KEY_EXPIRY_IN_PAST"],
            }
        ),
    )
    async def create_api_key(
        body: ApiKeyCreationDocument,
        request: Request,
        actor: CurrentMember,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes
        created: list[ApiKey] = []

        async def create() -> Response:
            now = infrastructure.clock.now()
            async with portal_unit_of_work(infrastructure) as uow:
                issued = await use_cases.create_api_key(
                    uow, actor, attributes.name, attributes.expires_at, rules, now
                )
            created.append(issued.key)
            return _issued(issued.key, issued.plain_key, now, prefix)

        def without_secret(_: Response) -> Response:
            return _issued(created[0], None, infrastructure.clock.now(), prefix)

        if idempotency_key is None:
            return await create()
        return await run_idempotent(
            request,
            infrastructure.idempotency,
            scope=f"user:{actor.user_id}",
            key=idempotency_key,
            handler=lambda _attempt: create(),
            success_status=201,
            replay_as=without_secret,
        )

    @router.get(
        "",
        response_model=ApiKeyList,
        summary="The account's API keys (owner or admin; never the keys themselves)",
        description=(
            "Every key of the account, revoked and expired ones too, newest first: name, "
            "prefix, status, expiry, last use, who created it and when. Owner or admin "
            "(403 `TEAM_ROLE_FORBIDS`)."
        ),
        responses=error_responses({403: ["TEAM_ROLE_FORBIDS"], 404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def list_api_keys(actor: CurrentMember) -> ApiKeyList:
        async with portal_unit_of_work(infrastructure) as uow:
            keys = await use_cases.api_keys_of_account(uow, actor)
        now = infrastructure.clock.now()
        return ApiKeyList(data=[_resource(key, now, prefix) for key in keys])

    @router.delete(
        "/{key_id}",
        status_code=204,
        summary="Revoke an API key (owner or admin); it stops working at once",
        description=(
            "The key authenticates nothing from now on (401 `API_KEY_INVALID`) and stays in "
            "the list as `revoked`; revoking it again changes nothing. Another account's key, "
            "or an unknown id, is 404. Owner or admin (403 `TEAM_ROLE_FORBIDS`)."
        ),
        responses=error_responses({403: ["TEAM_ROLE_FORBIDS"], 404: ["RESOURCE_NOT_FOUND"]}),
    )
    async def revoke_api_key(
        key_id: Annotated[uuid.UUID, Path(description="The key's id (UUID).")],
        actor: CurrentMember,
    ) -> Response:
        async with portal_unit_of_work(infrastructure) as uow:
            await use_cases.revoke_api_key(uow, actor, key_id, infrastructure.clock.now())
        return Response(status_code=204)

    return router

"""REST of licenses (thin: parse -> one use case -> document): issue an offline license, and
the public keys that verify licenses (JWKS)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.http.openapi import error_responses
from parovoz_kit.idempotency import OptionalIdempotencyKey, run_with_optional_key
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.licenses import service as use_cases
from parovoz_subscription.licenses.adapters import license_decider
from parovoz_subscription.licenses.rules import LicenseRules
from parovoz_subscription.licenses.schemas import (
    JsonWebKeySet,
    LicenseDocument,
    LicenseRequestDocument,
    license_document,
)
from parovoz_subscription.licenses.signing import license_keyring
from parovoz_subscription.unit_of_work import subscription_unit_of_work

#: The access reasons a license is refused with (the first that applies, as CheckAccess).
DENIALS = [
    "GAME_NOT_AVAILABLE",
    "GAME_REGION_RESTRICTED",
    "AGE_RESTRICTION_VIOLATION",
    "SUBSCRIPTION_SUSPENDED",
    "SUBSCRIPTION_EXPIRED",
    "NO_ACTIVE_SUBSCRIPTION",
    "GAME_NOT_IN_SUBSCRIPTION",
    "PLAN_REGION_RESTRICTED",
    "DEVICE_LIMIT_EXCEEDED",
]
#: The JWK Set may be cached this long (seconds) by clients and proxies.
JWKS_MAX_AGE = 300


def licenses_router(infrastructure: Infrastructure) -> APIRouter:
    prefix = infrastructure.settings.api_prefix
    rules: LicenseRules = infrastructure.settings.license_rules()  # type: ignore[attr-defined]
    days = rules.validity.days
    router = APIRouter(prefix=prefix, tags=["offline licenses"])

    @router.post(
        "/offline-licenses",
        status_code=201,
        response_model=LicenseDocument,
        summary="An offline license for a game on a device",
        description=(
            "Access is decided exactly as `GET /access` and CheckAccess decide it, for the "
            "caller, the game and the device (the region of the caller's profile); a new device "
            "is registered within the plan's device limit. When access is denied the answer is "
            "422 with the access reason as the code (`GAME_NOT_IN_SUBSCRIPTION`, "
            "`SUBSCRIPTION_SUSPENDED`, `DEVICE_LIMIT_EXCEEDED`, ...); an unknown game is 404 "
            f"`GAME_NOT_FOUND`. The license is valid {days} days from now, never after the "
            "end of the access granting it (the paid period or grace, an announced catalog "
            "removal). Renewal is online: ask again before it expires (a new license; the "
            "earlier one stays valid until its own expiry). The launcher verifies the token "
            "offline with the keys at `/.well-known/jwks.json`. `Idempotency-Key` is optional."
        ),
        responses=error_responses(
            {
                404: ["GAME_NOT_FOUND"],
                422: DENIALS,
                503: ["USER_SERVICE_UNAVAILABLE", "DEVELOPER_PORTAL_UNAVAILABLE"],
            }
        ),
    )
    async def issue_offline_license(
        body: LicenseRequestDocument,
        request: Request,
        user_id: CurrentUserId,
        idempotency_key: OptionalIdempotencyKey,
    ) -> Response:
        attributes = body.data.attributes

        async def issue() -> Response:
            async with subscription_unit_of_work(infrastructure) as uow:
                issued = await use_cases.issue_license(
                    uow,
                    license_decider(infrastructure),
                    license_keyring(infrastructure),
                    rules,
                    user_id=user_id,
                    game_id=attributes.game_id,
                    device_id=attributes.device_id,
                    region=None,
                    now=infrastructure.clock.now(),
                )
            document = license_document(issued, prefix)
            return Response(
                document.model_dump_json(), status_code=201, media_type="application/json"
            )

        return await run_with_optional_key(
            request,
            infrastructure.idempotency,
            scope=f"user:{user_id}",
            key=idempotency_key,
            handler=issue,
            success_status=201,
        )

    @router.get(
        "/.well-known/jwks.json",
        response_model=JsonWebKeySet,
        summary="The public keys that verify offline licenses (JWK Set, no token needed)",
        description=(
            "RFC 8037 Ed25519 keys (`kty` OKP, `crv` Ed25519, `x`, `kid`, `use` sig, `alg` "
            "EdDSA): the key licenses are signed with now, then retired keys whose licenses "
            "may still be valid. A license names its key in its `kid`; keep a copy for offline "
            f"checks and fetch it again for an unknown `kid`. Cacheable for {JWKS_MAX_AGE} s."
        ),
        responses=error_responses({}),
    )
    async def jwks() -> Response:
        keys = use_cases.published_keys(license_keyring(infrastructure))
        return Response(
            json.dumps(keys),
            media_type="application/json",
            headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"},
        )

    return router

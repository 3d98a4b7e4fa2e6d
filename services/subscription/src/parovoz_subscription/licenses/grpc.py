"""gRPC of licenses: `SubscriptionService.IssueOfflineLicense` translated to one use case.

A denial is FAILED_PRECONDITION (the kit's mapping of a 422) whose details start with the REST
code, and whose ``google.rpc.Status`` (trailer ``grpc-status-details-bin``) carries a
``google.rpc.ErrorInfo`` with ``reason`` = the ``AccessReason`` value name
(``ACCESS_REASON_GAME_NOT_IN_CATALOG``...), as the proto promises.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import grpc
from google.protobuf.any_pb2 import Any as AnyMessage
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2, status_pb2
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz_kit.errors import BusinessRuleViolation, ValidationFailed
from parovoz_kit.grpc.errors import details_for
from parovoz_kit.grpc.interceptors import grpc_principal
from parovoz_kit.idempotency import idempotent_call
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.domain import AccessReason
from parovoz_subscription.access.grpc import REASONS
from parovoz_subscription.licenses import service as use_cases
from parovoz_subscription.licenses.adapters import license_decider
from parovoz_subscription.licenses.domain import DEVICE_ID_LIMIT
from parovoz_subscription.licenses.signing import license_keyring
from parovoz_subscription.unit_of_work import subscription_unit_of_work

#: ErrorInfo's ``domain``: who defines the reasons.
ERROR_DOMAIN = "subscription.parovoz.ru"
#: The REST code of a denial -> the proto's AccessReason value name (access's own mapping).
ACCESS_REASONS: dict[str, str] = {
    reason.value: pb.AccessReason.Name(number)
    for reason, number in REASONS.items()
    if reason is not AccessReason.GRANTED
}


async def issue_offline_license(
    infrastructure: Infrastructure,
    request: pb.IssueOfflineLicenseRequest,
    context: grpc.aio.ServicerContext | None = None,
) -> pb.IssueOfflineLicenseResponse:
    user_id = _uuid(request.user_id, "user_id")
    game_id = _uuid(request.game_id, "game_id")
    device_id = _device_id(request.device_id)
    region = _region(request.region)

    async def issue() -> pb.IssueOfflineLicenseResponse:
        async with subscription_unit_of_work(infrastructure) as uow:
            issued = await use_cases.issue_license(
                uow,
                license_decider(infrastructure),
                license_keyring(infrastructure),
                infrastructure.settings.license_rules(),  # type: ignore[attr-defined]
                user_id=user_id,
                game_id=game_id,
                device_id=device_id,
                region=region,
                now=infrastructure.clock.now(),
            )
        return pb.IssueOfflineLicenseResponse(license=license_message(issued))

    try:
        if not request.idempotency_key:
            return await issue()
        return await _once(infrastructure, request, issue)
    except BusinessRuleViolation as error:
        if context is not None and error.code in ACCESS_REASONS:
            context.set_trailing_metadata((("grpc-status-details-bin", _status(error)),))
        raise


async def _once(
    infrastructure: Infrastructure,
    request: pb.IssueOfflineLicenseRequest,
    issue: Callable[[], Awaitable[pb.IssueOfflineLicenseResponse]],
) -> pb.IssueOfflineLicenseResponse:
    """The first answer under this key (keys are scoped to the calling service)."""
    scope = f"grpc-offline-licenses:{grpc_principal().subject}"
    async with idempotent_call(
        infrastructure.idempotency,
        scope,
        request.idempotency_key,
        request,
        pb.IssueOfflineLicenseResponse,
    ) as call:
        if call.replayed_response is not None:
            return call.replayed_response
        response = await issue()
        await call.complete(response)
        return response


def license_message(issued: use_cases.IssuedLicense) -> pb.OfflineLicense:
    license = issued.license
    return pb.OfflineLicense(
        id=str(license.id),
        token=issued.token,
        key_id=license.key_id,
        user_id=str(license.user_id),
        game_id=str(license.game_id),
        device_id=license.device_id,
        subscription_id=str(license.subscription_id),
        issued_at=_timestamp(license.issued_at),
        expires_at=_timestamp(license.expires_at),
    )


def _status(error: BusinessRuleViolation) -> bytes:
    info = error_details_pb2.ErrorInfo(
        reason=ACCESS_REASONS[error.code], domain=ERROR_DOMAIN, metadata={"code": error.code}
    )
    detail = AnyMessage()
    detail.Pack(info)
    status = status_pb2.Status(
        code=grpc.StatusCode.FAILED_PRECONDITION.value[0],
        message=details_for(error),
        details=[detail],
    )
    return status.SerializeToString()


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a UUID.",
            pointer=f"/{field}",
            detail_ru=f"{field}: нужен UUID.",
        ) from None


def _device_id(value: str) -> str:
    if not value or len(value) > DEVICE_ID_LIMIT or "\x00" in value:
        raise ValidationFailed(
            f"device_id: 1 to {DEVICE_ID_LIMIT} characters, no NUL character.",
            pointer="/device_id",
            detail_ru=f"device_id: от 1 до {DEVICE_ID_LIMIT} символов, без символа NUL.",
        )
    return value


def _region(value: str) -> str | None:
    if not value:
        return None
    if len(value) != 2 or not value.isascii() or not value.isupper() or not value.isalpha():
        raise ValidationFailed(
            "region: an ISO 3166-1 alpha-2 code in capitals (RU), or empty.",
            pointer="/region",
            detail_ru="region: код ISO 3166-1 alpha-2 заглавными буквами (RU) или пусто.",
        )
    return value

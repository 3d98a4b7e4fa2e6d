"""gRPC of licenses: `SubscriptionService.IssueOfflineLicense` translated to one use case."""

from __future__ import annotations

from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz_kit.errors import ParovozError
from parovoz_kit.infrastructure import Infrastructure


async def issue_offline_license(
    infrastructure: Infrastructure, request: pb.IssueOfflineLicenseRequest
) -> pb.IssueOfflineLicenseResponse:
    raise ParovozError("Not built yet.", code="NOT_IMPLEMENTED")

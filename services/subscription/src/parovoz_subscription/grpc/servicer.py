"""gRPC surface of subscription (`parovoz.subscription.v1.SubscriptionService`).

Each method delegates to its context's ``grpc.py`` (translate -> one use case). Who may call
what is the table in ``grpc/callers.py``, enforced by the kit's interceptor before a method runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from parovoz.subscription.v1 import subscription_service_pb2 as pb
from parovoz.subscription.v1 import subscription_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.infrastructure import Infrastructure

from parovoz_subscription.access.grpc import check_access
from parovoz_subscription.licenses.grpc import issue_offline_license
from parovoz_subscription.subscriptions.grpc import list_user_subscriptions


class SubscriptionService(subscription_service_pb2_grpc.SubscriptionServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure

    async def CheckAccess(
        self, request: pb.CheckAccessRequest, context: grpc.aio.ServicerContext
    ) -> pb.CheckAccessResponse:
        return await check_access(self._infrastructure, request)

    async def ListUserSubscriptions(
        self, request: pb.ListUserSubscriptionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListUserSubscriptionsResponse:
        return await list_user_subscriptions(self._infrastructure, request)

    async def IssueOfflineLicense(
        self, request: pb.IssueOfflineLicenseRequest, context: grpc.aio.ServicerContext
    ) -> pb.IssueOfflineLicenseResponse:
        return await issue_offline_license(self._infrastructure, request, context)


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = pb.DESCRIPTOR.services_by_name["SubscriptionService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=SubscriptionService(infrastructure),
            register=subscription_service_pb2_grpc.add_SubscriptionServiceServicer_to_server,
        )
    ]

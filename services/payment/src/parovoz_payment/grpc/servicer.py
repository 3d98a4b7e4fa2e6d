"""gRPC surface of payment (`parovoz.payment.v1.PaymentService`), for platform services.

The kit's interceptors verify the service token and map kit errors to status codes; each
method here only translates the request and calls the same use case as the REST API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
from parovoz.payment.v1 import payment_service_pb2 as pb
from parovoz.payment.v1 import payment_service_pb2_grpc
from parovoz_kit.grpc import GrpcService
from parovoz_kit.grpc.interceptors import grpc_principal
from parovoz_kit.idempotency import idempotent_call
from parovoz_kit.infrastructure import Infrastructure

from parovoz_payment.clients.providers.registry import provider_registry
from parovoz_payment.db.developer_ledger import developer_balances, developer_entries
from parovoz_payment.grpc import developer_messages, messages
from parovoz_payment.use_cases.fraud import fraud_screen
from parovoz_payment.use_cases.payment_flow import PaymentOrder, create_payment, payment_for
from parovoz_payment.use_cases.refunds import RefundService, request_refund


class PaymentService(payment_service_pb2_grpc.PaymentServiceServicer):
    def __init__(self, infrastructure: Infrastructure) -> None:
        self._infrastructure = infrastructure
        # The same registry as REST: one set of circuit breakers per provider.
        self._providers = provider_registry(infrastructure)
        self._refunds = RefundService(
            infrastructure.unit_of_work,
            self._providers,
            infrastructure.clock,
            infrastructure.settings.wallet_rules(),  # type: ignore[attr-defined]
        )

    async def _create_once(self, request: Any, order: PaymentOrder, answer: type[Any]) -> Any:
        """The payment of ``order``, created once per idempotency key. Keys are scoped to the
        calling service (the contract: two services never collide); CreatePayment and
        ChargeSavedMethod share the scope, so one key names one payment of the caller."""
        infrastructure = self._infrastructure
        scope = f"grpc-payments:{grpc_principal().subject}"
        async with idempotent_call(
            infrastructure.idempotency, scope, request.idempotency_key, request, answer
        ) as call:
            if call.replayed_response is not None:
                return call.replayed_response
            view = await create_payment(
                infrastructure.unit_of_work,
                self._providers,
                infrastructure.clock,
                order,
                fraud=fraud_screen(infrastructure),
            )
            response = answer(payment=messages.payment_message(view))
            await call.complete(response)
            return response

    async def CreatePayment(
        self, request: pb.CreatePaymentRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreatePaymentResponse:
        order = messages.payment_order(request, grpc_principal().subject)
        return await self._create_once(request, order, pb.CreatePaymentResponse)

    async def GetPayment(
        self, request: pb.GetPaymentRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPaymentResponse:
        payment_id = messages.parse_uuid(request.payment_id, "payment_id")
        # viewer None: a service may read any payment.
        view = await payment_for(self._infrastructure.unit_of_work, None, payment_id)
        return pb.GetPaymentResponse(payment=messages.payment_message(view))

    async def GetDeveloperBalance(
        self, request: pb.GetDeveloperBalanceRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetDeveloperBalanceResponse:
        developer_id = messages.parse_uuid(request.developer_id, "developer_id")
        as_of = self._infrastructure.clock.now()
        async with self._infrastructure.session_factory() as session:
            balances = await developer_balances(session, developer_id)
        # No sales yet: no balances (the contract), not NOT_FOUND.
        return pb.GetDeveloperBalanceResponse(
            developer_id=str(developer_id),
            balances=[developer_messages.balance_message(balance) for balance in balances],
            as_of=messages.timestamp(as_of),
        )

    async def ListDeveloperLedger(
        self, request: pb.ListDeveloperLedgerRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListDeveloperLedgerResponse:
        developer_id = messages.parse_uuid(request.developer_id, "developer_id")
        size = developer_messages.page_size(request.page_size)
        after = developer_messages.decode_page_token(request.page_token)
        async with self._infrastructure.session_factory() as session:
            # One more than asked tells whether another page exists.
            entries = await developer_entries(session, developer_id, limit=size + 1, after=after)
        page, more = entries[:size], len(entries) > size
        return pb.ListDeveloperLedgerResponse(
            entries=[developer_messages.entry_message(entry) for entry in page],
            next_page_token=developer_messages.encode_page_token(page[-1]) if more else "",
        )

    async def ChargeSavedMethod(
        self, request: pb.ChargeSavedMethodRequest, context: grpc.aio.ServicerContext
    ) -> pb.ChargeSavedMethodResponse:
        # Off-session: the provider answers at once and create_payment settles it then.
        order = messages.charge_order(request, grpc_principal().subject)
        return await self._create_once(request, order, pb.ChargeSavedMethodResponse)

    async def Refund(
        self, request: pb.RefundRequest, context: grpc.aio.ServicerContext
    ) -> pb.RefundResponse:
        caller = grpc_principal().subject
        async with idempotent_call(
            self._infrastructure.idempotency,
            f"grpc-refunds:{caller}",
            request.idempotency_key,
            request,
            pb.RefundResponse,
        ) as call:
            if call.replayed_response is not None:
                return call.replayed_response
            refund = await request_refund(self._refunds, messages.refund_order(request, caller))
            response = pb.RefundResponse(refund=messages.refund_message(refund))
            await call.complete(response)
            return response


def grpc_services(infrastructure: Infrastructure) -> Sequence[GrpcService]:
    descriptor = pb.DESCRIPTOR.services_by_name["PaymentService"]
    return [
        GrpcService(
            full_name=descriptor.full_name,
            servicer=PaymentService(infrastructure),
            register=payment_service_pb2_grpc.add_PaymentServiceServicer_to_server,
        )
    ]

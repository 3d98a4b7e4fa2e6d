"""The generated stubs work over a real grpc.aio channel (the way every service uses them)."""

from __future__ import annotations

import grpc
from parovoz.common.v1 import money_pb2
from parovoz.payment.v1 import payment_service_pb2 as payment
from parovoz.payment.v1 import payment_service_pb2_grpc as payment_grpc


class RecordingPaymentService(payment_grpc.PaymentServiceServicer):
    async def CreatePayment(self, request, context):
        return payment.CreatePaymentResponse(
            payment=payment.Payment(
                id="11111111-1111-1111-1111-111111111111",
                status=payment.PAYMENT_STATUS_PENDING,
                purpose=request.purpose,
                amount=request.amount,
                reference=request.reference,
                metadata=request.metadata,
            )
        )


async def test_create_payment_round_trips_over_grpc_aio() -> None:
    server = grpc.aio.server()
    payment_grpc.add_PaymentServiceServicer_to_server(RecordingPaymentService(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = payment_grpc.PaymentServiceStub(channel)
            response = await stub.CreatePayment(
                payment.CreatePaymentRequest(
                    idempotency_key="greenlight-fee-1",
                    purpose=payment.PAYMENT_PURPOSE_GREENLIGHT_FEE,
                    amount=money_pb2.Money(amount_minor=500_000, currency="RUB"),
                    reference="greenlight-submission:42",
                    metadata={"submission_id": "42"},
                ),
                timeout=5,
            )
    finally:
        await server.stop(grace=None)

    assert response.payment.status == payment.PAYMENT_STATUS_PENDING
    assert response.payment.amount == money_pb2.Money(amount_minor=500_000, currency="RUB")
    assert response.payment.reference == "greenlight-submission:42"
    assert dict(response.payment.metadata) == {"submission_id": "42"}


async def test_unimplemented_methods_answer_unimplemented() -> None:
    server = grpc.aio.server()
    payment_grpc.add_PaymentServiceServicer_to_server(RecordingPaymentService(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = payment_grpc.PaymentServiceStub(channel)
            try:
                await stub.GetPayment(payment.GetPaymentRequest(payment_id="x"), timeout=5)
            except grpc.aio.AioRpcError as error:
                code = error.code()
            else:
                code = grpc.StatusCode.OK
    finally:
        await server.stop(grace=None)

    assert code == grpc.StatusCode.UNIMPLEMENTED

"""`GreenlightService.GetSubmission` on a real grpc.aio server on loopback (the service's
servicer and interceptors, real service tokens): developer-portal reads a submission; another
service or a user is refused; a malformed id is INVALID_ARGUMENT, an unknown one NOT_FOUND."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from parovoz.greenlight.v1 import greenlight_service_pb2 as pb
from parovoz.greenlight.v1 import greenlight_service_pb2_grpc
from parovoz_greenlight.grpc.callers import CALLERS
from parovoz_greenlight.grpc.servicer import grpc_services
from parovoz_greenlight.settings import GreenlightSettings
from parovoz_greenlight.submissions.domain import Submission, SubmissionStatus
from parovoz_greenlight.unit_of_work import greenlight_unit_of_work
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import service_token, user_token

Stub = greenlight_service_pb2_grpc.GreenlightServiceStub


@pytest.fixture(scope="module")
async def stub(infrastructure: Infrastructure) -> AsyncIterator[Stub]:
    settings = GreenlightSettings(environment="test", grpc_port=0)
    server = create_grpc_server(
        settings,
        grpc_services(infrastructure),
        standard_server_interceptors(infrastructure.verifier, callers=CALLERS),
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield Stub(channel)
    finally:
        await server.stop(0)


async def ask(stub: Stub, submission_id: str, token: str) -> pb.GetSubmissionResponse:
    return await stub.GetSubmission(  # type: ignore[no-any-return]
        pb.GetSubmissionRequest(submission_id=submission_id),
        metadata=(("authorization", f"Bearer {token}"),),
        timeout=10,
    )


async def test_developer_portal_reads_a_submission(
    stub: Stub, infrastructure: Infrastructure
) -> None:
    now = infrastructure.clock.now()
    item = Submission(
        id=uuid.uuid4(),
        game_id=uuid.uuid4(),
        developer_id=uuid.uuid4(),
        submitted_by=uuid.uuid4(),
        title="Игра",
        description="Описание",
        status=SubmissionStatus.UNDER_MODERATION,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        fee_paid=True,
    )
    async with greenlight_unit_of_work(infrastructure) as uow:
        await uow.submissions.add(item)
        await uow.commit()

    reply = await ask(stub, str(item.id), service_token("developer-portal"))
    message = reply.submission
    assert (message.id, message.game_id) == (str(item.id), str(item.game_id))
    assert message.status == pb.SUBMISSION_STATUS_UNDER_MODERATION
    assert message.submitted_at.ToDatetime().replace(microsecond=0) == now.replace(
        tzinfo=None, microsecond=0
    )

    for token in (service_token("payment"), user_token(str(uuid.uuid4()))):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await ask(stub, str(item.id), token)
        assert refused.value.code() in (
            grpc.StatusCode.PERMISSION_DENIED,
            grpc.StatusCode.UNAUTHENTICATED,
        )
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await ask(stub, str(uuid.uuid4()), service_token("developer-portal"))
    assert unknown.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await ask(stub, "42", service_token("developer-portal"))
    assert malformed.value.code() is grpc.StatusCode.INVALID_ARGUMENT

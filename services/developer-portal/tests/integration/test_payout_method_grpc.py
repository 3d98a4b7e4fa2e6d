"""`DeveloperService.GetPayoutMethod` on a real grpc.aio server on loopback (the service's own
servicer and interceptors), with real tokens from the auth stand-in: payment's service token
gets the details in clear; users and other services are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from parovoz.developer.v1 import developer_service_pb2 as pb
from parovoz.developer.v1 import developer_service_pb2_grpc
from parovoz_developer_portal.grpc.callers import CALLERS
from parovoz_developer_portal.grpc.servicer import grpc_services
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_kit.grpc import create_grpc_server
from parovoz_kit.grpc.interceptors import standard_server_interceptors
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import service_token


@pytest.fixture(scope="module")
async def stub(
    infrastructure: Infrastructure,
) -> AsyncIterator[developer_service_pb2_grpc.DeveloperServiceStub]:
    settings = DeveloperPortalSettings(environment="test", grpc_port=0)
    server = create_grpc_server(
        settings,
        grpc_services(infrastructure),
        standard_server_interceptors(infrastructure.verifier, callers=CALLERS),
    )
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield developer_service_pb2_grpc.DeveloperServiceStub(channel)
    finally:
        await server.stop(0)


def _as(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def _get(stub, developer_id, method_id, token: str) -> pb.GetPayoutMethodResponse:
    request = pb.GetPayoutMethodRequest(
        developer_id=str(developer_id), payout_method_id=str(method_id)
    )
    return await stub.GetPayoutMethod(request, metadata=_as(token), timeout=10)


async def test_payment_gets_the_details_in_clear(studio, stub) -> None:
    method_id = (await studio.add_method())["id"]
    reply = await _get(stub, studio.developer_id, method_id, service_token("payment"))
    method = reply.payout_method
    assert (method.id, method.developer_id) == (method_id, str(studio.developer_id))
    assert method.account_number == "40702810938000000001"
    assert method.correspondent_account == "30101810400000000225"
    assert (method.inn, method.kpp, method.bik) == ("7707083893", "773601001", "044525225")
    assert method.recipient_name == "ООО «Студия Выплат»" and method.bank_name == "ПАО Сбербанк"
    assert method.currency == "RUB" and method.is_default
    assert method.HasField("updated_at")


async def test_an_individuals_method_has_no_kpp(studio, stub) -> None:
    method_id = (
        await studio.add_method(recipient_name="ИП Иванов И. И.", inn="500100732259", kpp=None)
    )["id"]
    reply = await _get(stub, studio.developer_id, method_id, service_token("payment"))
    assert not reply.payout_method.HasField("kpp")


@pytest.mark.parametrize("caller", ["user", "subscription"])
async def test_users_and_other_services_are_refused(studio, stub, caller: str) -> None:
    method_id = (await studio.add_method())["id"]
    if caller == "user":
        token = studio.auth(studio.owner)["Authorization"].removeprefix("Bearer ")
    else:
        token = service_token(caller)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _get(stub, studio.developer_id, method_id, token)
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "0001" not in (caught.value.details() or "")


async def test_another_developers_or_a_deleted_method_is_not_found(
    studio, new_studio, stub
) -> None:
    method = await studio.add_method()
    other = await new_studio()
    token = service_token("payment")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _get(stub, other.developer_id, method["id"], token)
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    deleted = await studio.client.delete(method["links"]["self"], headers=studio.auth(studio.owner))
    assert deleted.status_code == 204
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _get(stub, studio.developer_id, method["id"], token)
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _get(stub, studio.developer_id, "not-a-uuid", token)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT

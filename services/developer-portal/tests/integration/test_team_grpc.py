"""`DeveloperService.GetDeveloper` answers membership and the member's real role from
``team_members`` for every role — by member user id and by (developer id, user id) — and
follows a change of role and an ownership transfer at once (a real grpc.aio server on
loopback, the service's interceptors, greenlight's real service token)."""

from __future__ import annotations

import uuid
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

PREFIX = "/api/v1/developer"
ROLES = ("owner", "admin", "editor", "finance", "viewer")


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


@pytest.fixture(scope="module")
def metadata() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {service_token('greenlight')}"),)


def role_name(role: int) -> str:
    return pb.TeamRole.Name(role).removeprefix("TEAM_ROLE_").lower()


async def test_every_role_is_answered_from_the_table(studio, stub, metadata) -> None:
    users = {"owner": studio.owner}
    for role in ROLES[1:]:
        users[role] = await studio.member(role)
    for role, user_id in users.items():
        by_user = await stub.GetDeveloper(
            pb.GetDeveloperRequest(member_user_id=str(user_id)), metadata=metadata, timeout=10
        )
        assert by_user.developer.id == str(studio.developer_id)
        assert (by_user.member.user_id, role_name(by_user.member.role)) == (str(user_id), role)
        by_membership = await stub.GetDeveloper(
            pb.GetDeveloperRequest(
                membership=pb.MembershipLookup(
                    developer_id=str(studio.developer_id), user_id=str(user_id)
                )
            ),
            metadata=metadata,
            timeout=10,
        )
        assert role_name(by_membership.member.role) == role
        assert by_membership.developer.owner_user_id == str(studio.owner)


async def test_a_non_member_is_not_found(studio, stub, metadata) -> None:
    for request in (
        pb.GetDeveloperRequest(member_user_id=str(uuid.uuid4())),
        pb.GetDeveloperRequest(
            membership=pb.MembershipLookup(
                developer_id=str(studio.developer_id), user_id=str(uuid.uuid4())
            )
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetDeveloper(request, metadata=metadata, timeout=10)
        assert caught.value.code() is grpc.StatusCode.NOT_FOUND


async def test_a_role_change_and_a_transfer_are_answered_at_once(studio, stub, metadata) -> None:
    member = await studio.member("viewer")
    owner_headers = studio.auth(studio.owner)
    changed = await studio.client.patch(
        f"{PREFIX}/team/members/{member}",
        headers=owner_headers,
        json={"data": {"type": "teamMemberRole", "attributes": {"role": "admin"}}},
    )
    assert changed.status_code == 200, changed.text

    async def role_of(user_id: uuid.UUID) -> str:
        reply = await stub.GetDeveloper(
            pb.GetDeveloperRequest(member_user_id=str(user_id)), metadata=metadata, timeout=10
        )
        return role_name(reply.member.role)

    assert await role_of(member) == "admin"
    transferred = await studio.client.post(
        f"{PREFIX}/team/ownership-transfer",
        headers=owner_headers,
        json={"data": {"type": "ownershipTransfer", "attributes": {"user_id": str(member)}}},
    )
    assert transferred.status_code == 200, transferred.text
    assert (await role_of(member), await role_of(studio.owner)) == ("owner", "admin")
    reply = await stub.GetDeveloper(
        pb.GetDeveloperRequest(developer_id=str(studio.developer_id)),
        metadata=metadata,
        timeout=10,
    )
    assert reply.developer.owner_user_id == str(member)

"""The team on the real engines (the app in process, PostgreSQL, Redis, the auth stand-in's real
tokens; the clock moved, never slept on): invite -> accept -> the member's role decides what
they may do; expiry, decline, revoke; role changes, removal, leaving; the ownership transfer
and the owner's protections (in the database too); Idempotency-Key; the events in the outbox.

Most tests give the invitee's verified e-mail to the routes by overriding ``current_invitee``
(a test header); one takes it from a real token of the auth stand-in (``email`` ->
``email``, ``email_verified`` claims), and ``current_invitee`` itself is checked against
principals with and without the claims.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import httpx
import pytest
from fastapi import Request
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.tables import team_members
from parovoz_developer_portal.team.routes import Invited, current_invitee
from parovoz_events import schema_for
from parovoz_kit.auth import CurrentUserId
from parovoz_kit.auth.principal import Principal
from parovoz_kit.clock import ManualClock
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

PREFIX = "/api/v1/developer"
TEAM = f"{PREFIX}/team"
START = datetime(2101, 4, 1, 10, 0, tzinfo=UTC)
EMAIL_HEADER = "X-Test-Verified-Email"


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
async def infrastructure(clock: ManualClock) -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(DeveloperPortalSettings(environment="test")) as infra:
        yield dataclasses.replace(infra, clock=clock)


async def _invitee_from_header(request: Request, user_id: CurrentUserId) -> Invited:
    return Invited(user_id, request.headers.get(EMAIL_HEADER))


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    app.dependency_overrides[current_invitee] = _invitee_from_header
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        yield http


_tokens: dict[uuid.UUID, str] = {}


def auth(user_id: uuid.UUID, email: str | None = None) -> dict[str, str]:
    if user_id not in _tokens:
        _tokens[user_id] = user_token(str(user_id))
    headers = {"Authorization": f"Bearer {_tokens[user_id]}"}
    return headers | ({EMAIL_HEADER: email} if email else {})


async def open_account(client: httpx.AsyncClient, owner: uuid.UUID) -> uuid.UUID:
    answer = await client.post(
        f"{PREFIX}/accounts",
        headers=auth(owner),
        json={
            "data": {
                "type": "developerAccountCreation",
                "attributes": {
                    "company_name": "Студия Команды",
                    "legal_entity_type": "llc",
                    "tax_id": "7707083893",
                    "contact_email": "team@example.com",
                    "country_code": "RU",
                },
            }
        },
    )
    assert answer.status_code == 201, answer.text
    return uuid.UUID(answer.json()["data"]["id"])


@dataclasses.dataclass
class Studio:
    client: httpx.AsyncClient
    infrastructure: Infrastructure
    owner: uuid.UUID
    developer_id: uuid.UUID

    async def invite(
        self,
        role: str = "editor",
        *,
        user_id: uuid.UUID | None = None,
        email: str | None = None,
        by: uuid.UUID | None = None,
        key: str | None = None,
        status: int = 201,
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {"role": role}
        if user_id is not None:
            attributes["user_id"] = str(user_id)
        if email is not None:
            attributes["email"] = email
        headers = auth(by or self.owner) | ({"Idempotency-Key": key} if key else {})
        answer = await self.client.post(
            f"{TEAM}/invitations",
            headers=headers,
            json={"data": {"type": "teamInvitation", "attributes": attributes}},
        )
        assert answer.status_code == status, answer.text
        body: dict[str, Any] = answer.json()
        return body["data"] if status == 201 else body["errors"][0]

    async def join(self, role: str) -> uuid.UUID:
        """A member by invitation and acceptance."""
        user_id = uuid.uuid4()
        invitation = await self.invite(role, user_id=user_id)
        answer = await self.client.post(
            f"{TEAM}/invitations/{invitation['id']}/accept", headers=auth(user_id)
        )
        assert answer.status_code == 200, answer.text
        return user_id

    async def roles(self) -> dict[uuid.UUID, str]:
        answer = await self.client.get(TEAM, headers=auth(self.owner))
        assert answer.status_code == 200, answer.text
        return {
            uuid.UUID(item["attributes"]["user_id"]): item["attributes"]["role"]
            for item in answer.json()["data"]
        }

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        async with self.infrastructure.session_factory() as session:
            rows = await session.execute(
                text("SELECT payload FROM outbox WHERE type = :type AND key = :key ORDER BY seq"),
                {"type": event_type, "key": str(self.developer_id)},
            )
            payloads = [row.payload for row in rows]
        for payload in payloads:
            schema_for(event_type).model_validate(payload)
        return payloads


@pytest.fixture
async def studio(client: httpx.AsyncClient, infrastructure: Infrastructure) -> Studio:
    owner = uuid.uuid4()
    return Studio(client, infrastructure, owner, await open_account(client, owner))


def error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    first: dict[str, Any] = answer.json()["errors"][0]
    return first


def game_body() -> dict[str, Any]:
    title = f"Игра {uuid.uuid4().hex[:8]}"
    return {
        "data": {"type": "productCreation", "attributes": {"title": title, "product_type": "game"}}
    }


# --- invite -> accept -> rights ------------------------------------------------------------------


async def test_an_invited_editor_joins_and_may_do_what_an_editor_may(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    editor = uuid.uuid4()
    invitation = await studio.invite("editor", user_id=editor)
    assert invitation["attributes"]["status"] == "pending"
    assert invitation["attributes"]["expires_at"].startswith("2101-04-08T10:00:00")

    mine = (await client.get(f"{TEAM}/invitations/mine", headers=auth(editor))).json()["data"]
    assert [item["id"] for item in mine] == [invitation["id"]]
    assert mine[0]["attributes"]["developer_display_name"] == "Студия Команды"
    assert mine[0]["links"]["accept"].endswith(f"/team/invitations/{invitation['id']}/accept")
    # Before accepting they are in no team.
    error(await client.get(TEAM, headers=auth(editor)), 404)

    accepted = await client.post(
        f"{TEAM}/invitations/{invitation['id']}/accept", headers=auth(editor)
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["data"]["attributes"]["role"] == "editor"
    assert (await studio.roles()) == {studio.owner: "owner", editor: "editor"}
    me = (await client.get(f"{PREFIX}/accounts/me", headers=auth(editor))).json()["data"]
    assert me["id"] == str(studio.developer_id)

    created = await client.post(f"{PREFIX}/games", headers=auth(editor), json=game_body())
    assert created.status_code == 201, created.text
    assert error(await client.get(f"{PREFIX}/api-keys", headers=auth(editor)), 403)["code"] == (
        "TEAM_ROLE_FORBIDS"
    )
    refused = await client.post(
        f"{TEAM}/invitations",
        headers=auth(editor),
        json={
            "data": {
                "type": "teamInvitation",
                "attributes": {"role": "viewer", "user_id": str(uuid.uuid4())},
            }
        },
    )
    assert error(refused, 403)["code"] == "TEAM_ROLE_FORBIDS"
    assert (await client.get(f"{TEAM}/invitations/mine", headers=auth(editor))).json() == {
        "data": []
    }
    listed = (await client.get(f"{TEAM}/invitations", headers=auth(studio.owner))).json()["data"]
    assert [(i["id"], i["attributes"]["status"]) for i in listed] == [
        (invitation["id"], "accepted")
    ]
    assert listed[0]["attributes"]["accepted_by_user_id"] == str(editor)

    [created_event] = await studio.events("developer.team.invitation.created.v1")
    assert created_event["invitation_id"] == invitation["id"]
    [joined] = await studio.events("developer.team.member.changed.v1")
    assert (joined["change"], joined["user_id"], joined["role"]) == (
        "joined",
        str(editor),
        "editor",
    )


async def test_a_viewer_reads_but_changes_nothing(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    viewer = await studio.join("viewer")
    assert (await client.get(TEAM, headers=auth(viewer))).status_code == 200
    error(await client.post(f"{PREFIX}/games", headers=auth(viewer), json=game_body()), 403)
    error(await client.get(f"{TEAM}/invitations", headers=auth(viewer)), 403)


async def test_an_invitation_by_email_is_accepted_by_a_token_carrying_that_email(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    invitation = await studio.invite("finance", email="Buh@Example.com")
    assert invitation["attributes"]["invitee_email"] == "buh@example.com"
    user = uuid.uuid4()
    mine = await client.get(f"{TEAM}/invitations/mine", headers=auth(user, "buh@example.com"))
    assert [item["id"] for item in mine.json()["data"]] == [invitation["id"]]
    # The same user without the e-mail in their token: not theirs.
    without = await client.post(f"{TEAM}/invitations/{invitation['id']}/accept", headers=auth(user))
    assert error(without, 404)["code"] == "INVITATION_NOT_FOUND"
    other = await client.post(
        f"{TEAM}/invitations/{invitation['id']}/accept",
        headers=auth(uuid.uuid4(), "someone@example.com"),
    )
    error(other, 404)
    accepted = await client.post(
        f"{TEAM}/invitations/{invitation['id']}/accept", headers=auth(user, "BUH@example.com")
    )
    assert accepted.status_code == 200, accepted.text
    assert (await studio.roles())[user] == "finance"
    balance = await client.get(f"{PREFIX}/finance/payout-methods", headers=auth(user))
    assert balance.status_code == 200, balance.text


# --- refusals --------------------------------------------------------------------------------


async def test_an_expired_invitation_is_refused_after_the_clock_moves(
    studio: Studio, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    user = uuid.uuid4()
    invitation = await studio.invite("admin", user_id=user)
    clock.advance(timedelta(days=7, seconds=1))
    try:
        late = await client.post(
            f"{TEAM}/invitations/{invitation['id']}/accept", headers=auth(user)
        )
        assert error(late, 422)["code"] == "INVITATION_EXPIRED"
        mine = await client.get(f"{TEAM}/invitations/mine", headers=auth(user))
        assert mine.json() == {"data": []}
        listed = (await client.get(f"{TEAM}/invitations", headers=auth(studio.owner))).json()
        assert listed["data"][0]["attributes"]["status"] == "expired"
        # An expired one no longer blocks a new invitation of the same person.
        again = await studio.invite("viewer", user_id=user)
        accepted = await client.post(f"{TEAM}/invitations/{again['id']}/accept", headers=auth(user))
        assert accepted.status_code == 200, accepted.text
    finally:
        clock.advance(-timedelta(days=7, seconds=1))


async def test_declined_and_revoked_invitations_cannot_be_accepted(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    declined = await studio.invite("viewer", user_id=first)
    answer = await client.post(f"{TEAM}/invitations/{declined['id']}/decline", headers=auth(first))
    assert answer.json()["data"]["attributes"]["status"] == "declined"
    late = await client.post(f"{TEAM}/invitations/{declined['id']}/accept", headers=auth(first))
    assert error(late, 422)["code"] == "INVITATION_NOT_PENDING"

    revoked = await studio.invite("viewer", user_id=second)
    editor = await studio.join("editor")
    forbidden = await client.post(
        f"{TEAM}/invitations/{revoked['id']}/revoke", headers=auth(editor)
    )
    assert error(forbidden, 403)["code"] == "TEAM_ROLE_FORBIDS"
    answer = await client.post(
        f"{TEAM}/invitations/{revoked['id']}/revoke", headers=auth(studio.owner)
    )
    assert answer.json()["data"]["attributes"]["status"] == "revoked"
    late = await client.post(f"{TEAM}/invitations/{revoked['id']}/accept", headers=auth(second))
    assert error(late, 422)["code"] == "INVITATION_NOT_PENDING"
    again = await client.post(
        f"{TEAM}/invitations/{revoked['id']}/revoke", headers=auth(studio.owner)
    )
    assert error(again, 422)["code"] == "INVITATION_NOT_PENDING"
    assert second not in await studio.roles() and first not in await studio.roles()


async def test_another_accounts_invitation_is_404_to_revoke(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    invitation = await studio.invite("viewer", user_id=uuid.uuid4())
    stranger = uuid.uuid4()
    await open_account(client, stranger)
    answer = await client.post(
        f"{TEAM}/invitations/{invitation['id']}/revoke", headers=auth(stranger)
    )
    assert error(answer, 404)["code"] == "INVITATION_NOT_FOUND"


async def test_a_second_pending_invitation_and_a_member_are_409(studio: Studio) -> None:
    user = uuid.uuid4()
    await studio.invite("viewer", user_id=user)
    assert (await studio.invite("admin", user_id=user, status=409))["code"] == (
        "INVITATION_ALREADY_PENDING"
    )
    await studio.invite("viewer", email="twice@example.com")
    assert (await studio.invite("viewer", email="TWICE@example.com", status=409))["code"] == (
        "INVITATION_ALREADY_PENDING"
    )
    member = await studio.join("viewer")
    assert (await studio.invite("admin", user_id=member, status=409))["code"] == "ALREADY_A_MEMBER"


async def test_an_invitation_is_never_for_the_owner_role_and_names_one_person(
    studio: Studio,
) -> None:
    refused = await studio.invite("owner", user_id=uuid.uuid4(), status=400)
    assert refused["code"] == "INVALID_INVITATION_ROLE"
    assert refused["source"]["pointer"] == "/data/attributes/role"
    assert (await studio.invite("viewer", status=400))["code"] == "VALIDATION_ERROR"
    both = await studio.invite("viewer", user_id=uuid.uuid4(), email="a@example.com", status=400)
    assert both["code"] == "VALIDATION_ERROR"
    assert (await studio.invite("viewer", email="not-an-address", status=400))["code"] == (
        "VALIDATION_ERROR"
    )


async def test_a_user_already_in_a_team_cannot_accept(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    elsewhere = uuid.uuid4()
    await open_account(client, elsewhere)
    invitation = await studio.invite("admin", user_id=elsewhere)
    answer = await client.post(
        f"{TEAM}/invitations/{invitation['id']}/accept", headers=auth(elsewhere)
    )
    assert error(answer, 422)["code"] == "ALREADY_IN_A_TEAM"
    assert elsewhere not in await studio.roles()


async def test_the_idempotency_key_answers_the_first_invitation(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    key, user = str(uuid.uuid4()), uuid.uuid4()
    first = await studio.invite("editor", user_id=user, key=key)
    replay = await studio.invite("editor", user_id=user, key=key)
    assert replay["id"] == first["id"]
    listed = (await client.get(f"{TEAM}/invitations", headers=auth(studio.owner))).json()["data"]
    assert [item["id"] for item in listed] == [first["id"]]
    changed = await studio.invite("admin", user_id=user, key=key, status=422)
    assert changed["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len(await studio.events("developer.team.invitation.created.v1")) == 1


# --- roles, removal, ownership -------------------------------------------------------------


async def test_a_role_change_takes_effect_at_once(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    editor = await studio.join("editor")
    game = await client.post(f"{PREFIX}/games", headers=auth(editor), json=game_body())
    game_id = game.json()["data"]["id"]
    # Read through the cache as an editor, then demoted: the next write is refused.
    assert (await client.get(f"{PREFIX}/games/{game_id}", headers=auth(editor))).status_code == 200
    changed = await client.patch(
        f"{TEAM}/members/{editor}",
        headers=auth(studio.owner),
        json={"data": {"type": "teamMemberRole", "attributes": {"role": "viewer"}}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["attributes"]["role"] == "viewer"
    patched = await client.patch(
        f"{PREFIX}/games/{game_id}",
        headers=auth(editor),
        json={"data": {"type": "game", "attributes": {"age_rating": "12+"}}},
    )
    assert patched.status_code == 403, patched.text
    [_joined, role_changed] = await studio.events("developer.team.member.changed.v1")
    assert (role_changed["change"], role_changed["previous_role"], role_changed["role"]) == (
        "role_changed",
        "editor",
        "viewer",
    )


async def test_the_owner_is_protected(studio: Studio, client: httpx.AsyncClient) -> None:
    admin = await studio.join("admin")
    owner_url = f"{TEAM}/members/{studio.owner}"
    to_viewer = {"data": {"type": "teamMemberRole", "attributes": {"role": "viewer"}}}
    to_owner = {"data": {"type": "teamMemberRole", "attributes": {"role": "owner"}}}
    assert (
        error(await client.patch(owner_url, headers=auth(admin), json=to_viewer), 422)["code"]
        == "OWNER_PROTECTED"
    )
    assert error(await client.delete(owner_url, headers=auth(admin)), 422)["code"] == (
        "OWNER_PROTECTED"
    )
    # The owner cannot leave nor demote themself: transfer first.
    assert error(await client.delete(owner_url, headers=auth(studio.owner)), 422)["code"] == (
        "OWNER_PROTECTED"
    )
    assert (
        error(await client.patch(owner_url, headers=auth(studio.owner), json=to_viewer), 422)[
            "code"
        ]
        == "OWNER_PROTECTED"
    )
    made_owner = await client.patch(
        f"{TEAM}/members/{admin}", headers=auth(studio.owner), json=to_owner
    )
    assert error(made_owner, 422)["code"] == "OWNERSHIP_TRANSFER_REQUIRED"
    transfer = {"data": {"type": "ownershipTransfer", "attributes": {"user_id": str(admin)}}}
    refused = await client.post(f"{TEAM}/ownership-transfer", headers=auth(admin), json=transfer)
    assert error(refused, 403)["code"] == "TEAM_ROLE_FORBIDS"
    assert (await studio.roles())[studio.owner] == "owner"


async def test_the_database_holds_one_owner(studio: Studio) -> None:
    with pytest.raises(IntegrityError):
        async with studio.infrastructure.session_factory.begin() as session:
            await session.execute(
                insert(team_members).values(
                    developer_id=studio.developer_id,
                    user_id=uuid.uuid4(),
                    role="owner",
                    joined_at=text("now()"),
                )
            )


async def test_members_are_removed_and_leave(studio: Studio, client: httpx.AsyncClient) -> None:
    admin, editor, viewer = [await studio.join(r) for r in ("admin", "editor", "viewer")]
    denied = await client.delete(f"{TEAM}/members/{viewer}", headers=auth(editor))
    assert error(denied, 403)["code"] == "TEAM_ROLE_FORBIDS"
    assert (await client.delete(f"{TEAM}/members/{editor}", headers=auth(admin))).status_code == 204
    assert (
        await client.delete(f"{TEAM}/members/{viewer}", headers=auth(viewer))
    ).status_code == 204
    missing = await client.delete(f"{TEAM}/members/{uuid.uuid4()}", headers=auth(admin))
    assert error(missing, 404)["code"] == "MEMBER_NOT_FOUND"
    assert set(await studio.roles()) == {studio.owner, admin}
    # Gone means gone: the removed editor is in no account now.
    error(await client.get(TEAM, headers=auth(editor)), 404)
    changes = [
        (e["change"], e["user_id"]) for e in await studio.events("developer.team.member.changed.v1")
    ]
    assert changes[-2:] == [("removed", str(editor)), ("left", str(viewer))]


async def test_ownership_moves_to_a_member_and_the_old_owner_becomes_admin(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    finance = await studio.join("finance")
    missing = {"data": {"type": "ownershipTransfer", "attributes": {"user_id": str(uuid.uuid4())}}}
    answer = await client.post(
        f"{TEAM}/ownership-transfer", headers=auth(studio.owner), json=missing
    )
    assert error(answer, 404)["code"] == "MEMBER_NOT_FOUND"
    to_self = {"data": {"type": "ownershipTransfer", "attributes": {"user_id": str(studio.owner)}}}
    answer = await client.post(
        f"{TEAM}/ownership-transfer", headers=auth(studio.owner), json=to_self
    )
    assert error(answer, 422)["code"] == "ALREADY_OWNER"

    body = {"data": {"type": "ownershipTransfer", "attributes": {"user_id": str(finance)}}}
    answer = await client.post(f"{TEAM}/ownership-transfer", headers=auth(studio.owner), json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attributes"]["role"] == "owner"
    assert await studio.roles() == {studio.owner: "admin", finance: "owner"}
    me = (await client.get(f"{PREFIX}/accounts/me", headers=auth(finance))).json()["data"]
    assert (me["attributes"]["my_role"], me["attributes"]["owner_user_id"]) == (
        "owner",
        str(finance),
    )
    async with studio.infrastructure.session_factory() as session:
        owner = await session.scalar(
            text("SELECT owner_user_id FROM developer_accounts WHERE id = :id"),
            {"id": studio.developer_id},
        )
    assert owner == finance
    [event] = await studio.events("developer.team.ownership.transferred.v1")
    assert (event["previous_owner_user_id"], event["owner_user_id"]) == (
        str(studio.owner),
        str(finance),
    )
    # The former owner, an admin now, may leave; the new owner may not.
    assert (
        await client.delete(f"{TEAM}/members/{studio.owner}", headers=auth(studio.owner))
    ).status_code == 204
    error(await client.delete(f"{TEAM}/members/{finance}", headers=auth(finance)), 422)


# --- the invitee's e-mail from the token -----------------------------------------------------


@pytest.fixture(scope="module")
async def plain_client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    """The app as the service builds it: the invitee's e-mail comes from the token."""
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        yield http


async def test_a_real_token_carrying_the_email_accepts_an_invitation_by_email(
    studio: Studio, plain_client: httpx.AsyncClient
) -> None:
    address = f"{uuid.uuid4().hex[:12]}@example.com"
    invitation = await studio.invite("viewer", email=address)
    user = uuid.uuid4()
    with_email = {"Authorization": f"Bearer {user_token(str(user), email=address.upper())}"}
    without = {"Authorization": f"Bearer {user_token(str(user))}"}
    accept = f"{TEAM}/invitations/{invitation['id']}/accept"
    error(await plain_client.post(accept, headers=without), 404)
    mine = await plain_client.get(f"{TEAM}/invitations/mine", headers=with_email)
    assert [item["id"] for item in mine.json()["data"]] == [invitation["id"]]
    accepted = await plain_client.post(accept, headers=with_email)
    assert accepted.status_code == 200, accepted.text
    assert (await studio.roles())[user] == "viewer"


async def test_the_invitee_email_is_read_from_a_verified_claim_only() -> None:
    user = uuid.uuid4()

    def principal(**claims: object) -> Principal:
        return Principal(subject=str(user), claims=MappingProxyType({"sub": str(user), **claims}))

    verified = await current_invitee(user, principal(email="a@example.com", email_verified=True))
    assert verified == Invited(user, "a@example.com")
    unverified = await current_invitee(user, principal(email="a@example.com"))
    assert unverified == Invited(user, None)
    assert await current_invitee(user, principal()) == Invited(user, None)


# --- at the same time ------------------------------------------------------------------------


async def test_two_transfers_at_once_leave_exactly_one_owner(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    first, second = await studio.join("admin"), await studio.join("editor")

    def transfer(to: uuid.UUID) -> Any:
        body = {"data": {"type": "ownershipTransfer", "attributes": {"user_id": str(to)}}}
        return client.post(f"{TEAM}/ownership-transfer", headers=auth(studio.owner), json=body)

    answers = await asyncio.gather(transfer(first), transfer(second))
    # The second, in line behind the team lock, finds its caller an admin now.
    assert sorted(answer.status_code for answer in answers) == [200, 403]
    roles = await studio.roles()
    assert roles[studio.owner] == "admin"
    assert {roles[first], roles[second]} in ({"owner", "editor"}, {"admin", "owner"})
    async with studio.infrastructure.session_factory() as session:
        owners = await session.scalar(
            text("SELECT count(*) FROM team_members WHERE developer_id = :id AND role = 'owner'"),
            {"id": studio.developer_id},
        )
    assert owners == 1


async def test_invitations_of_one_person_at_once_make_one_pending(
    studio: Studio, client: httpx.AsyncClient
) -> None:
    user = uuid.uuid4()

    def send() -> Any:
        body = {
            "data": {
                "type": "teamInvitation",
                "attributes": {"role": "viewer", "user_id": str(user)},
            }
        }
        return client.post(f"{TEAM}/invitations", headers=auth(studio.owner), json=body)

    answers = await asyncio.gather(*(send() for _ in range(3)))
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409]
    mine = await client.get(f"{TEAM}/invitations/mine", headers=auth(user))
    assert len(mine.json()["data"]) == 1

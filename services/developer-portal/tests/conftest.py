"""Fixtures of developer-portal's finance tests: the real infrastructure (PostgreSQL, Redis,
broker, the auth stand-in's real tokens), the app built the way the service builds it, and a
developer account ("studio") with team members of each role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.main import SERVICE
from parovoz_developer_portal.settings import DeveloperPortalSettings
from parovoz_developer_portal.tables import team_members
from parovoz_kit.infrastructure import Infrastructure, open_infrastructure
from parovoz_kit.service import build_app, job_runner
from parovoz_testing.tokens import user_token
from sqlalchemy import insert, text

PREFIX = "/api/v1/developer"
FINANCE = f"{PREFIX}/finance"

#: Real-world details: Sberbank's БИК and correspondent account, Sberbank's own ИНН/КПП, and a
#: settlement account whose control key matches the БИК.
SBERBANK = {
    "recipient_name": "ООО «Студия Выплат»",
    "inn": "7707083893",
    "kpp": "773601001",
    "bik": "044525225",
    "account_number": "40702810938000000001",
    "correspondent_account": "30101810400000000225",
    "bank_name": "ПАО Сбербанк",
}


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


def method_body(**changes: Any) -> dict[str, Any]:
    return {"data": {"type": "payoutMethods", "attributes": {**SBERBANK, **changes}}}


def finance_settings(**overrides: Any) -> DeveloperPortalSettings:
    # The balance pre-check asks payment; most tests pay out without a balance there.
    return DeveloperPortalSettings(
        environment="test", **{"payout_balance_precheck": False, **overrides}
    )


@pytest.fixture(scope="module")
async def infrastructure() -> AsyncIterator[Infrastructure]:
    async with open_infrastructure(finance_settings()) as infra:
        yield infra


@pytest.fixture(scope="module")
async def client(infrastructure: Infrastructure) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SERVICE, infrastructure, job_runner(SERVICE, infrastructure))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
        yield http


class Studio:
    """A developer account (owner = a fresh user) and a way to add members with a role."""

    details = SBERBANK
    auth = staticmethod(auth)
    method_body = staticmethod(method_body)
    finance = FINANCE

    def __init__(self, client: httpx.AsyncClient, infrastructure: Infrastructure) -> None:
        self.client, self.infrastructure = client, infrastructure
        self.owner = uuid.uuid4()

    async def open(self) -> Studio:
        answer = await self.client.post(
            f"{PREFIX}/accounts",
            headers=auth(self.owner),
            json={
                "data": {
                    "type": "developerAccountCreation",
                    "attributes": {
                        "company_name": "Студия Выплат",
                        "legal_entity_type": "llc",
                        "tax_id": "7707083893",
                        "contact_email": "finance@example.com",
                        "country_code": "RU",
                    },
                }
            },
        )
        assert answer.status_code == 201, answer.text
        self.developer_id = uuid.UUID(answer.json()["data"]["id"])
        return self

    async def member(self, role: str) -> uuid.UUID:
        user_id = uuid.uuid4()
        async with self.infrastructure.session_factory.begin() as session:
            await session.execute(
                insert(team_members).values(
                    developer_id=self.developer_id,
                    user_id=user_id,
                    role=role,
                    joined_at=text("now()"),
                )
            )
        return user_id

    async def add_method(self, user_id: uuid.UUID | None = None, **changes: Any) -> dict:
        answer = await self.client.post(
            f"{FINANCE}/payout-methods",
            json=method_body(**changes),
            headers=auth(user_id or self.owner),
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]


@pytest.fixture
def new_studio(
    client: httpx.AsyncClient, infrastructure: Infrastructure
) -> Callable[[], Awaitable[Studio]]:
    return lambda: Studio(client, infrastructure).open()


@pytest.fixture
async def studio(new_studio: Callable[[], Awaitable[Studio]]) -> Studio:
    return await new_studio()

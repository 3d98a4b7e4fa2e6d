"""Every developer-portal endpoint against every caller: the five team roles, an API key of the
account, the owner of another account and no credentials at all, with PRODUCT.md's rights.

The table below holds one rule per route; the app's own OpenAPI document is compared with it,
so a route added without a rule (or a rule left for a route gone) fails the test. "Allowed"
means anything but 401/403 (the request may still be refused for what it asks: 404, 409, 422);
"denied" is 403 for a member whose role lacks the right, 401 for an API key outside versions,
builds and submit-for-review (and for no credentials anywhere), and 404 for another account's
owner on every route naming an id of this account: other tenants' ids never reach data.

Rights (PRODUCT.md, Developer portal): owner everything; admin everything but deleting the
account or changing the owner; editor games, metadata, media, versions, builds, submit for
review (and publication); finance balance and payouts; viewer reads. The money side (payout
methods, payouts, balance, ledger, sales) is owner, admin and finance only: its reads carry
bank details and revenue, beyond the viewer's "read only" of the games. API keys are managed
by owner and admin (MANAGE_TEAM). A key acts as an editor on versions, builds and review only.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from parovoz_developer_portal.tables import team_members
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.tokens import user_token
from sqlalchemy import insert, text

PREFIX = "/api/v1/developer"
ROLES = ("owner", "admin", "editor", "finance", "viewer")
EVERYONE = frozenset(ROLES)
GAMES = frozenset({"owner", "admin", "editor"})
MONEY = frozenset({"owner", "admin", "finance"})
TEAM = frozenset({"owner", "admin"})


@dataclass(frozen=True)
class Rule:
    #: Roles allowed; None: a public route (no credentials needed).
    roles: frozenset[str] | None
    #: Whether an API key may call it (as its account's editor).
    key: bool = False
    #: The request body when the route's OpenAPI example does not fit (or it has none).
    body: Any = None


PUBLIC = Rule(None)
READ = Rule(EVERYONE)
WRITE = Rule(GAMES)
KEY_READ = Rule(EVERYONE, key=True)
KEY_WRITE = Rule(GAMES, key=True)

#: (method, path under the prefix) -> rule, in the order the test runs them: reads, writes,
#: then the routes that remove or move things (so they do not pull the ground from under the
#: others).
RULES: dict[tuple[str, str], Rule] = {
    # --- public ---------------------------------------------------------------------------------
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", ""): PUBLIC,
    # --- reads ------------------------------------------------------------------------------------
    ("GET", "/accounts/me"): READ,
    ("GET", "/games"): READ,
    ("GET", "/games/{game_id}"): READ,
    ("GET", "/games/{game_id}/metadata"): READ,
    ("GET", "/games/{game_id}/metadata/{language_code}"): READ,
    ("GET", "/games/{game_id}/prices"): READ,
    ("GET", "/games/{game_id}/discounts"): READ,
    ("GET", "/games/{game_id}/media"): READ,
    ("GET", "/games/{game_id}/media/{media_id}"): READ,
    ("GET", "/games/{game_id}/releases"): READ,
    ("GET", "/games/{game_id}/versions"): KEY_READ,
    ("GET", "/games/{game_id}/versions/{version_id}"): KEY_READ,
    ("GET", "/games/{game_id}/versions/{version_id}/builds/{build_id}"): KEY_READ,
    ("GET", "/games/{game_id}/versions/{version_id}/builds/{build_id}/parts"): KEY_READ,
    ("GET", "/games/{game_id}/versions/{version_id}/review"): KEY_READ,
    ("GET", "/api-keys"): Rule(TEAM),
    ("GET", "/finance/payout-methods"): Rule(MONEY),
    ("GET", "/finance/payout-methods/{method_id}"): Rule(MONEY),
    ("GET", "/finance/payouts/requests"): Rule(MONEY),
    ("GET", "/finance/payouts/requests/{request_id}"): Rule(MONEY),
    ("GET", "/finance/payout-schedule"): Rule(MONEY),
    ("GET", "/finance/balance"): Rule(MONEY),
    ("GET", "/finance/ledger"): Rule(MONEY),
    ("GET", "/finance/sales"): Rule(MONEY),
    # --- writes -----------------------------------------------------------------------------------
    ("POST", "/accounts"): READ,  # any signed-in user (a member is refused for what, not who)
    ("POST", "/games"): WRITE,
    ("PATCH", "/games/{game_id}"): WRITE,
    ("PUT", "/games/{game_id}/metadata/{language_code}"): WRITE,
    ("PUT", "/games/{game_id}/prices"): WRITE,
    ("POST", "/games/{game_id}/discounts"): WRITE,
    ("POST", "/games/{game_id}/media/upload-url"): WRITE,
    ("POST", "/games/{game_id}/media/{media_id}/upload-complete"): WRITE,
    ("PUT", "/games/{game_id}/media/order"): WRITE,
    ("POST", "/games/{game_id}/versions"): KEY_WRITE,
    ("POST", "/games/{game_id}/versions/{version_id}/builds/upload-url"): KEY_WRITE,
    ("POST", "/games/{game_id}/versions/{version_id}/builds/{build_id}/parts"): Rule(
        GAMES,
        key=True,
        body={"data": {"type": "buildPartUrls", "attributes": {"part_numbers": [1, 2]}}},
    ),
    ("POST", "/games/{game_id}/versions/{version_id}/builds/upload-complete"): KEY_WRITE,
    ("POST", "/games/{game_id}/versions/{version_id}/submit-for-review"): KEY_WRITE,
    ("POST", "/api-keys"): Rule(TEAM),
    ("POST", "/finance/payout-methods"): Rule(MONEY),
    ("POST", "/finance/payout-methods/{method_id}/default"): Rule(MONEY),
    ("POST", "/finance/payouts/requests"): Rule(MONEY),
    ("PUT", "/finance/payout-schedule"): Rule(MONEY),
    # --- removals and moves -----------------------------------------------------------------------
    ("POST", "/games/{game_id}/publish"): WRITE,
    ("POST", "/games/{game_id}/rollback"): Rule(
        GAMES,
        body={"data": {"type": "gameRollback", "attributes": {"version_id": str(uuid.uuid4())}}},
    ),
    ("POST", "/games/{game_id}/unpublish"): WRITE,
    ("DELETE", "/games/{game_id}/metadata/{language_code}"): WRITE,
    ("DELETE", "/games/{game_id}/discounts/{discount_id}"): WRITE,
    ("DELETE", "/games/{game_id}/media/{media_id}"): WRITE,
    ("DELETE", "/games/{game_id}/versions/{version_id}/builds/{build_id}"): KEY_WRITE,
    ("DELETE", "/api-keys/{key_id}"): Rule(TEAM),
    ("DELETE", "/finance/payout-methods/{method_id}"): Rule(MONEY),
    ("POST", "/games/{game_id}/archive"): WRITE,
    # --- team and invitations (issue #16) ---------------------------------------------------------
    # Ids are made up (``invitation_id``, ``user_id``): the role is checked before the lookup, so
    # a role without the right is 403 and one with it 404; nobody's membership changes here.
    ("GET", "/team"): READ,
    ("GET", "/team/invitations"): Rule(TEAM),
    ("GET", "/team/invitations/mine"): READ,  # any signed-in user: invitations to them
    ("POST", "/team/invitations"): Rule(TEAM),
    ("POST", "/team/invitations/{invitation_id}/revoke"): Rule(TEAM),
    ("POST", "/team/invitations/{invitation_id}/accept"): READ,  # the invitee (404 for others)
    ("POST", "/team/invitations/{invitation_id}/decline"): READ,
    ("PATCH", "/team/members/{user_id}"): Rule(TEAM),
    ("DELETE", "/team/members/{user_id}"): Rule(TEAM),
    ("POST", "/team/ownership-transfer"): Rule(frozenset({"owner"})),
    # --- notifications (issue #16) ----------------------------------------------------------------
    # Any member's inbox. The stream answers 406 to a client not asking for text/event-stream
    # (this test's), after authentication: still "allowed" for every role.
    ("GET", "/notifications"): READ,
    ("GET", "/notifications/stream"): READ,
    ("POST", "/notifications/{notification_id}/read"): READ,
    ("POST", "/notifications/read-all"): READ,
    # --- beta tests (issue #16) -------------------------------------------------------------------
    # Team side: the game is checked (404 for another tenant), then the role, then the made-up
    # ``beta_id``/``code_id`` (404 for a role with the right). Player side (``/beta/...``): any
    # signed-in user, a member or not; a test they are not in is 404 ``BETA_NOT_PARTICIPANT``,
    # as another tenant's id is; an API key is no user (401).
    ("GET", "/games/{game_id}/beta-tests"): READ,
    ("GET", "/games/{game_id}/beta-tests/{beta_id}"): READ,
    ("GET", "/games/{game_id}/beta-tests/{beta_id}/codes"): READ,
    ("GET", "/games/{game_id}/beta-tests/{beta_id}/participants"): READ,
    ("GET", "/games/{game_id}/beta-tests/{beta_id}/feedback"): READ,
    ("GET", "/beta/mine"): READ,
    ("POST", "/games/{game_id}/beta-tests"): WRITE,
    ("PATCH", "/games/{game_id}/beta-tests/{beta_id}"): WRITE,
    ("POST", "/games/{game_id}/beta-tests/{beta_id}/codes"): WRITE,
    ("POST", "/games/{game_id}/beta-tests/{beta_id}/open"): WRITE,
    ("POST", "/beta/join"): READ,
    ("POST", "/beta/{beta_id}/feedback"): READ,
    ("POST", "/beta/{beta_id}/leave"): READ,
    ("POST", "/games/{game_id}/beta-tests/{beta_id}/codes/{code_id}/revoke"): WRITE,
    ("POST", "/games/{game_id}/beta-tests/{beta_id}/end"): WRITE,
    ("POST", "/games/{game_id}/beta-tests/{beta_id}/cancel"): WRITE,
}


def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(str(user_id))}"}


@dataclass
class Tenant:
    """An account with a member of each role, resources of each kind, and callers."""

    callers: dict[str, dict[str, str]]
    ids: dict[str, str]
    examples: dict[tuple[str, str], Any]


async def _open_account(client: httpx.AsyncClient, owner: uuid.UUID) -> str:
    answer = await client.post(
        f"{PREFIX}/accounts",
        headers=auth(owner),
        json={
            "data": {
                "type": "developerAccountCreation",
                "attributes": {
                    "company_name": "Студия Матрицы",
                    "legal_entity_type": "llc",
                    "tax_id": "7707083893",
                    "contact_email": "matrix@example.com",
                    "country_code": "RU",
                },
            }
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["id"])


async def _created(client: httpx.AsyncClient, path: str, owner: dict, body: Any) -> str:
    """The id of a resource the owner creates (a made-up one if the route refuses: the rows
    needing it then check the role on an unknown id, which the report shows)."""
    answer = await client.post(f"{PREFIX}{path}", headers=owner, json=body)
    if answer.status_code not in (200, 201):
        return str(uuid.uuid4())
    return str(answer.json()["data"]["id"])


def _examples(document: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """The first example body of each operation (from its schema's ``examples``)."""
    schemas = document["components"]["schemas"]
    found: dict[tuple[str, str], Any] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
            if schema.get("examples"):
                found[(method.upper(), path.removeprefix(PREFIX))] = schema["examples"][0]
    return found


@pytest.fixture(scope="module")
async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get(f"{PREFIX}/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


@pytest.fixture(scope="module")
async def tenant(
    client: httpx.AsyncClient, infrastructure: Infrastructure, openapi: dict[str, Any]
) -> AsyncIterator[Tenant]:
    examples = _examples(openapi)
    owner = uuid.uuid4()
    developer_id = await _open_account(client, owner)
    users = {"owner": owner}
    async with infrastructure.session_factory.begin() as session:
        for role in ROLES[1:]:
            users[role] = uuid.uuid4()
            await session.execute(
                insert(team_members).values(
                    developer_id=developer_id,
                    user_id=users[role],
                    role=role,
                    joined_at=text("now()"),
                )
            )
    callers = {role: auth(user) for role, user in users.items()}
    stranger = uuid.uuid4()
    await _open_account(client, stranger)
    callers["stranger"] = auth(stranger)
    callers["anonymous"] = {}
    as_owner = callers["owner"]

    game_id = await _created(
        client,
        "/games",
        as_owner,
        {
            "data": {
                "type": "productCreation",
                "attributes": {"title": f"Матрица {uuid.uuid4().hex[:8]}", "product_type": "game"},
            }
        },
    )
    version_id = await _created(
        client,
        f"/games/{game_id}/versions",
        as_owner,
        {
            "data": {
                "type": "gameVersionCreation",
                "attributes": {"version_name": "1.0.0", "changelog": {"ru-RU": "Первая"}},
            }
        },
    )
    build_id = await _created(
        client,
        f"/games/{game_id}/versions/{version_id}/builds/upload-url",
        as_owner,
        {
            "data": {
                "type": "buildUploadRequest",
                "attributes": {
                    "file_name": "game.zip",
                    "file_size_bytes": 6 * 1024**3,  # multipart: it has parts
                    "content_type": "application/zip",
                    "platform": "windows_x64",
                },
            }
        },
    )
    media_example = examples.get(("POST", "/games/{game_id}/media/upload-url"), {})
    media_id = await _created(client, f"/games/{game_id}/media/upload-url", as_owner, media_example)
    discount_example = examples.get(("POST", "/games/{game_id}/discounts"), {})
    discount_id = await _created(client, f"/games/{game_id}/discounts", as_owner, discount_example)
    method_example = examples.get(("POST", "/finance/payout-methods"), {})
    method_id = await _created(client, "/finance/payout-methods", as_owner, method_example)
    key_body = {"data": {"type": "apiKeyCreation", "attributes": {"name": "matrix"}}}
    key_id = await _created(client, "/api-keys", as_owner, key_body)
    acting_key = await client.post(f"{PREFIX}/api-keys", headers=as_owner, json=key_body)
    callers["key"] = {"X-Api-Key": acting_key.json()["data"]["attributes"]["key"]}
    yield Tenant(
        callers=callers,
        ids={
            "game_id": game_id,
            "version_id": version_id,
            "build_id": build_id,
            "media_id": media_id,
            "discount_id": discount_id,
            "method_id": method_id,
            "request_id": str(uuid.uuid4()),
            "key_id": key_id,
            "language_code": "ru-RU",
            **{"invitation_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4())},  # team
            **{"beta_id": str(uuid.uuid4()), "code_id": str(uuid.uuid4())},  # beta tests
            "notification_id": str(uuid.uuid4()),  # notifications
        },
        examples=examples,
    )


def expected(rule: Rule, caller: str, has_ids: bool) -> str | None:
    """`allowed`, or the status a denial answers; None: not asked of this caller."""
    if rule.roles is None:
        return "allowed"
    if caller == "anonymous":
        return "401"
    if caller == "stranger":
        return "404" if has_ids else None  # without ids they act on their own account
    if caller == "key":
        if not rule.key:
            return "401"
        caller = "editor"
    return "allowed" if caller in rule.roles else "403"


def test_every_route_of_the_app_has_a_rule_and_every_rule_a_route(
    openapi: dict[str, Any],
) -> None:
    routes = {
        (method.upper(), path.removeprefix(PREFIX))
        for path, operations in openapi["paths"].items()
        for method in operations
    }
    assert sorted(routes - RULES.keys()) == [], "routes without a rule in RULES"
    assert sorted(RULES.keys() - routes) == [], "rules for routes the app no longer has"


def test_the_routes_an_api_key_may_call_are_the_ones_documenting_it(
    openapi: dict[str, Any],
) -> None:
    documented = {
        (method.upper(), path.removeprefix(PREFIX))
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if any("ApiKey" in scheme for scheme in operation.get("security", []))
    }
    assert documented == {route for route, rule in RULES.items() if rule.key}


@pytest.mark.parametrize(("method", "path"), list(RULES), ids=[f"{m} {p}" for m, p in RULES])
async def test_each_caller_gets_what_its_rights_allow(
    client: httpx.AsyncClient, tenant: Tenant, method: str, path: str
) -> None:
    rule = RULES[(method, path)]
    url = PREFIX + path.format(**tenant.ids)
    body = rule.body if rule.body is not None else tenant.examples.get((method, path))
    has_ids = "{" in path
    # Denials first, so an allowed caller's change (a removal) cannot hide a wrong answer.
    plan = [(caller, expected(rule, caller, has_ids)) for caller in tenant.callers]
    plan = sorted(((c, e) for c, e in plan if e is not None), key=lambda item: item[1] == "allowed")
    wrong = []
    for caller, expectation in plan:
        # A fresh Idempotency-Key each time: a route requiring one checks it before the role.
        answer = await client.request(
            method,
            url,
            headers={**tenant.callers[caller], "Idempotency-Key": str(uuid.uuid4())},
            json=body if method in ("POST", "PUT", "PATCH") else None,
        )
        status = answer.status_code
        ok = status not in (401, 403) if expectation == "allowed" else str(status) == expectation
        if not ok:
            wrong.append(f"{caller}: expected {expectation}, got {status} {answer.text[:200]}")
    assert wrong == [], f"{method} {path}"

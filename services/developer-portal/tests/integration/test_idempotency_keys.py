"""Every developer-portal route that takes an Idempotency-Key hands its work to the kit's one
mechanism (run_idempotent, or run_with_optional_key around it), which fingerprints the request:
the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, never a replay of the first
answer; a product creation shows it."""

from __future__ import annotations

import inspect
import uuid

from parovoz_developer_portal.main import SERVICE
from parovoz_kit.infrastructure import Infrastructure
from parovoz_testing.routes import keyed_routes

PREFIX = "/api/v1/developer"
KIT_RUNNERS = ("run_idempotent(", "run_with_optional_key(")


def test_every_route_taking_a_key_runs_through_the_kit(infrastructure: Infrastructure) -> None:
    routes = keyed_routes(SERVICE.routers(infrastructure))

    assert {f"{PREFIX}/games", f"{PREFIX}/finance/payouts/requests"} <= {
        route.path for route in routes
    }
    for route in routes:
        source = inspect.getsource(route.endpoint)
        assert any(name in source for name in KIT_RUNNERS), (route.path, route.methods)


async def test_a_product_creation_refuses_another_body_under_the_same_key(studio) -> None:
    headers = studio.auth(studio.owner) | {"Idempotency-Key": str(uuid.uuid4())}
    title = f"Игра {uuid.uuid4()}"

    def body(title: str) -> dict:
        attributes = {"title": title, "product_type": "game"}
        return {"data": {"type": "productCreation", "attributes": attributes}}

    first = await studio.client.post(f"{PREFIX}/games", json=body(title), headers=headers)
    changed = await studio.client.post(f"{PREFIX}/games", json=body(f"{title}!"), headers=headers)
    again = await studio.client.post(f"{PREFIX}/games", json=body(title), headers=headers)

    assert first.status_code == 201, first.text
    assert changed.status_code == 422, changed.text
    assert changed.json()["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (again.status_code, again.json()) == (201, first.json())

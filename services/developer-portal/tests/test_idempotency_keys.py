"""Every developer-portal route that takes an Idempotency-Key hands its work to the kit's one
mechanism (run_idempotent, or run_with_optional_key around it), which fingerprints the request:
the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, never a replay of the first
answer; a product creation shows it."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterable, Iterator

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, BaseRoute
from parovoz_developer_portal.main import SERVICE
from parovoz_kit.idempotency.rest import optional_idempotency_key, require_idempotency_key
from parovoz_kit.infrastructure import Infrastructure

PREFIX = "/api/v1/developer"
KIT_RUNNERS = ("run_idempotent(", "run_with_optional_key(")


def keyed_routes(routers: Iterable[APIRouter]) -> list[APIRoute]:
    """The routes that take an Idempotency-Key (the kit's dependency, required or optional)."""

    def routes_of(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            included = getattr(route, "original_router", None)  # a router included in another
            if isinstance(included, APIRouter):
                yield from routes_of(included.routes)

    def takes_key(dependant: Dependant) -> bool:
        return any(
            dependency.call in (require_idempotency_key, optional_idempotency_key)
            or takes_key(dependency)
            for dependency in dependant.dependencies
        )

    return [
        route
        for router in routers
        for route in routes_of(router.routes)
        if takes_key(route.dependant)
    ]


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

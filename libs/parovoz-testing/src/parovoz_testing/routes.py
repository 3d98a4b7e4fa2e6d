"""What a service's routers declare, for tests that hold every route to a kit mechanism."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, BaseRoute
from parovoz_kit.idempotency.rest import optional_idempotency_key, require_idempotency_key


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, routers included in other routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # a router included in another
        if isinstance(included, APIRouter):
            yield from api_routes(included.routes)


def _takes_key(dependant: Dependant) -> bool:
    return any(
        dependency.call in (require_idempotency_key, optional_idempotency_key)
        or _takes_key(dependency)
        for dependency in dependant.dependencies
    )


def keyed_routes(routers: Iterable[APIRouter]) -> list[APIRoute]:
    """The routes that take an Idempotency-Key (the kit's dependency, required or optional)."""
    return [
        route
        for router in routers
        for route in api_routes(router.routes)
        if _takes_key(route.dependant)
    ]

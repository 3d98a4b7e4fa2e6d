"""The app factory every service uses: probes on real engines, error format, offline docs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import APIRouter
from parovoz_kit.http import create_app
from parovoz_kit.infrastructure import open_infrastructure
from parovoz_kit.settings import ServiceSettings
from pydantic import BaseModel, Field

PREFIX = "/api/v1/kit"


class _Order(BaseModel):
    quantity: int = Field(ge=1)


def _orders_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    @router.post("/orders")
    async def create_order(order: _Order) -> dict[str, int]:
        return {"quantity": order.quantity}

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret-internal-detail")

    return router


async def _client(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with open_infrastructure(settings) as infrastructure:
        app = create_app(
            settings,
            title="Kit test",
            description="test app",
            routers=[_orders_router()],
            readiness_checks=infrastructure.readiness_checks(),
        )
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
            yield client


@pytest.fixture
async def client(kit_settings: Callable[..., ServiceSettings]) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(kit_settings()):
        yield c


@pytest.mark.parametrize("path", ["/health", f"{PREFIX}/health"])
async def test_health_answers_at_root_and_under_prefix(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.json()["service"] == "kit-test"
    assert response.headers["x-served-by"] == "kit-test"


async def test_ready_when_database_redis_and_broker_are_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"database": "up", "redis": "up", "broker": "up"}


async def test_not_ready_when_a_dependency_is_down(
    kit_settings: Callable[..., ServiceSettings],
) -> None:
    # Port 1 on loopback refuses connections: Redis is "down", the rest is up.
    settings = kit_settings(redis_url="redis://127.0.0.1:1/0", readiness_timeout_seconds=1.0)
    async for client in _client(settings):
        response = await client.get(f"{PREFIX}/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"
    assert response.json()["checks"]["database"] == "up"


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.post(f"{PREFIX}/orders", json={"quantity": 2})
    body = (await client.get("/metrics")).text
    assert 'http_requests_total{method="POST",route="/api/v1/kit/orders",status="200"}' in body


async def test_validation_errors_use_the_error_format_with_a_pointer(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(f"{PREFIX}/orders", json={"quantity": 0})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["status"] == "400"
    assert error["code"] == "VALIDATION_ERROR"
    assert error["source"] == {"pointer": "/quantity"}
    assert error["detail"] == "Значение должно быть не меньше 1."


async def test_unknown_path_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{PREFIX}/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "RESOURCE_NOT_FOUND"


async def test_unhandled_error_is_500_without_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get(f"{PREFIX}/boom")
    [record] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert record.exc_info is None, "no stack trace in logs"
    assert record.error_type == "RuntimeError"
    assert "test_http_app:" in record.error_origin  # where it was raised, not what it said
    assert "secret-internal-detail" not in str(record.__dict__)
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "INTERNAL_ERROR"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "secret-internal-detail" not in response.text
    assert "Traceback" not in response.text


async def test_swagger_ui_loads_its_assets_from_the_service(client: httpx.AsyncClient) -> None:
    page = await client.get(f"{PREFIX}/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert f"{PREFIX}/docs/static/swagger-ui-bundle.js" in page.text
    asset = await client.get(f"{PREFIX}/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    spec = await client.get(f"{PREFIX}/openapi.json")
    assert f"{PREFIX}/orders" in spec.json()["paths"]


async def test_metrics_label_prefixed_probes_with_their_full_template(
    client: httpx.AsyncClient,
) -> None:
    await client.get(f"{PREFIX}/health")
    body = (await client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/v1/kit/health",status="200"}' in body


async def test_the_service_index_yields_the_prefix_to_a_collection_living_there(
    kit_settings: Callable[..., ServiceSettings],
) -> None:
    settings = kit_settings()
    collection = APIRouter(prefix=PREFIX)

    @collection.get("")
    async def mine() -> dict[str, list[str]]:
        return {"data": ["mine"]}

    app = create_app(settings, title="Kit test", description="test app", routers=[collection])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        assert (await client.get(PREFIX)).json() == {"data": ["mine"]}
    assert list(app.openapi()["paths"][PREFIX]) == ["get"]
    plain = create_app(settings, title="Kit test", description="test app", routers=[])
    transport = httpx.ASGITransport(app=plain)
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        assert (await client.get(PREFIX)).json()["service"] == "kit-test"

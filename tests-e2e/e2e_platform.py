"""Where the platform's parts listen (the architecture's ports), for the end-to-end tests."""

from __future__ import annotations

import os
from dataclasses import dataclass

GATEWAY = os.environ.get("PAROVOZ_GATEWAY_URL", "http://127.0.0.1:8080")


@dataclass(frozen=True)
class ServiceUnderTest:
    name: str
    prefix: str
    http_port: int
    grpc_port: int
    grpc_service: str


SERVICES = [
    ServiceUnderTest(
        "developer-portal", "/api/v1/developer", 8081, 9091, "parovoz.developer.v1.DeveloperService"
    ),
    ServiceUnderTest(
        "greenlight", "/api/v1/greenlight", 8082, 9092, "parovoz.greenlight.v1.GreenlightService"
    ),
    ServiceUnderTest(
        "subscription",
        "/api/v1/subscriptions",
        8083,
        9093,
        "parovoz.subscription.v1.SubscriptionService",
    ),
    ServiceUnderTest(
        "payment", "/api/v1/payments", 8084, 9094, "parovoz.payment.v1.PaymentService"
    ),
]

AUTH = os.environ.get("PAROVOZ_AUTH_URL", "http://127.0.0.1:8090")
DATABASES = {
    name: f"postgresql://{name}:{name}-dev-password@127.0.0.1:55432/{name}"
    for name in ("developer", "greenlight", "subscription", "payment")
}


def user_token(user_id: str, roles: tuple[str, ...] = ()) -> str:
    """A real RS256 user token from the auth stand-in."""
    import httpx

    response = httpx.post(
        f"{AUTH}/tokens", json={"sub": user_id, "roles": list(roles), "ttl_seconds": 600}
    )
    response.raise_for_status()
    return response.json()["access_token"]


def service_token(name: str) -> str:
    """A real service token for ``name`` (client credentials, the local development secret)."""
    import httpx

    response = httpx.post(
        f"{AUTH}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": name,
            "client_secret": f"{name}-dev-secret",
        },
    )
    response.raise_for_status()
    return response.json()["access_token"]


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.2):
    """Poll ``predicate`` until it returns something truthy (events are a little late)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)

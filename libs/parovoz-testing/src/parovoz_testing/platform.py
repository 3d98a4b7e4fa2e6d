"""Where the running platform's parts listen (the architecture's ports; env overrides), for any
test that talks to the running platform: the end-to-end tests and the services' own."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

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

T = TypeVar("T")

AUTH = os.environ.get("PAROVOZ_AUTH_URL", "http://127.0.0.1:8090")
DATABASES = {
    name: f"postgresql://{name}:{name}-dev-password@127.0.0.1:55432/{name}"
    for name in ("developer", "greenlight", "subscription", "payment")
}


def wait_until(predicate: Callable[[], T], timeout: float = 20.0, interval: float = 0.2) -> T:
    """Poll ``predicate`` until it returns something truthy (events are a little late); its
    last answer (falsy when it never came)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)

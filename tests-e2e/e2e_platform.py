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

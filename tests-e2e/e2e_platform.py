"""Moved to ``parovoz_testing`` (libs/parovoz-testing): import ``parovoz_testing.platform`` and
``parovoz_testing.tokens``. Kept so a test written against the old name still runs."""

from parovoz_testing.platform import (
    AUTH,
    DATABASES,
    GATEWAY,
    SERVICES,
    ServiceUnderTest,
    wait_until,
)
from parovoz_testing.tokens import service_token, user_token

__all__ = [
    "AUTH",
    "DATABASES",
    "GATEWAY",
    "SERVICES",
    "ServiceUnderTest",
    "service_token",
    "user_token",
    "wait_until",
]

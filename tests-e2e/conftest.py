"""End-to-end tests: the whole platform as `make dev` runs it, called through the gateway."""

from __future__ import annotations

import pytest
from parovoz_testing.platform import GATEWAY, SERVICES, ServiceUnderTest


@pytest.fixture(params=SERVICES, ids=lambda s: s.name)
def service(request: pytest.FixtureRequest) -> ServiceUnderTest:
    return request.param


@pytest.fixture
def gateway() -> str:
    return GATEWAY

"""`POST /internal/jobs/{name}/run` on every service: authenticated, runs once per period."""

from __future__ import annotations

import uuid

import httpx
from parovoz_testing.platform import AUTH, ServiceUnderTest
from parovoz_testing.tokens import user_token


def _service_token(name: str = "payment") -> str:
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


def test_internal_job_trigger_needs_a_service_or_admin(service: ServiceUnderTest) -> None:
    url = f"http://127.0.0.1:{service.http_port}/internal/jobs/idempotency-keys-purge/run"
    assert httpx.post(url).status_code == 401
    player = user_token(str(uuid.uuid4()))
    refused = httpx.post(url, headers={"Authorization": f"Bearer {player}"})
    assert refused.status_code == 403

    period = f"e2e-{uuid.uuid4().hex}"  # a period of its own, so the first run is ours
    headers = {"Authorization": f"Bearer {_service_token()}"}
    first = httpx.post(url, params={"period": period}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["data"]["attributes"]["outcome"] == "ran"
    again = httpx.post(url, params={"period": period}, headers=headers)
    assert again.json()["data"]["attributes"]["outcome"] == "already_ran"

    admin = user_token(str(uuid.uuid4()), roles=("admin",))
    unknown = httpx.post(
        url.replace("idempotency-keys-purge", "no-such-job"),
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert unknown.status_code == 404


def test_internal_jobs_are_not_exposed_through_the_gateway(gateway: str) -> None:
    response = httpx.post(f"{gateway}/internal/jobs/idempotency-keys-purge/run")
    assert response.status_code == 404
    assert "x-served-by" not in response.headers
